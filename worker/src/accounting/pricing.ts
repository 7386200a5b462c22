/**
 * Prices finished requests: cost = tokens × price (user price → models.dev price → unknown = 0),
 * in integer nano-USD (accounting/cost.ts). Pure.
 */
import type { ChannelType } from '../db/types';
import { costOf } from './cost';
import { modelsDevIndex, type ModelsDevPrice } from './modelsdev';
import type { RequestRecord } from './records';
import { resolvePrice, type PriceSources } from './prices';
import type { Price } from './cost';

/** Builds lookup sources from stored prices. */
export function priceSources(stored: { user: Map<string, Price>; modelsDev: ModelsDevPrice[] }): PriceSources {
  return { user: stored.user, modelsDev: modelsDevIndex(stored.modelsDev) };
}

/** The records with `costNanoUsd` set; a record without usage or a known price costs 0. */
export function priceRecords(records: RequestRecord[], sources: PriceSources): RequestRecord[] {
  return records.map((r) => {
    if (!r.usage || !r.protocolOut || !r.upstreamModel) return r;
    const resolved = resolvePrice(r.upstreamModel, r.protocolOut as ChannelType, sources);
    return resolved.price ? { ...r, costNanoUsd: costOf(r.usage, resolved.price).total } : r;
  });
}
