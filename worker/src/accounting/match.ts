/**
 * Finds the models.dev entry for a channel's upstream model name.
 *
 * Three stages, the first that finds anything wins:
 * 1. exact: the name equals a models.dev model id (case-sensitive);
 * 2. normalized, bare: bareModelName equal (case, path prefix such as `openai/`, `models/`);
 * 3. normalized, base: baseModelName equal (also release tags: `-20250514`, `-2024-11-20`,
 *    `@20240229`, `-latest`).
 * Exact ids win over normalized ones because dated ids can carry their own price
 * (`gpt-4o-2024-05-13` costs twice `gpt-4o`); the bare stage runs before the base stage for
 * the same reason.
 *
 * Within a stage several providers may list the key, at different prices (aggregators resell,
 * coding plans list 0). One entry is chosen, in this order:
 * 1. the hinted provider's entries (the provider the channel type speaks for), if it lists the key;
 * 2. else the first vendor in FIRST_PARTY_PROVIDERS that lists it: a model's maker publishes
 *    its list price, which resellers mostly copy;
 * 3. else every entry, dropping zero-priced ones when a priced one exists (a 0 from a free tier
 *    or subscription plan is not what a pay-per-token channel is billed).
 * Then, among the remaining entries: the one whose bare name equals the looked-up key (the
 * undated alias carries the current price), then by provider id, then by model id (plain
 * code-unit order, so the choice never depends on locale or catalogue order).
 */
import type { ChannelType } from '../db/types';
import type { Price } from './cost';
import { bareModelName, baseModelName } from './model-name';
import type { ModelsDevIndex, ModelsDevPrice } from './modelsdev';

/** How a model name found its models.dev entry, shown next to the price in the UI. */
export type MatchKind = 'exact' | 'normalized';

/** A models.dev entry matched to an upstream model name. */
export interface ModelMatch {
  /** models.dev model id, e.g. `claude-sonnet-4-20250514`. */
  id: string;
  /** models.dev provider id the price comes from, e.g. `anthropic`. */
  provider: string;
  /** nano-USD per 1M tokens. */
  price: Price;
  match: MatchKind;
}

/**
 * models.dev provider ids of model makers selling their own models, in preference order when
 * two of them list the same id. International endpoints only (`zai`, `alibaba`), whose prices
 * are published in USD; their China-region twins fall into the general pool.
 */
export const FIRST_PARTY_PROVIDERS: readonly string[] = [
  'openai', 'anthropic', 'google', 'deepseek', 'mistral', 'xai', 'cohere', 'moonshotai',
  'zai', 'alibaba', 'minimax', 'xiaomi', 'perplexity', 'llama', 'nova', 'stepfun', 'inception',
];

/** models.dev provider id whose prices a channel type's native API charges. */
const HINT_BY_CHANNEL_TYPE: Record<ChannelType, string> = {
  'openai-chat': 'openai',
  'openai-responses': 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
};

/**
 * The provider hint for a channel type: `openai-chat` and `openai-responses` → `openai`,
 * `anthropic` → `anthropic`, `gemini` → `google`. An OpenAI-compatible channel that is really
 * another vendor is harmless: the hint only applies when that provider lists the model.
 *
 * @param channelType the channel's wire protocol (db/types CHANNEL_TYPES).
 * @returns a models.dev provider id. Throws nothing.
 */
export function providerHintFor(channelType: ChannelType): string {
  return HINT_BY_CHANNEL_TYPE[channelType];
}

/**
 * The models.dev entry for `name` (see the module comment for stages and tie-breaks).
 *
 * @param name the upstream model name as the channel sends it.
 * @param index from modelsDevIndex.
 * @param providerHint a models.dev provider id to prefer (see providerHintFor); optional.
 * @returns the match, or null when no stage finds the name. Throws nothing.
 */
export function matchModel(name: string, index: ModelsDevIndex, providerHint?: string): ModelMatch | null {
  const exact = index.byId.get(name);
  if (exact?.length) return choose(exact, bareModelName(name), providerHint, 'exact');
  const bare = bareModelName(name);
  const byBare = bare === '' ? undefined : index.byBareName.get(bare);
  if (byBare?.length) return choose(byBare, bare, providerHint, 'normalized');
  const base = baseModelName(name);
  const byBase = base === '' ? undefined : index.byBaseName.get(base);
  if (byBase?.length) return choose(byBase, base, providerHint, 'normalized');
  return null;
}

/** Picks one of a non-empty candidate list by the documented preference order. */
function choose(candidates: readonly ModelsDevPrice[], key: string, hint: string | undefined, match: MatchKind): ModelMatch {
  const best = preferred(candidates, hint)
    .slice()
    .sort((a, b) => compareRanks(rankOf(a, key), rankOf(b, key)))[0]!;
  return { id: best.model, provider: best.provider, price: best.price, match };
}

/** Steps 1–3 of the preference order: the pool the final tie-break runs on (never empty). */
function preferred(candidates: readonly ModelsDevPrice[], hint: string | undefined): readonly ModelsDevPrice[] {
  if (hint !== undefined) {
    const hinted = candidates.filter((c) => c.provider === hint);
    if (hinted.length) return hinted;
  }
  for (const vendor of FIRST_PARTY_PROVIDERS) {
    const own = candidates.filter((c) => c.provider === vendor);
    if (own.length) return own;
  }
  const priced = candidates.filter((c) => c.price.input > 0 || c.price.output > 0);
  return priced.length ? priced : candidates;
}

/** Sort key: undated alias first, then provider id, then model id. */
type Rank = [aliasFirst: number, provider: string, model: string];

function rankOf(c: ModelsDevPrice, key: string): Rank {
  return [bareModelName(c.model) === key ? 0 : 1, c.provider, c.model];
}

/** Code-unit order, not localeCompare: the choice must not depend on the runtime's locale. */
function compareRanks(a: Rank, b: Rank): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  if (a[2] !== b[2]) return a[2] < b[2] ? -1 : 1;
  return 0;
}
