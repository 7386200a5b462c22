/**
 * Facts of the OpenAI Chat Completions wire shared by the request, response and stream code:
 * finish reasons, usage counters, image data URLs and small JSON guards.
 *
 * References: OpenAI API reference, "Chat Completions" → "The chat completion object"
 * (`finish_reason`, `usage`), "The chat completion chunk object"; DeepSeek API reference
 * "Create Chat Completion" (`prompt_cache_hit_tokens`, `prompt_cache_miss_tokens`).
 */
import type { PlacedCitation } from '../citations';
import type { Citation } from '../canonical';
import type { FinishReason, Usage } from '../canonical';
import { totalInput } from '../canonical';

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number or undefined. */
export function numberOr(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Canonical finish reason of an OpenAI `finish_reason`. `function_call` is the deprecated name of
 * `tool_calls`; `error` is what OpenRouter sends when generation failed mid-way; `refusal` is not an
 * OpenAI value (OpenAI refusals end with `stop`) but is honoured when a compatible vendor sends it.
 * Anything unknown counts as `stop`.
 */
export function finishFromWire(reason: unknown): FinishReason {
  switch (reason) {
    case 'length': return 'length';
    case 'tool_calls': case 'function_call': return 'tool_calls';
    case 'content_filter': return 'content_filter';
    case 'refusal': return 'refusal';
    case 'error': return 'error';
    default: return 'stop';
  }
}

/**
 * OpenAI `finish_reason` for a canonical one. OpenAI has no `refusal` or `pause`: a refusal is
 * reported as `content_filter` (content withheld), a pause as `stop` (the turn ended without a
 * tool call to answer). `error` keeps OpenRouter's `error`.
 */
export function finishToWire(reason: FinishReason): string {
  switch (reason) {
    case 'length': return 'length';
    case 'tool_calls': return 'tool_calls';
    case 'content_filter': case 'refusal': return 'content_filter';
    case 'error': return 'error';
    default: return 'stop';
  }
}

/**
 * Canonical usage of an OpenAI `usage` object (tokens).
 * - `prompt_tokens` includes cached tokens (`prompt_tokens_details.cached_tokens`; DeepSeek also
 *   sends `prompt_cache_hit_tokens`). Some vendors (OpenRouter, for Anthropic models) add
 *   `prompt_tokens_details.cache_write_tokens`, also inside `prompt_tokens`.
 * - `completion_tokens` includes `completion_tokens_details.reasoning_tokens`.
 * Returns undefined when `u` is not a usage object.
 */
export function usageFromWire(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const prompt = numberOr(u.prompt_tokens) ?? 0;
  const promptDetails = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const completionDetails = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {};
  const cacheRead = numberOr(promptDetails.cached_tokens) ?? numberOr(u.prompt_cache_hit_tokens) ?? 0;
  const cacheWrite = numberOr(promptDetails.cache_write_tokens) ?? 0;
  const output = numberOr(u.completion_tokens) ?? 0;
  return {
    input: Math.max(0, prompt - cacheRead - cacheWrite),
    cacheRead,
    cacheWrite,
    output,
    reasoning: numberOr(completionDetails.reasoning_tokens) ?? 0,
  };
}

/** OpenAI `usage` object for canonical usage (`prompt_tokens` = input + cache read + cache write). */
export function usageToWire(u: Usage): JsonObject {
  const prompt = totalInput(u);
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead },
    completion_tokens_details: { reasoning_tokens: u.reasoning },
  };
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** Splits a `data:<mime>;base64,<data>` URL; undefined for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = DATA_URL.exec(url);
  return m ? { mediaType: m[1]!, data: m[2]! } : undefined;
}

/** Tool call arguments as JSON text: strings as sent (empty → `{}`), objects serialised. */
export function argumentsText(v: unknown): string {
  if (typeof v === 'string') return v.trim() === '' ? '{}' : v;
  if (v === undefined || v === null) return '{}';
  return JSON.stringify(v);
}

/** Text of a message `content` that is a string or an array of `{type:'text'|'refusal', ...}` parts. */
export function plainText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let s = '';
  for (const p of content) {
    if (!isObject(p)) continue;
    if (typeof p.text === 'string') s += p.text;
    else if (typeof p.refusal === 'string') s += p.refusal;
  }
  return s;
}

/** Vendor reasoning text of an assistant message or delta: DeepSeek `reasoning_content`, else OpenRouter/vLLM `reasoning`. */
export function reasoningText(m: JsonObject): string | undefined {
  if (typeof m.reasoning_content === 'string') return m.reasoning_content;
  if (typeof m.reasoning === 'string') return m.reasoning;
  return undefined;
}

/** The completion id shown to a Chat Completions client: the upstream id, prefixed `chatcmpl-` when it is not already. */
export function completionId(id: string): string {
  if (id.startsWith('chatcmpl-')) return id;
  return id === '' ? `chatcmpl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}` : `chatcmpl-${id}`;
}

/**
 * A placed citation as a Chat `annotations[]` entry (OpenAI API reference, "The chat completion
 * object" › message.annotations: `{type: "url_citation", url_citation: {start_index, end_index,
 * url, title}}`; streamed the same way in `delta.annotations`).
 */
export function annotationToWire(p: PlacedCitation): JsonObject {
  return { type: 'url_citation', url_citation: { start_index: p.start, end_index: p.end, url: p.citation.url, title: p.citation.title ?? '' } };
}

/**
 * A Chat `annotations[]` entry → a citation (span in the message `content`); undefined for other
 * types. OpenRouter also sends the fields flat on the annotation: both are read.
 */
export function citationFromAnnotation(a: unknown): Citation | undefined {
  if (!isObject(a) || a.type !== 'url_citation') return undefined;
  const c = isObject(a.url_citation) ? a.url_citation : a;
  if (typeof c.url !== 'string') return undefined;
  const start = typeof c.start_index === 'number' ? c.start_index : undefined;
  const end = typeof c.end_index === 'number' ? c.end_index : undefined;
  return {
    url: c.url,
    ...(typeof c.title === 'string' && c.title !== '' && { title: c.title }),
    ...(start !== undefined && end !== undefined && end >= start && { start, end }),
  };
}

/** The url citations of a message or delta `annotations` array. */
export function citationsFromAnnotations(list: unknown): Citation[] {
  return Array.isArray(list) ? list.map(citationFromAnnotation).filter((c): c is Citation => c !== undefined) : [];
}
