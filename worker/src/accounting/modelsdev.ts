/**
 * Reads the models.dev catalogue (https://models.dev/api.json; snapshot in
 * shared/fixtures/modelsdev/api.json) into prices, and indexes them for lookup by model id.
 *
 * Wire shape (models.dev api.json, checked against the 2026-06-13 snapshot):
 *   { <providerId>: { id, name, models: { <modelId>: { id, name, cost?: Cost, limit, … } } } }
 *   Cost = { input, output, cache_read?, cache_write?, reasoning?, input_audio?, output_audio?,
 *            context_over_200k?, tiers? }, numbers in USD per 1M tokens.
 *
 * What is used from `cost`, and why:
 * - input, output: required; a model without both (or without `cost`) has no price here.
 * - cache_read, cache_write: when absent, the input price (see withCacheFallback in cost.ts).
 * - reasoning: ignored. Usage.output already includes reasoning tokens and is priced at `output`;
 *   the field exists for models whose thinking mode bills all output at a higher rate (Qwen3 on
 *   Alibaba), which a user price can express.
 * - input_audio, output_audio: ignored; Usage does not separate audio tokens.
 * - context_over_200k, tiers: ignored; the base (smallest-context) price is used. The `prices`
 *   table holds one price per model, so long-context requests on tiered models (Gemini 2.5 Pro,
 *   Claude over 200k) are under-charged; a user price can override.
 */
import { usdPerMillionToNano } from './money';
import { withCacheFallback, type Price } from './cost';
import { bareModelName, baseModelName } from './model-name';

/** One models.dev model that has a price. */
export interface ModelsDevPrice {
  /** models.dev provider id (the top-level key), e.g. `openai`, `anthropic`, `google`, `openrouter`. */
  provider: string;
  /** models.dev model id (the key under `models`), e.g. `gpt-4o`, `openai/gpt-4o`. */
  model: string;
  /** nano-USD per 1M tokens, cache prices filled from input when unpublished. */
  price: Price;
}

/**
 * Prices grouped for lookup. Each list holds every provider's entry for that key, in
 * catalogue order (provider ids, then model ids, as they appear in the JSON).
 */
export interface ModelsDevIndex {
  /** By exact model id (case-sensitive). */
  byId: ReadonlyMap<string, readonly ModelsDevPrice[]>;
  /** By bareModelName(model id): lower case, path prefix removed. */
  byBareName: ReadonlyMap<string, readonly ModelsDevPrice[]>;
  /** By baseModelName(model id): bare name without release tags (dates, `-latest`). */
  byBaseName: ReadonlyMap<string, readonly ModelsDevPrice[]>;
}

/**
 * Every priced model in a models.dev catalogue.
 *
 * Tolerant of bad entries: a provider without a `models` object, a model without `cost`, or a
 * cost whose input/output is missing, or whose input/output/cache_read/cache_write is not a
 * finite number ≥ 0 (or is too large for nano-USD), is skipped, never thrown on. A malformed
 * cache price skips the model rather than falling back, because a broken entry is not a
 * trustworthy source for any of its prices.
 *
 * @param json the parsed api.json.
 * @returns one entry per priced (provider, model), in catalogue order.
 * @throws TypeError when `json` is not a plain object (null, an array, a string, …).
 */
export function parseModelsDev(json: unknown): ModelsDevPrice[] {
  if (!isRecord(json)) throw new TypeError('models.dev catalogue must be a JSON object of providers');
  const out: ModelsDevPrice[] = [];
  for (const [provider, entry] of Object.entries(json)) {
    if (!isRecord(entry) || !isRecord(entry.models)) continue;
    for (const [model, info] of Object.entries(entry.models)) {
      const price = isRecord(info) ? priceFromCost(info.cost) : null;
      if (price) out.push({ provider, model, price });
    }
  }
  return out;
}

/**
 * Groups prices by exact id, bare name and base name (see model-name.ts) for matchModel.
 * Entries whose bare or base name is empty are left out of that map only.
 *
 * @param prices entries from parseModelsDev (or built by hand in tests).
 * @returns the index; the input array is not modified. Throws nothing.
 */
export function modelsDevIndex(prices: readonly ModelsDevPrice[]): ModelsDevIndex {
  const byId = new Map<string, ModelsDevPrice[]>();
  const byBareName = new Map<string, ModelsDevPrice[]>();
  const byBaseName = new Map<string, ModelsDevPrice[]>();
  for (const p of prices) {
    push(byId, p.model, p);
    push(byBareName, bareModelName(p.model), p);
    push(byBaseName, baseModelName(p.model), p);
  }
  return { byId, byBareName, byBaseName };
}

/** A Price from a models.dev `cost` object, or null when it is missing or malformed. */
function priceFromCost(cost: unknown): Price | null {
  if (!isRecord(cost)) return null;
  const input = nanoField(cost.input);
  const output = nanoField(cost.output);
  const cacheRead = nanoField(cost.cache_read);
  const cacheWrite = nanoField(cost.cache_write);
  // input and output are required; a cache price may be absent (undefined) but not broken (null).
  if (input == null || output == null || cacheRead === null || cacheWrite === null) return null;
  return withCacheFallback({ input, output, cacheRead, cacheWrite });
}

/** nano-USD per 1M for a USD value: undefined when absent (or JSON null), null when present but unusable. */
function nanoField(usd: unknown): number | undefined | null {
  if (usd === undefined || usd === null) return undefined;
  if (typeof usd !== 'number') return null;
  try {
    return usdPerMillionToNano(usd);
  } catch {
    return null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function push(map: Map<string, ModelsDevPrice[]>, key: string, p: ModelsDevPrice): void {
  if (key === '') return;
  const list = map.get(key);
  if (list) list.push(p);
  else map.set(key, [p]);
}
