/**
 * `reasoning_details`: the de-facto Chat Completions extension for opaque reasoning, used by
 * OpenRouter and the Vercel AI SDK (OpenRouter "Reasoning Tokens" → "reasoning_details array
 * structure"; @openrouter/ai-sdk-provider `ReasoningDetail` schemas). An array on an assistant
 * message (requests, `choices[].message`) or on a stream `delta`, of:
 * - `{type:'reasoning.text', text, signature?, format?, index?, id?}`: thinking text, signed when
 *   the provider signs it (Anthropic thinking, Gemini thought);
 * - `{type:'reasoning.encrypted', data, format?, index?, id?}`: opaque reasoning (Anthropic
 *   `redacted_thinking` data, Responses `encrypted_content`);
 * - `{type:'reasoning.summary', summary, format?, index?, id?}`: a reasoning summary.
 * `format` names the provider's scheme: `anthropic-claude-v1`, `google-gemini-v1`,
 * `openai-responses-v1`, `azure-openai-responses-v1`, `xai-responses-v1`, `unknown` (OpenRouter
 * SDK `ReasoningFormat`). Streams send a detail's text in pieces under one `index`; clients
 * concatenate them and send the whole detail back.
 *
 * What the gateway does:
 * - Decoding (client requests, upstream answers): a detail becomes a reasoning part; its
 *   signature or data belongs to the provider its `format` names (an `oe1_` envelope, opaque.ts,
 *   says so itself), else to the slot's owner, an OpenAI-compatible upstream.
 * - Encoding (answers to clients): only reasoning with opaque data gets details (plain reasoning
 *   text stays in `reasoning_content` alone, as before): the provider's raw value and its format,
 *   so a client can also hand the history to OpenRouter; text and signature in one detail.
 */
import type { Opaque, ProtocolName, ReasoningPart } from '../canonical';
import { RequestDecodeError } from '../canonical';
import { reasoningFromSlot } from '../opaque';
import { isObject, type JsonObject } from './wire';

/** Provider of each `format` whose opaque data the gateway can send back to a channel type. */
const FORMAT_PROVIDER: Record<string, ProtocolName> = {
  'anthropic-claude-v1': 'anthropic',
  'google-gemini-v1': 'gemini',
  'openai-responses-v1': 'openai-responses',
  'azure-openai-responses-v1': 'openai-responses',
};

/** The `format` written for opaque data of each provider. */
const PROVIDER_FORMAT: Record<ProtocolName, string> = {
  anthropic: 'anthropic-claude-v1',
  gemini: 'google-gemini-v1',
  'openai-responses': 'openai-responses-v1',
  'openai-chat': 'unknown',
};

/** The Opaque a detail's signature or data stands for: its format's provider, else an OpenAI-compatible vendor's own. */
function opaqueOf(value: string, d: JsonObject): Opaque {
  const provider = (typeof d.format === 'string' && FORMAT_PROVIDER[d.format]) || 'openai-chat';
  return { provider, value, ...(provider === 'openai-responses' && typeof d.id === 'string' && { itemId: d.id }) };
}

/**
 * The reasoning parts of a `reasoning_details` array, in order. Details that carry nothing (no
 * text, no opaque data) and unknown detail types are left out.
 * @throws RequestDecodeError (`at` names the field) when it is not an array of objects.
 */
export function decodeReasoningDetails(raw: unknown, at: string): ReasoningPart[] {
  if (!Array.isArray(raw)) throw new RequestDecodeError(`${at}: expected an array`, at);
  const parts: ReasoningPart[] = [];
  raw.forEach((d, i) => {
    if (!isObject(d)) throw new RequestDecodeError(`${at}.${i}: expected an object`, `${at}.${i}`);
    const part = decodeDetail(d);
    if (part) parts.push(part);
  });
  return parts;
}

function decodeDetail(d: JsonObject): ReasoningPart | undefined {
  const text = typeof d.text === 'string' ? d.text : '';
  if (d.type === 'reasoning.text') {
    const sig = typeof d.signature === 'string' && d.signature !== '' ? d.signature : undefined;
    if (!sig) return text === '' ? undefined : { type: 'reasoning', text };
    if (sig.startsWith('oe1_')) {
      const p = reasoningFromSlot(sig, 'openai-chat', text);
      return p.type === 'reasoning' ? p : undefined;
    }
    return { type: 'reasoning', text, signature: opaqueOf(sig, d) };
  }
  if (d.type === 'reasoning.encrypted') {
    if (typeof d.data !== 'string' || d.data === '') return undefined;
    if (d.data.startsWith('oe1_')) {
      const p = reasoningFromSlot(d.data, 'openai-chat', '');
      return p.type === 'reasoning' ? p : undefined;
    }
    const o = opaqueOf(d.data, d);
    // Anthropic's encrypted reasoning is redacted thinking; the others' is a signature-like blob.
    return o.provider === 'anthropic' ? { type: 'reasoning', text: '', redacted: o } : { type: 'reasoning', text: '', signature: o };
  }
  if (d.type === 'reasoning.summary' && typeof d.summary === 'string' && d.summary !== '') return { type: 'reasoning', text: d.summary };
  return undefined;
}

/** Whether a part has opaque data worth a detail. */
export function hasOpaque(p: ReasoningPart): boolean {
  return p.signature !== undefined || p.redacted !== undefined;
}

/**
 * The detail(s) for a reasoning part with opaque data, `index` its position among the message's
 * details: Anthropic and Gemini thinking as `reasoning.text` with the signature; redacted thinking
 * and Responses `encrypted_content` (with the item `id`) as `reasoning.encrypted`. Empty for a
 * part without opaque data.
 */
export function encodeReasoningDetails(p: ReasoningPart, index: number): JsonObject[] {
  if (p.redacted) return [{ type: 'reasoning.encrypted', data: p.redacted.value, format: PROVIDER_FORMAT[p.redacted.provider], index }];
  const sig = p.signature;
  if (!sig) return [];
  const format = PROVIDER_FORMAT[sig.provider];
  // The summary text of a Responses item is not needed to continue from it (reasoning_content shows it).
  if (sig.provider === 'openai-responses') return [{ type: 'reasoning.encrypted', data: sig.value, ...(sig.itemId !== undefined && { id: sig.itemId }), format, index }];
  return [{ type: 'reasoning.text', text: p.text, signature: sig.value, format, index }];
}
