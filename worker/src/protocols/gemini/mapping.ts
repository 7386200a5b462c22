/**
 * Gemini ↔ canonical value maps: finish reasons and token usage.
 * Sources: Gemini API reference "GenerateContentResponse" (Candidate.FinishReason, UsageMetadata);
 * the enum list matches @google/genai 2.32 `FinishReason`.
 */
import type { FinishReason, Usage } from '../canonical';
import { isObject, numberField, type Json } from './wire';

/** Finish reasons that mean the output was withheld or cut by a filter. */
const FILTERED = new Set([
  'SAFETY', 'RECITATION', 'LANGUAGE', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII',
  'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION',
]);
/**
 * Finish reasons that mean generation failed: a function call the model could not form
 * (MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS), an image that was
 * expected but not made, or the catch-all OTHER. Gemini CLI itself treats MALFORMED_FUNCTION_CALL
 * as a failed stream, so `error` is the honest canonical value.
 */
const FAILED = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS', 'OTHER', 'NO_IMAGE', 'IMAGE_OTHER']);

/**
 * Canonical finish reason of a Gemini `finishReason`. `STOP` with function calls in the candidate is
 * `tool_calls` (Gemini has no separate value for it). Unknown or unspecified values are `stop`.
 */
export function finishFromGemini(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === undefined || reason === 'STOP' || reason === 'FINISH_REASON_UNSPECIFIED') {
    return hasToolCalls ? 'tool_calls' : 'stop';
  }
  if (reason === 'MAX_TOKENS' || reason === 'CONTINUATION') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  if (FAILED.has(reason)) return 'error';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/** Gemini `finishReason` for a canonical one (`tool_calls` and `pause` are `STOP` in Gemini). */
export function finishToGemini(reason: FinishReason): string {
  switch (reason) {
    case 'length': return 'MAX_TOKENS';
    case 'content_filter':
    case 'refusal': return 'SAFETY';
    case 'error': return 'OTHER';
    default: return 'STOP';
  }
}

const COUNT_FIELDS = ['promptTokenCount', 'cachedContentTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'toolUsePromptTokenCount', 'totalTokenCount'];

/**
 * Canonical usage of a Gemini `usageMetadata`, or undefined when it carries no counts (Vertex sends
 * `{"trafficType": …}` alone on early chunks).
 * - `promptTokenCount` includes `cachedContentTokenCount`; `toolUsePromptTokenCount` is extra input
 *   (the reference: totalTokenCount = prompt + candidates + tool-use prompts [+ thoughts]).
 * - `candidatesTokenCount` excludes `thoughtsTokenCount`; canonical `output` includes reasoning.
 */
export function usageFromGemini(meta: unknown): Usage | undefined {
  if (!isObject(meta)) return undefined;
  if (!COUNT_FIELDS.some((f) => numberField(meta, f) !== undefined)) return undefined;
  const prompt = numberField(meta, 'promptTokenCount') ?? 0;
  const cached = numberField(meta, 'cachedContentTokenCount') ?? 0;
  const toolUse = numberField(meta, 'toolUsePromptTokenCount') ?? 0;
  const candidates = numberField(meta, 'candidatesTokenCount') ?? 0;
  const thoughts = numberField(meta, 'thoughtsTokenCount') ?? 0;
  return {
    input: Math.max(0, prompt - cached) + toolUse,
    cacheRead: cached,
    cacheWrite: 0,
    output: candidates + thoughts,
    reasoning: thoughts,
  };
}

/**
 * Gemini `usageMetadata` for canonical usage: promptTokenCount = input + cacheRead + cacheWrite
 * (cache writes are ordinary prompt tokens to Gemini), candidatesTokenCount = output − reasoning.
 * Zero cache/thought counts are left out, as Gemini does.
 */
export function usageToGemini(u: Usage): Json {
  const prompt = u.input + u.cacheRead + u.cacheWrite;
  const thoughts = Math.min(u.reasoning, u.output);
  const out: Json = { promptTokenCount: prompt, candidatesTokenCount: u.output - thoughts, totalTokenCount: prompt + u.output };
  if (u.cacheRead > 0) out.cachedContentTokenCount = u.cacheRead;
  if (thoughts > 0) out.thoughtsTokenCount = thoughts;
  return out;
}
