/** costOf: integer nano-USD per part, half-up rounding per part, BigInt-exact for large counts. */
import { describe, expect, it } from 'vitest';
import { costOf, withCacheFallback, zeroCost, type Price } from '../../../src/accounting/cost';
import { usdPerMillionToNano } from '../../../src/accounting/money';
import { emptyUsage, type Usage } from '../../../src/protocols/canonical';

const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });
const price = (input: number, output: number, cacheRead = input, cacheWrite = input): Price => ({ input, output, cacheRead, cacheWrite });

describe('costOf', () => {
  it('is exact where floats drift: 3 tokens at $0.15/M = 450 nano-USD', () => {
    expect(0.15 * 3).not.toBe(0.45); // the float trap this module avoids
    const c = costOf(usage({ input: 3 }), price(usdPerMillionToNano(0.15), 0));
    expect(c).toEqual({ input: 450, cacheRead: 0, cacheWrite: 0, output: 0, total: 450 });
  });

  it('splits by token kind and sums the parts (Claude Sonnet 4 list price)', () => {
    const sonnet = price(3_000_000_000, 15_000_000_000, 300_000_000, 3_750_000_000);
    const c = costOf(usage({ input: 1000, cacheRead: 20_000, cacheWrite: 4000, output: 500, reasoning: 200 }), sonnet);
    expect(c).toEqual({ input: 3_000_000, cacheRead: 6_000_000, cacheWrite: 15_000_000, output: 7_500_000, total: 31_500_000 });
  });

  it('does not charge reasoning on top of output', () => {
    const p = price(0, 10_000_000_000);
    expect(costOf(usage({ output: 100, reasoning: 100 }), p).total).toBe(costOf(usage({ output: 100 }), p).total);
  });

  it('rounds each part half-up once, and the total is the sum of rounded parts', () => {
    // 1 token at 1_500_000 nano/M = 1.5 nano → 2; at 1_499_999 → 1.499999 → 1.
    expect(costOf(usage({ input: 1 }), price(1_500_000, 0)).input).toBe(2);
    expect(costOf(usage({ input: 1 }), price(1_499_999, 0)).input).toBe(1);
    expect(costOf(usage({ input: 1 }), price(499_999, 0)).input).toBe(0);
    expect(costOf(usage({ input: 1 }), price(500_000, 0)).input).toBe(1);
    const c = costOf(usage({ input: 1, cacheRead: 1, cacheWrite: 1, output: 1 }), price(1_500_000, 1_500_000, 1_500_000, 1_500_000));
    expect(c).toEqual({ input: 2, cacheRead: 2, cacheWrite: 2, output: 2, total: 8 });
  });

  it('is zero for zero usage and for a zero price', () => {
    expect(costOf(emptyUsage(), price(3_000_000_000, 15_000_000_000))).toEqual(zeroCost());
    expect(costOf(usage({ input: 1e6, output: 1e6 }), price(0, 0, 0, 0))).toEqual(zeroCost());
  });

  it('stays exact past 2^53 intermediate products (10M tokens at $15/M and beyond)', () => {
    const tokens = 10_000_000;
    const nanoPerM = 15_000_000_000;
    expect(tokens * nanoPerM).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    const c = costOf(usage({ input: tokens, output: tokens }), price(nanoPerM, 600_000_000_000));
    expect(c.input).toBe(150_000_000_000); // $150
    expect(c.output).toBe(6_000_000_000_000); // $6000
    expect(c.total).toBe(6_150_000_000_000);
    // 123_456_789 × 987_654_321_987 = 121_932_631_234_487_119_743 (computed in BigInt): remainder
    // 119_743 < 500_000 rounds down.
    const odd = costOf(usage({ output: 123_456_789 }), price(0, 987_654_321_987));
    expect(odd.output).toBe(121_932_631_234_487);
    // 1 token more than a whole-nano boundary: 1_000_001 tokens at 999_999 nano/M = 999_999.999999 → 1_000_000.
    expect(costOf(usage({ input: 1_000_001 }), price(999_999, 0)).input).toBe(1_000_000);
  });

  it('rejects token counts and prices that are not safe integers >= 0', () => {
    const p = price(1, 1);
    expect(() => costOf(usage({ input: -1 }), p)).toThrow(RangeError);
    expect(() => costOf(usage({ output: 1.5 }), p)).toThrow(RangeError);
    expect(() => costOf(usage({ cacheRead: Number.NaN }), p)).toThrow(RangeError);
    expect(() => costOf(usage({ input: 1 }), price(0.5, 0))).toThrow(RangeError);
    expect(() => costOf(usage({ input: 1 }), price(-1, 0))).toThrow(RangeError);
  });

  it('rejects a cost beyond Number.MAX_SAFE_INTEGER nano-USD', () => {
    const huge = Number.MAX_SAFE_INTEGER;
    expect(() => costOf(usage({ input: huge }), price(huge, 0))).toThrow(RangeError);
  });
});

describe('withCacheFallback', () => {
  it('fills missing cache prices with the input price, never 0', () => {
    expect(withCacheFallback({ input: 2_500_000_000, output: 10_000_000_000, cacheRead: 1_250_000_000 })).toEqual({
      input: 2_500_000_000, output: 10_000_000_000, cacheRead: 1_250_000_000, cacheWrite: 2_500_000_000,
    });
    expect(withCacheFallback({ input: 7, output: 9, cacheRead: null, cacheWrite: undefined })).toEqual({ input: 7, output: 9, cacheRead: 7, cacheWrite: 7 });
  });

  it('keeps a published 0 cache price', () => {
    expect(withCacheFallback({ input: 7, output: 9, cacheRead: 0, cacheWrite: 0 })).toEqual({ input: 7, output: 9, cacheRead: 0, cacheWrite: 0 });
  });

  it('makes a cache write cost what the input price says when the source omits it', () => {
    const p = withCacheFallback({ input: 3_000_000_000, output: 15_000_000_000 });
    expect(costOf(usage({ cacheWrite: 1000 }), p).cacheWrite).toBe(3_000_000);
  });
});
