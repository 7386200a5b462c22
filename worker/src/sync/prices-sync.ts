/**
 * models.dev price sync: fetch https://models.dev/api.json, keep every model with a cost, replace
 * the stored models.dev prices in one batch. User prices are never touched. Web-standard fetch
 * only (passed in), so the edge cron, Node timers and tests share it.
 */
import { parseModelsDev } from '../accounting/modelsdev';
import type { Store } from '../db/store';
import { readCappedReply } from './get-json';

/** Longest `provider/model` key the prices table holds on every database. */
export const MAX_PRICE_KEY_LENGTH = 255;

/** Where the prices come from (overridable with MODELS_DEV_URL). */
export const MODELS_DEV_URL = 'https://models.dev/api.json';

/**
 * Runs the sync and records it in sync state under `prices`.
 * @returns how many models have prices now.
 * @throws Error when models.dev fails or answers with no prices (the stored prices stay as they were).
 */
export async function syncModelsDevPrices(store: Store, fetchFn: typeof fetch, url: string, now: number): Promise<{ models: number }> {
  try {
    const res = await fetchFn(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`models.dev answered HTTP ${res.status}`);
    // Stored as `provider/model` in a 255-character key (MySQL's varchar): a longer id could not be
    // stored and would fail the whole batch, and no channel model is that long.
    const prices = parseModelsDev(JSON.parse(await readCappedReply(res)) as unknown).filter((p) => p.provider.length + 1 + p.model.length <= MAX_PRICE_KEY_LENGTH);
    // An empty answer would wipe every price: keep the old ones instead.
    if (prices.length === 0) throw new Error('models.dev answered with no priced models');
    await store.replaceModelsDevPrices(prices, now);
    await store.putSyncState('prices', now, true, { models: prices.length });
    return { models: prices.length };
  } catch (err) {
    await store.putSyncState('prices', now, false, { error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
