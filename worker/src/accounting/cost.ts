/**
 * Cost of one request: tokens × price, split the way providers bill and the stats rows store it
 * (DESIGN.md "Accounting"). All amounts are integer nano-USD (1 USD = 1e9 nano-USD).
 */
import type { Usage } from '../protocols/canonical';

/**
 * A model's price, in integer nano-USD per 1M tokens (the `prices` table columns
 * input, output, cache_read, cache_write). Every field is a safe integer ≥ 0.
 */
export interface Price {
  /** Input tokens neither read from nor written to a cache. */
  input: number;
  /** Output tokens, reasoning included (providers bill thinking as output). */
  output: number;
  /** Input tokens served from a prompt cache. */
  cacheRead: number;
  /** Input tokens written to a prompt cache. */
  cacheWrite: number;
}

/** A price whose cache prices may be unpublished (`undefined` or `null` = the source did not say). */
export interface PartialPrice {
  input: number;
  output: number;
  cacheRead?: number | null;
  cacheWrite?: number | null;
}

/** Cost of one request, per kind of token, in integer nano-USD. `total` is the sum of the four parts. */
export interface Cost {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  total: number;
}

/**
 * Fills unpublished cache prices with the input price.
 *
 * Why the input price and not 0: cached tokens are input tokens, and a provider that does not
 * publish a cache price still bills them. Per provider:
 * - Anthropic bills cache writes at 1.25× input (5-minute TTL) and reads at 0.1×; when a source
 *   omits them, the input price under-charges writes by 20% and over-charges reads, where 0
 *   would have made every cached token free.
 * - OpenAI has no cache write (usage never reports one), so the write price is never used;
 *   a missing read price means no published discount, and full input is what such a provider charges.
 * - Gemini's implicit caching reports only reads; explicit-cache storage is billed per hour,
 *   outside token usage, and is not modelled here.
 * An explicit 0 is kept: some providers (and free tiers) publish a zero cache price.
 *
 * @param p prices in nano-USD per 1M tokens; cache prices optional.
 * @returns a complete Price. Throws nothing (values are not validated here; costOf does that).
 */
export function withCacheFallback(p: PartialPrice): Price {
  return {
    input: p.input,
    output: p.output,
    cacheRead: p.cacheRead ?? p.input,
    cacheWrite: p.cacheWrite ?? p.input,
  };
}

/**
 * Cost of `usage` at `price`.
 *
 * Each part is tokens × nano-USD-per-1M / 1e6, computed in BigInt (exact: 1e7 tokens ×
 * 1.5e10 nano/M = 1.5e17 is past 2^53, so Number math would lose digits) and rounded half-up
 * once, per part. `total` is the sum of the rounded parts, so parts always add up to the total
 * that the stats rows sum. Reasoning tokens are already inside `usage.output` and are priced
 * as output; `usage.reasoning` is not charged again.
 *
 * Example: 3 input tokens at $0.15/M (150_000_000 nano/M) = 450 nano-USD exactly.
 *
 * @param usage token counts (Usage from protocols/canonical: `input` excludes cached tokens).
 * @param price nano-USD per 1M tokens.
 * @returns integer nano-USD per part and in total.
 * @throws RangeError when a token count or price is not a safe integer ≥ 0, or a result exceeds
 *   Number.MAX_SAFE_INTEGER nano-USD (about 9 million USD for one request).
 */
export function costOf(usage: Usage, price: Price): Cost {
  const input = partCost('input', usage.input, price.input);
  const cacheRead = partCost('cacheRead', usage.cacheRead, price.cacheRead);
  const cacheWrite = partCost('cacheWrite', usage.cacheWrite, price.cacheWrite);
  const output = partCost('output', usage.output, price.output);
  return {
    input: toSafeNumber(input, 'input'),
    cacheRead: toSafeNumber(cacheRead, 'cacheRead'),
    cacheWrite: toSafeNumber(cacheWrite, 'cacheWrite'),
    output: toSafeNumber(output, 'output'),
    total: toSafeNumber(input + cacheRead + cacheWrite + output, 'total'),
  };
}

/** The cost of nothing: every part 0 nano-USD. A fresh object on each call, safe to mutate. */
export function zeroCost(): Cost {
  return { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, total: 0 };
}

const PER_MILLION = 1_000_000n;
const HALF_MILLION = 500_000n;

/** round_half_up(tokens × nanoPerMillion / 1e6) as a bigint; both operands checked non-negative. */
function partCost(part: keyof Cost, tokens: number, nanoPerMillion: number): bigint {
  if (!Number.isSafeInteger(tokens) || tokens < 0) throw new RangeError(`${part} tokens must be a safe integer >= 0, got ${tokens}`);
  if (!Number.isSafeInteger(nanoPerMillion) || nanoPerMillion < 0) {
    throw new RangeError(`${part} price must be a safe integer >= 0 nano-USD per 1M tokens, got ${nanoPerMillion}`);
  }
  return (BigInt(tokens) * BigInt(nanoPerMillion) + HALF_MILLION) / PER_MILLION;
}

function toSafeNumber(n: bigint, what: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what} cost ${n} nano-USD exceeds Number.MAX_SAFE_INTEGER`);
  return Number(n);
}
