/**
 * How a provider's opaque data (Anthropic thinking signature, Gemini thoughtSignature, Responses
 * encrypted_content) survives a trip through a client that speaks another protocol.
 *
 * - In a foreign protocol's own opaque slot (an Anthropic `signature`, a Gemini `thoughtSignature`,
 *   a Responses `encrypted_content`) it travels as an envelope: `oe1_` + base64url(JSON {p, v, i}).
 *   The provider's own slot gets the raw value, so same-provider traffic is untouched.
 * - Where a protocol has no slot (OpenAI Chat; tool calls everywhere but Gemini) a tool call's
 *   signature rides in its id: `<id>__oe1_<base64url>`. Clients return tool call ids verbatim.
 *   Only `[A-Za-z0-9_-]` is used, which every provider accepts in ids.
 *
 * Decoding reverses both; anything that is not an envelope is taken as the slot owner's raw value.
 *
 * A reasoning slot (Anthropic thinking `signature`, Gemini `thoughtSignature`, Responses reasoning
 * `encrypted_content`) may also carry, in the envelope, what the foreign protocol would lose:
 * - `t`: the thinking text an Anthropic signature was issued for. Anthropic verifies the signature
 *   against that text, and clients drop or rewrite visible thoughts (Gemini CLI keeps no thought
 *   parts in its history), so the text travels with its signature and comes back byte for byte.
 * - `k: "r"`: the value is Anthropic `redacted_thinking` data, not a signature.
 * - `k: "s"`: the value is the signature of a text part (Gemini signs text parts), carried in a
 *   reasoning slot because the client's text has none; it comes back as an empty signed text part.
 * See `reasoningToSlot` / `reasoningFromSlot`.
 */
import type { Opaque, ProtocolName, ReasoningPart, TextPart } from './canonical';

