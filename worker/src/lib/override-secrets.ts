/**
 * Credential values among request override headers (lib/overrides.ts), kept like a channel's own
 * credential headers (lib/channel-headers.ts): sealed at rest, shown as a hint, opened for the call.
 * Apart from lib/overrides.ts so the dashboard can use the validation without the crypto module.
 */
import type { ChannelOverrides } from '../db/types';
import { maskHeaders, openHeaders, sealHeaders } from './channel-headers';
import type { KeyVault } from './crypto';
import { normalizeOverrides } from './overrides';

/** The header values of `o` that are set (not removals). */
function setHeaders(o: ChannelOverrides | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(o?.headers ?? {}).filter((e): e is [string, string] => e[1] !== null));
}

/**
 * The overrides to store from admin input (normalized): header values under credential-like names
 * sealed like channel headers; a value equal to the hint the admin API showed for the same header
 * of `existing` keeps the stored value.
 */
export async function sealOverrides(vault: KeyVault, input: ChannelOverrides | null | undefined, existing?: ChannelOverrides | null): Promise<ChannelOverrides | null> {
  const o = normalizeOverrides(input);
  if (!o?.headers) return o;
  const sealed = await sealHeaders(vault, setHeaders(o), setHeaders(existing));
  return { ...o, headers: Object.fromEntries(Object.entries(o.headers).map(([n, v]) => [n, v === null ? null : sealed[n]!])) };
}

/** The overrides as the admin API shows them: credential header values reduced to their hint. */
export function maskOverrides(o: ChannelOverrides | null | undefined): ChannelOverrides | null {
  if (!o) return null;
  if (!o.headers) return o;
  const shown = maskHeaders(setHeaders(o));
  return { ...o, headers: Object.fromEntries(Object.entries(o.headers).map(([n, v]) => [n, v === null ? null : shown[n]!])) };
}

/**
 * The compiled header edits with sealed values decrypted.
 * @throws when a value cannot be decrypted (ENCRYPTION_KEY changed).
 */
export async function openHeaderEdits(vault: KeyVault, edits: readonly [string, string | null][]): Promise<[string, string | null][]> {
  const out: [string, string | null][] = [];
  for (const [name, v] of edits) out.push([name, v === null ? null : (await openHeaders(vault, { [name]: v }))[name]!]);
  return out;
}
