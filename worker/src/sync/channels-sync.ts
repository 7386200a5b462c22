/**
 * Channel model-list sync: ask each channel's upstream for its models, apply the channel's
 * filter, add what is new, keep (and report as missing) what disappeared: a model is never removed
 * from a channel or group silently. Records each run in sync state under `channel:<id>`.
 */
import type { Store } from '../db/store';
import type { Channel } from '../db/types';
import type { KeyVault } from '../lib/crypto';
import { applyModelFilter, diffModels, mergeChannelModels, type ModelDiff } from './model-diff';
import { fetchModelList } from './model-list';
import type { FetchFor } from './proxy-fetch';
import { openHeaders } from '../lib/channel-headers';
import { applyHeaderEdits, compileOverrides } from '../lib/overrides';
import { openHeaderEdits } from '../lib/override-secrets';

/**
 * The models `channel`'s upstream lists (sync/model-list.ts) for its first enabled key, sent with the
 * channel's headers and its header overrides (an organisation header can decide what is listed),
 * through `via`, with the channel's model filter applied. Stores nothing. The model sync below and
 * the admin "fetch models" of an unsaved channel (admin/channel-draft.ts) both call it.
 * @param via the fetch to use: the channel's proxy one (sync/proxy-fetch.ts) or plain fetch.
 * @returns model ids, unique, sorted.
 * @throws Error when the channel has no enabled key or a stored secret cannot be decrypted;
 *   ModelListError (its `status`: the upstream's HTTP status, or null) for upstream trouble.
 */
export async function fetchChannelModels(vault: KeyVault, channel: Channel, via: typeof fetch): Promise<string[]> {
  const key = channel.keys.find((k) => k.enabled);
  if (!key) throw new Error('the channel has no enabled key');
  const overrides = compileOverrides(channel.overrides);
  const edits = overrides?.headers.length ? await openHeaderEdits(vault, overrides.headers) : [];
  const plain = { ...channel, headers: applyHeaderEdits(await openHeaders(vault, channel.headers), edits) };
  return applyModelFilter(await fetchModelList(plain, await vault.decrypt(key.enc), via), channel.modelFilter);
}

/**
 * Syncs one channel with its first enabled key. `fetchFor` (sync/proxy-fetch.ts) picks the fetch
 * through the channel's outbound proxy; without it `fetchFn` is used as is.
 * @returns the diff against the models the channel had.
 * @throws Error (ModelListError for upstream trouble) after recording the failure.
 */
export async function syncChannelModels(store: Store, vault: KeyVault, channel: Channel, fetchFn: typeof fetch, now: number, fetchFor?: FetchFor): Promise<ModelDiff> {
  const stateKey = `channel:${channel.id}`;
  try {
    // Through the channel's proxy (or the global one) when the caller says how to reach one.
    const via = fetchFor ? await fetchFor(channel) : fetchFn;
    const fetched = await fetchChannelModels(vault, channel, via);
    const diff = diffModels(channel.models, fetched);
    if (diff.added.length > 0) await store.updateChannel(channel.id, { models: mergeChannelModels(channel.models, fetched) });
    await store.putSyncState(stateKey, now, true, diff);
    return diff;
  } catch (err) {
    await store.putSyncState(stateKey, now, false, { error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

/** Syncs every enabled channel; one failing channel does not stop the others. */
export async function syncAllChannels(store: Store, vault: KeyVault, fetchFn: typeof fetch, now: number, fetchFor?: FetchFor): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  for (const ch of await store.listChannels()) {
    if (!ch.enabled) continue;
    try {
      await syncChannelModels(store, vault, ch, fetchFn, now, fetchFor);
      ok++;
    } catch {
      failed++;
    }
  }
  return { ok, failed };
}
