/**
 * The price table as lookup sources, reloaded from the store at most every PRICE_CACHE_MS (or the
 * age given): prices change by a sync or an admin edit, rarely, and pricing must not cost a query
 * per request. A key's budget follows a price edit within that minute.
 */
import type { Store } from '../db/store';
import { priceRecords, priceSources } from './pricing';
import type { PriceSources } from './prices';
import type { RequestRecord } from './records';
import { totalInput } from '../protocols/canonical';

/** How long loaded prices are reused by default, ms. */
export const PRICE_CACHE_MS = 60_000;

export class PriceCache {
  private cached: { at: number; sources: PriceSources } | null = null;
  private loading: Promise<PriceSources> | null = null;

  constructor(private readonly maxAgeMs = PRICE_CACHE_MS) {}

  /** Price sources no older than the cache age. @throws when the store fails and nothing is cached. */
  async get(store: Store, now: number): Promise<PriceSources> {
    if (this.cached && now - this.cached.at <= this.maxAgeMs) return this.cached.sources;
    // One load at a time: concurrent callers share it.
    this.loading ??= store.loadPrices().then(
      (stored) => {
        const sources = priceSources(stored);
        this.cached = { at: now, sources };
        this.loading = null;
        return sources;
      },
      (err: unknown) => {
        this.loading = null;
        if (this.cached) return this.cached.sources;
        throw err;
      },
    );
    return this.loading;
  }

  /** Forgets the loaded prices (after an admin changed one). */
  clear(): void {
    this.cached = null;
  }
}

/** What one finished request counts against a key: its cost (nano-USD) and tokens (all input + output). */
export function spendOf(record: RequestRecord, sources: PriceSources): { costNanoUsd: number; tokens: number } {
  const [priced] = priceRecords([record], sources);
  const usage = record.usage;
  return { costNanoUsd: priced!.costNanoUsd, tokens: usage ? totalInput(usage) + usage.output : 0 };
}
