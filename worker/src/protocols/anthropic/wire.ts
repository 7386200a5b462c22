/**
 * Small helpers shared by the Anthropic Messages codec: JSON shape checks and the mapping of usage
 * and stop reasons (Anthropic API reference, "Messages" → `usage`, `stop_reason`; SDK 1.14.0
 * `resources/messages/messages.ts` types `Usage`, `MessageDeltaUsage`, `StopReason`).
 */
import { emptyUsage, type FinishReason, type Usage } from '../canonical';

/** A plain JSON object. */
export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses JSON text; undefined when it is not JSON. Anthropic pads payloads with spaces, which JSON.parse accepts. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A non-negative integer count, or undefined when the field is absent, null or not a number. */
function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
}

/**
 * Canonical usage from an Anthropic `usage` object. Anthropic counts are cumulative totals and
 * `message_delta` omits (or nulls) those that do not apply, so a present field REPLACES the value in
 * `prev` and an absent one keeps it. `input_tokens` already excludes cache reads and writes;
 * `output_tokens` includes thinking; `output_tokens_details.thinking_tokens` is the thinking part;
 * `server_tool_use.web_search_requests` counts the searches run (docs "Web search tool" › Usage).
 */
export function usageFromWire(u: unknown, prev: Usage = emptyUsage()): Usage {
  if (!isRecord(u)) return { ...prev };
  const details = isRecord(u.output_tokens_details) ? u.output_tokens_details : undefined;
  const server = isRecord(u.server_tool_use) ? u.server_tool_use : undefined;
  const searches = count(server?.web_search_requests) ?? prev.webSearchRequests;
  return {
    input: count(u.input_tokens) ?? prev.input,
    cacheRead: count(u.cache_read_input_tokens) ?? prev.cacheRead,
    cacheWrite: count(u.cache_creation_input_tokens) ?? prev.cacheWrite,
    output: count(u.output_tokens) ?? prev.output,
    reasoning: count(details?.thinking_tokens) ?? prev.reasoning,
    ...(searches !== undefined && searches > 0 && { webSearchRequests: searches }),
  };
}

/**
 * Anthropic `usage` for canonical usage (tokens). `output_tokens_details` only when thinking tokens
 * are known; `server_tool_use` only when searches ran.
 */
export function usageToWire(u: Usage): Json {
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cacheRead,
    output_tokens: u.output,
    ...(u.reasoning > 0 && { output_tokens_details: { thinking_tokens: u.reasoning } }),
    ...(u.webSearchRequests !== undefined && u.webSearchRequests > 0 && { server_tool_use: { web_search_requests: u.webSearchRequests } }),
  };
}

/**
 * Canonical finish reason for an Anthropic `stop_reason`:
 * end_turn / stop_sequence → stop; max_tokens / model_context_window_exceeded → length;
 * tool_use → tool_calls; pause_turn → pause; refusal → refusal. Unknown values read as stop.
 */
export function finishFromStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'pause_turn':
      return 'pause';
    case 'refusal':
      return 'refusal';
    default:
      return 'stop';
  }
}

/** Anthropic `stop_reason` for a canonical finish reason (content_filter → refusal; error → end_turn, Anthropic has none). */
export function stopReasonFromFinish(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'pause':
      return 'pause_turn';
    case 'refusal':
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** Tool ids Anthropic accepts: `^[a-zA-Z0-9_-]+$` (a `tool_use.id` that does not match is a 400). */
export function sanitizeToolId(id: string): string {
  const clean = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return clean === '' ? 'toolu_' : clean;
}

/** Anthropic message id for the client: ids from other providers get a `msg_` prefix, as Claude clients expect. */
export function messageId(id: string): string {
  if (id.startsWith('msg_')) return id;
  return `msg_${id.replace(/[^a-zA-Z0-9_-]/g, '') || Date.now().toString(36)}`;
}
