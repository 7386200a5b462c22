/**
 * Canonical request → Chat Completions body for an OpenAI or OpenAI-compatible upstream
 * (OpenAI API reference, "Create chat completion").
 *
 * Choices made for the widest vendor compatibility (OpenAI, Azure, DeepSeek, Groq, OpenRouter,
 * vLLM, Ollama):
 * - The system prompt is ONE `system` message (OpenAI turns it into `developer` for reasoning
 *   models itself; several vLLM chat templates refuse a second system message).
 * - Output cap: `max_tokens` (every vendor knows it) unless the client spoke Chat Completions and
 *   used `max_completion_tokens`, or reasoning is on. OpenAI reasoning models reject `max_tokens`
 *   ("Unsupported parameter: 'max_tokens' ... Use 'max_completion_tokens' instead", fixture
 *   openai-chat/vercel__reasoning-model-legacy-parameter-error.json), while local servers
 *   (llama.cpp, Ollama) only read `max_tokens`.
 * - Reasoning text goes back as `reasoning_content` only for reasoning parts without a signature:
 *   those came from an OpenAI-compatible vendor (DeepSeek answers 400 when the reasoning of a
 *   tool-call turn is not passed back, DeepSeek "Thinking Mode" guide). Reasoning an
 *   OpenAI-compatible upstream signed (its `reasoning_details`, e.g. OpenRouter with a format the
 *   gateway does not map) goes back as `reasoning_details` (reasoning-details.ts); reasoning
 *   another provider signed (Anthropic, Gemini, Responses) is never sent here.
 * - `reasoning_effort` is only sent for an explicit effort: non-reasoning models reject it, so a
 *   budget-only thinking config (Anthropic, Gemini) is not translated.
 * - `tool_choice` and `parallel_tool_calls` only with tools (OpenAI rejects them without).
 * - A session hint from another protocol becomes `user` only when it is at most 64 characters.
 */
import type { CanonicalRequest, ImagePart, Part, TextPart, ToolDefinition } from '../canonical';
import type { JsonObject } from './wire';
import { encodeReasoningDetails } from './reasoning-details';

/** Request body for the upstream; `upstreamModel` replaces the client's model name. */
export function encodeRequest(req: CanonicalRequest, upstreamModel: string): Record<string, unknown> {
  const same = req.extensions.protocol === 'openai-chat';
  const fields = same ? req.extensions.fields : {};
  const body: JsonObject = { model: upstreamModel, messages: encodeMessages(req, same) };
  if (req.tools.length > 0) {
    body.tools = req.tools.map(encodeTool);
    if (req.toolChoice) body.tool_choice = encodeToolChoice(req);
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }
  encodeSampling(req, body, fields);
  if (req.responseFormat) body.response_format = encodeResponseFormat(req.responseFormat);
  const effort = encodeReasoningEffort(req, same, fields);
  if (effort !== undefined) body.reasoning_effort = effort;
  const user = encodeUser(req, same, fields);
  if (user !== undefined) body.user = user;
  if (req.stream) {
    body.stream = true;
    const extra = same && typeof fields.stream_options === 'object' && fields.stream_options !== null ? fields.stream_options : {};
    // Always ask for the usage chunk: accounting needs it whatever the client asked.
    body.stream_options = { ...extra, include_usage: true };
  }
  for (const [k, v] of Object.entries(fields)) {
    if (body[k] === undefined && k !== 'max_completion_tokens' && k !== 'stream_options' && k !== 'reasoning_effort') body[k] = v;
  }
  return body;
}

function encodeSampling(req: CanonicalRequest, body: JsonObject, fields: Record<string, unknown>): void {
  const s = req.sampling;
  if (s.temperature !== undefined) body.temperature = s.temperature;
  if (s.topP !== undefined) body.top_p = s.topP;
  if (s.stop && s.stop.length > 0) body.stop = s.stop;
  if (s.maxTokens !== undefined) body[maxTokensField(req, fields)] = s.maxTokens;
  if (s.seed !== undefined) body.seed = s.seed;
  if (s.presencePenalty !== undefined) body.presence_penalty = s.presencePenalty;
  if (s.frequencyPenalty !== undefined) body.frequency_penalty = s.frequencyPenalty;
}

/** OpenAI rejects a longer `user` (bifrost#1000 reports a 64-character limit); Claude Code's metadata.user_id is longer. */
const MAX_USER_LENGTH = 64;

/**
 * `user` for the upstream: the client's own value for a Chat Completions client (unless it only
 * sent `prompt_cache_key`, which goes back verbatim itself); another protocol's session hint only
 * when it fits OpenAI's limit.
 */
function encodeUser(req: CanonicalRequest, same: boolean, fields: Record<string, unknown>): string | undefined {
  if (!req.user) return undefined;
  if (same) return fields.prompt_cache_key === req.user ? undefined : req.user;
  return req.user.length <= MAX_USER_LENGTH ? req.user : undefined;
}

/** Which output-cap field to send (see the module comment). */
function maxTokensField(req: CanonicalRequest, fields: Record<string, unknown>): 'max_tokens' | 'max_completion_tokens' {
  if (req.extensions.protocol === 'openai-chat') return 'max_completion_tokens' in fields ? 'max_completion_tokens' : 'max_tokens';
  return req.reasoning?.enabled ? 'max_completion_tokens' : 'max_tokens';
}

