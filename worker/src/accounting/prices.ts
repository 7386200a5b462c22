/**
 * Which price a request is charged at (DESIGN.md "Accounting"): the user's price for the
 * model, else the models.dev price, else unknown (cost 0, and the model is listed on the price
 * page for the admin to fill in).
 */
import type { ChannelType } from '../db/types';
import type { Price } from './cost';
import { matchModel, providerHintFor, type MatchKind } from './match';
import type { ModelsDevIndex } from './modelsdev';

/** Where prices come from. */
export interface PriceSources {
  /** User prices (`prices` rows with source `user`) by exact model name; nano-USD per 1M tokens. */
  user: ReadonlyMap<string, Price>;
  /** models.dev prices, from modelsDevIndex(parseModelsDev(api.json)). */
  modelsDev: ModelsDevIndex;
}

/** The price a model is charged at, and where it came from (shown on the price page). */
export type ResolvedPrice =
  | { price: Price; source: 'user'; matchedId: string }
  | { price: Price; source: 'models.dev'; matchedId: string; provider: string; match: MatchKind }
  | { price: null; source: 'unknown' };

/**
 * Resolves the price of an upstream model on a channel.
 *
 * Order: a user price for exactly `model` (case-sensitive, no normalisation: the admin typed
 * that name) always wins; else matchModel against models.dev with the channel type's provider
 * hint; else unknown. User prices are taken as stored: a 0 cache price there is the admin's
 * choice, not a gap to fill (use withCacheFallback when building one from a partial form).
 *
 * @param model the upstream model name the channel was sent (the stats rows' upstream model).
 * @param channelType the channel's wire protocol; picks the models.dev provider hint.
 * @param sources user prices and the models.dev index.
 * @returns the price in nano-USD per 1M tokens with its source; `matchedId` is the user row's
 *   model or the models.dev model id. Throws nothing.
 */
export function resolvePrice(model: string, channelType: ChannelType, sources: PriceSources): ResolvedPrice {
  const user = sources.user.get(model);
  if (user) return { price: user, source: 'user', matchedId: model };
  const found = matchModel(model, sources.modelsDev, providerHintFor(channelType));
  if (found) return { price: found.price, source: 'models.dev', matchedId: found.id, provider: found.provider, match: found.match };
  return { price: null, source: 'unknown' };
}
