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
 */
import type { Opaque, ProtocolName } from './canonical';

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

function packOpaque(o: Opaque): string {
  return toBase64Url(JSON.stringify({ p: o.provider, v: o.value, ...(o.itemId !== undefined && { i: o.itemId }) }));
}

function unpackOpaque(b64: string): Opaque | null {
  const json = fromBase64Url(b64);
  if (json === null) return null;
  try {
    const o = JSON.parse(json) as { p?: unknown; v?: unknown; i?: unknown };
    if (typeof o.p !== 'string' || !PROVIDERS.has(o.p as ProtocolName) || typeof o.v !== 'string') return null;
    return { provider: o.p as ProtocolName, value: o.v, ...(typeof o.i === 'string' && { itemId: o.i }) };
  } catch {
    return null;
  }
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