function encodeReasoningEffort(req: CanonicalRequest, same: boolean, fields: Record<string, unknown>): string | undefined {
  if (same && typeof fields.reasoning_effort === 'string') return fields.reasoning_effort;
  if (req.reasoning?.enabled && req.reasoning.effort) return req.reasoning.effort;
  // Only a Chat Completions client can have asked for `none` (so its model knows the value).
  if (same && req.reasoning?.enabled === false) return 'none';
  return undefined;
}

function encodeTool(t: ToolDefinition): JsonObject {
  if (t.kind === 'custom') return { type: 'custom', custom: { name: t.name, ...(t.description !== undefined && { description: t.description }) } };
  const fn: JsonObject = { name: t.name };
  if (t.description !== undefined) fn.description = t.description;
  fn.parameters = t.parameters;
  if (t.strict !== undefined) fn.strict = t.strict;
  return { type: 'function', function: fn };
}

function encodeToolChoice(req: CanonicalRequest): unknown {
  const c = req.toolChoice!;
  if (c.type !== 'tool') return c.type;
  const custom = req.tools.find((t) => t.name === c.name)?.kind === 'custom';
  return custom ? { type: 'custom', custom: { name: c.name } } : { type: 'function', function: { name: c.name } };
}

function encodeResponseFormat(f: NonNullable<CanonicalRequest['responseFormat']>): JsonObject {
  if (f.type !== 'json_schema') return { type: f.type };
  const js: JsonObject = { name: f.name, schema: f.schema };
  if (f.strict !== undefined) js.strict = f.strict;
  if (f.description !== undefined) js.description = f.description;
  return { type: 'json_schema', json_schema: js };
}

/** System message, then each turn (a user turn may become several messages). */
function encodeMessages(req: CanonicalRequest, same: boolean): JsonObject[] {
  const out: JsonObject[] = [];
  if (req.system.length > 0) out.push({ role: 'system', content: systemContent(req.system, same) });
  for (const m of req.messages) {
    if (m.role === 'assistant') {
      const a = assistantMessage(m.parts);
      if (a) out.push(a);
    } else {
      out.push(...userMessages(m.parts, same));
    }
  }
  return out;
}

/** One string; an array of text parts only to carry cache hints a Chat Completions client sent itself. */
function systemContent(parts: TextPart[], same: boolean): unknown {
  if (same && parts.some((p) => p.cacheControl !== undefined)) return parts.map((p) => textPart(p, true));
  return parts.map((p) => p.text).join('\n\n');
}

function textPart(p: TextPart, withCache: boolean): JsonObject {
  return { type: 'text', text: p.text, ...(withCache && p.cacheControl !== undefined && { cache_control: p.cacheControl }) };
}

function imagePart(p: ImagePart): JsonObject {
  const url = p.source.kind === 'url' ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}`;
  return { type: 'image_url', image_url: { url, ...(p.detail !== undefined && { detail: p.detail }) } };
}

/**
 * A user turn: first one `tool` message per tool result (they must directly follow the assistant
 * message with the calls), then a user message with the turn's text and images, plus any images
 * the tool results held (tool messages take text only).
 */
function userMessages(parts: Part[], same: boolean): JsonObject[] {
  const out: JsonObject[] = [];
  const rest: Array<TextPart | ImagePart> = [];
  for (const p of parts) {
    if (p.type === 'tool_result') {
      const text = p.content.filter((c): c is TextPart => c.type === 'text').map((c) => c.text).join('\n');
      out.push({ role: 'tool', tool_call_id: p.toolCallId, content: text });
      rest.push(...p.content.filter((c): c is ImagePart => c.type === 'image'));
    }
  }
  for (const p of parts) if (p.type === 'text' || p.type === 'image') rest.push(p);
  if (rest.length > 0) out.push({ role: 'user', content: userContent(rest, same) });
  return out;
}

function userContent(parts: Array<TextPart | ImagePart>, same: boolean): unknown {
  const only = parts[0];
  if (parts.length === 1 && only?.type === 'text' && !(same && only.cacheControl !== undefined)) return only.text;
  return parts.map((p) => (p.type === 'text' ? textPart(p, same) : imagePart(p)));
}

/** An assistant turn, or undefined when nothing in it can be sent (e.g. only signed reasoning). */
function assistantMessage(parts: Part[]): JsonObject | undefined {
  let text = '';
  let reasoning = '';
  const calls: JsonObject[] = [];
  const details: JsonObject[] = [];
  for (const p of parts) {
    if (p.type === 'text') text += p.text;
    else if (p.type === 'reasoning' && !p.signature && !p.redacted) reasoning += p.text;
    else if (p.type === 'reasoning' && (p.signature ?? p.redacted)?.provider === 'openai-chat') details.push(...encodeReasoningDetails(p, details.length));
    else if (p.type === 'tool_call') {
      calls.push(p.kind === 'custom'
        ? { id: p.id, type: 'custom', custom: { name: p.name, input: p.arguments } }
        : { id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments } });
    }
  }
  if (text === '' && calls.length === 0) return undefined;
  const m: JsonObject = { role: 'assistant', content: text === '' ? null : text };
  if (reasoning !== '') m.reasoning_content = reasoning;
  if (details.length > 0) m.reasoning_details = details;
  if (calls.length > 0) m.tool_calls = calls;
  return m;
}