const PREFIX = 'oe1_';
const ID_SEPARATOR = '__oe1_';

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(b64: string): string | null {
  try {
    const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

const PROVIDERS = new Set<ProtocolName>(['openai-chat', 'openai-responses', 'anthropic', 'gemini']);

/** What an envelope's value is: a reasoning signature, redacted reasoning data, or a text part's signature. */
type EnvelopeKind = 'signature' | 'redacted' | 'text-signature';

interface Envelope {
  opaque: Opaque;
  kind: EnvelopeKind;
  /** Reasoning text the signature was issued for, when carried. */
  text?: string;
}

const KIND_CODE: Record<EnvelopeKind, string | undefined> = { signature: undefined, redacted: 'r', 'text-signature': 's' };

function packOpaque(o: Opaque, kind: EnvelopeKind = 'signature', text?: string): string {
  const code = KIND_CODE[kind];
  return toBase64Url(JSON.stringify({
    p: o.provider, v: o.value,
    ...(o.itemId !== undefined && { i: o.itemId }),
    ...(code !== undefined && { k: code }),
    ...(text !== undefined && { t: text }),
  }));
}

function unpackEnvelope(b64: string): Envelope | null {
  const json = fromBase64Url(b64);
  if (json === null) return null;
  try {
    const o = JSON.parse(json) as { p?: unknown; v?: unknown; i?: unknown; k?: unknown; t?: unknown };
    if (typeof o.p !== 'string' || !PROVIDERS.has(o.p as ProtocolName) || typeof o.v !== 'string') return null;
    const opaque: Opaque = { provider: o.p as ProtocolName, value: o.v, ...(typeof o.i === 'string' && { itemId: o.i }) };
    const kind: EnvelopeKind = o.k === 'r' ? 'redacted' : o.k === 's' ? 'text-signature' : 'signature';
    return { opaque, kind, ...(typeof o.t === 'string' && { text: o.t }) };
  } catch {
    return null;
  }
}

function unpackOpaque(b64: string): Opaque | null {
  return unpackEnvelope(b64)?.opaque ?? null;
}

/**
 * The value for an opaque slot a protocol requires when the provider that produced the content
 * gave none (an Anthropic `encrypted_index` for a citation from OpenAI): an envelope with nothing
 * in it. Decoded, it is nobody's data; passthrough.ts `carriesEnvelope` sees it, so a history
 * holding it is converted (which drops it) rather than passed to Anthropic as its own.
 */
export const FOREIGN_PLACEHOLDER = PREFIX;

/**
 * The id a client sees for an item another provider produced and this protocol would otherwise
 * take as its own (a Responses `web_search_call` id, an Anthropic `server_tool_use` id):
 * `<prefix>oe1_<id>`, the id cut to `[A-Za-z0-9_]` (what every provider accepts). passthrough.ts
 * `carriesEnvelope` sees it, so a history holding it is converted, never passed to the provider
 * whose id shape it borrows.
 */
export function foreignItemId(prefix: string, id: string): string {
  return `${prefix}${PREFIX}${id.replace(/[^A-Za-z0-9_]/g, '')}`;
}

/** The string to put in `slotOwner`'s opaque slot for `o`. */
export function opaqueToSlot(o: Opaque, slotOwner: ProtocolName): string {
  return o.provider === slotOwner ? o.value : PREFIX + packOpaque(o);
}

/** The Opaque a value found in `slotOwner`'s opaque slot stands for. */
export function opaqueFromSlot(value: string, slotOwner: ProtocolName, itemId?: string): Opaque {
  if (value.startsWith(PREFIX)) {
    const o = unpackOpaque(value.slice(PREFIX.length));
    if (o) return o;
  }
  return { provider: slotOwner, value, ...(itemId !== undefined && { itemId }) };
}

/** The raw value for an upstream of protocol `target`, or undefined when `o` belongs to another provider. */
export function opaqueFor(o: Opaque | undefined, target: ProtocolName): string | undefined {
  return o && o.provider === target ? o.value : undefined;
}

/** A tool call id carrying a signature, for protocols without a slot for it. */
export function packToolCallId(id: string, signature: Opaque | undefined): string {
  return signature ? `${id}${ID_SEPARATOR}${packOpaque(signature)}` : id;
}

/** Splits a tool call id from `packToolCallId` back into the id and its signature. */
export function unpackToolCallId(id: string): { id: string; signature?: Opaque } {
  const at = id.lastIndexOf(ID_SEPARATOR);
  if (at === -1) return { id };
  const signature = unpackOpaque(id.slice(at + ID_SEPARATOR.length));
  return signature ? { id: id.slice(0, at), signature } : { id };
}

/**
 * The value for `slotOwner`'s reasoning slot (see the module comment) standing for a reasoning
 * part: the raw signature when `slotOwner` issued it, else an envelope — with the thinking text
 * when Anthropic issued the signature (it signs that text), marked `r` for redacted data.
 * Undefined when the part has no opaque data. `slotOwner` must not be `anthropic` for redacted data:
 * an Anthropic client gets a `redacted_thinking` block instead.
 */
export function reasoningToSlot(part: Pick<ReasoningPart, 'text' | 'signature' | 'redacted'>, slotOwner: ProtocolName): string | undefined {
  if (part.redacted) return PREFIX + packOpaque(part.redacted, 'redacted');
  const sig = part.signature;
  if (!sig) return undefined;
  if (sig.provider === slotOwner) return sig.value;
  return PREFIX + packOpaque(sig, 'signature', sig.provider === 'anthropic' && part.text !== '' ? part.text : undefined);
}

/** The value for a reasoning slot standing for the signature of a text part (always an envelope). */
export function textSignatureToSlot(signature: Opaque): string {
  return PREFIX + packOpaque(signature, 'text-signature');
}

/**
 * The canonical part a value found in `slotOwner`'s reasoning slot stands for, `visibleText` being
 * the thought text shown next to it (thinking text, summary, thought part): a reasoning part whose
 * text is the envelope's carried text when there is one, else `visibleText`; or, for a text part's
 * signature, an empty text part with that signature. A value that is not an envelope is
 * `slotOwner`'s own signature (with `itemId`, for Responses).
 */
export function reasoningFromSlot(value: string, slotOwner: ProtocolName, visibleText: string, itemId?: string): ReasoningPart | TextPart {
  const env = value.startsWith(PREFIX) ? unpackEnvelope(value.slice(PREFIX.length)) : null;
  if (!env) return { type: 'reasoning', text: visibleText, signature: { provider: slotOwner, value, ...(itemId !== undefined && { itemId }) } };
  if (env.kind === 'text-signature') return { type: 'text', text: '', signature: env.opaque };
  if (env.kind === 'redacted') return { type: 'reasoning', text: '', redacted: env.opaque };
  return { type: 'reasoning', text: env.text ?? visibleText, signature: env.opaque };
}
