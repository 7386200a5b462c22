/**
 * Turning the channel fields of an admin body into what is stored: keys merged with the stored ones
 * and encrypted, the proxy URL checked and sealed. Shared by channel create/update (channels.ts) and
 * the unsaved-channel test and model list (channel-draft.ts).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { Channel, StoredChannelKey } from '../db/types';
import { randomToken, type KeyVault } from '../lib/crypto';
import { EDGE_PROXY_REFUSAL, sealProxy } from '../lib/proxy';
import { adminError } from './http';
import type { ChannelKeyInput } from './schemas';

/**
 * The proxy to store from a channel's input (undefined: not given, keep), or the 400 to answer:
 * a malformed URL, or any proxy on a runtime that cannot use one (the Worker).
 */
export async function proxyInput(c: Context<AppEnv>, input: string | null | undefined, existing: Channel['proxy']): Promise<{ value: Channel['proxy'] | undefined } | { response: Response }> {
  if (input === undefined) return { value: undefined };
  const p = c.get('platform');
  if (input !== null && input.trim() !== '' && !p.outboundProxy) return { response: adminError(c, 400, 'invalid_request', `proxy: ${EDGE_PROXY_REFUSAL}`) };
  const sealed = await sealProxy(p.vault, input, existing);
  if (sealed && 'error' in sealed) return { response: adminError(c, 400, 'invalid_request', `proxy: ${sealed.error}`) };
  return { value: sealed };
}

/** Last 4 characters of a key, for telling keys apart in the dashboard. */
function hintOf(key: string): string {
  return key.length <= 8 ? '…' : `…${key.slice(-4)}`;
}

/**
 * Merges key inputs with the stored keys: `{ id }` keeps a stored key, anything else is new and
 * gets encrypted. Keys not named are removed. Returns an error message for an unknown id.
 */
export async function mergeKeys(vault: KeyVault, inputs: ChannelKeyInput[], existing: StoredChannelKey[]): Promise<StoredChannelKey[] | string> {
  const out: StoredChannelKey[] = [];
  for (const [i, input] of inputs.entries()) {
    if (typeof input === 'object' && 'id' in input) {
      const kept = existing.find((k) => k.id === input.id);
      if (!kept) return `keys.${i}.id: no stored key has id ${input.id}`;
      out.push({ ...kept, enabled: input.enabled ?? kept.enabled });
      continue;
    }
    const plain = typeof input === 'string' ? input : input.key;
    const enabled = typeof input === 'string' ? true : input.enabled ?? true;
    out.push({ id: randomToken(10), enc: await vault.encrypt(plain), hint: hintOf(plain), enabled });
  }
  return out;
}
