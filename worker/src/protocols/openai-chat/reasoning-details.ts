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
 * - Encoding: only reasoning with opaque data gets details (plain reasoning text stays in
 *   `reasoning_content` alone, as before), text and signature in one detail. Another provider's
 *   data travels as an `oe1_` envelope (format `unknown`: it is in no provider's scheme), like in
 *   every other protocol's reasoning slot: it carries the thinking text its signature signs, and
 *   a same-protocol request that carries it back is converted (passthrough.ts carriesEnvelope),
 *   so a Chat upstream (OpenAI, OpenRouter) never receives another provider's signature. An
 *   OpenAI-compatible upstream's own data goes back to it raw.
 */
import type { Opaque, ProtocolName, ReasoningPart, TextPart } from '../canonical';
import { RequestDecodeError } from '../canonical';
import { reasoningFromSlot, reasoningToSlot, textSignatureToSlot } from '../opaque';
import { isObject, type JsonObject } from './wire';

/** Provider of each `format` whose opaque data the gateway can send back to a channel type. */
const FORMAT_PROVIDER: Record<string, ProtocolName> = {
  'anthropic-claude-v1': 'anthropic',
  'google-gemini-v1': 'gemini',
  'openai-responses-v1': 'openai-responses',
  'azure-openai-responses-v1': 'openai-responses',
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

/**
 * The text-part signatures (Gemini's `thoughtSignature` on a text part) carried in a
 * `reasoning_details` array as `reasoning.encrypted` envelopes (see encodeTextSignatureDetail), as
 * empty signed text parts: the Gemini encoder puts each back on the text part before it.
 * Anything else in the array is decodeReasoningDetails' business; a malformed array yields none.
 */
export function decodeTextSignatures(raw: unknown): TextPart[] {
  if (!Array.isArray(raw)) return [];
  const parts: TextPart[] = [];
  for (const d of raw) {
    if (!isObject(d) || d.type !== 'reasoning.encrypted' || typeof d.data !== 'string' || !d.data.startsWith('oe1_')) continue;
    const p = reasoningFromSlot(d.data, 'openai-chat', '');
    if (p.type === 'text') parts.push(p);
  }
  return parts;
}

/**
 * The detail carrying a text part's signature (Gemini) for a Chat client, `index` its position
 * among the message's details: `reasoning.encrypted` with an envelope (`textSignatureToSlot`); Chat
 * has no slot of its own for it, and a client that keeps its details sends it back.
 */
export function encodeTextSignatureDetail(signature: Opaque, index: number): JsonObject {
  return { type: 'reasoning.encrypted', data: textSignatureToSlot(signature), format: 'unknown', index };
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

/**
 * The detail(s) for a reasoning part with opaque data, `index` its position among the message's
 * details: thinking (Anthropic, Gemini, an OpenAI-compatible vendor) as `reasoning.text` with its
 * signature; redacted thinking and Responses `encrypted_content` as `reasoning.encrypted`. The
 * value is `reasoningToSlot(part, 'openai-chat')`: raw for an OpenAI-compatible vendor's own, an
 * envelope otherwise. Empty for a part without opaque data.
 */
export function encodeReasoningDetails(p: ReasoningPart, index: number): JsonObject[] {
  const value = reasoningToSlot(p, 'openai-chat');
  if (value === undefined) return [];
  // A Responses item's summary text is not needed to continue from it (reasoning_content shows it).
  if (p.redacted || p.signature?.provider === 'openai-responses') return [{ type: 'reasoning.encrypted', data: value, format: 'unknown', index }];
  return [{ type: 'reasoning.text', text: p.text, signature: value, format: 'unknown', index }];
}
