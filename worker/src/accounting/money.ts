/**
 * Money units. Every stored or summed amount is an integer number of nano-USD
 * (1 USD = 1e9 nano-USD), so sums over millions of stats rows never drift the way floats would.
 * Prices are integer nano-USD per 1M tokens (the `prices` table columns).
 */

/** Nano-USD in one US dollar. */
export const NANO_PER_USD = 1_000_000_000;

/** A finite number as JS prints it: digits, optional fraction, optional exponent (`1.5e-9`, `1e+21`). */
const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * Converts a price in USD per 1M tokens (as models.dev and provider price pages publish it)
 * to integer nano-USD per 1M tokens.
 *
 * Rounding: half-up at the 9th decimal of the number's shortest decimal form (the digits
 * `String(usd)` prints, which are the digits JSON.parse read). Working on the decimal digits
 * rather than on `usd * 1e9` means float noise in the source never shifts the result:
 * `0.15` → 150_000_000, `0.30000000000000004` → 300_000_000, `0.049999999999999996` → 50_000_000.
 * Sub-nano prices round half-up: `1.5e-9` → 2, `1.4e-9` → 1.
 *
 * @param usd USD per 1M tokens; a finite number ≥ 0.
 * @returns nano-USD per 1M tokens, a safe integer.
 * @throws RangeError when `usd` is negative, not finite, or the result exceeds
 *   Number.MAX_SAFE_INTEGER (about 9 million USD per 1M tokens).
 */
export function usdPerMillionToNano(usd: number): number {
  if (typeof usd !== 'number' || !Number.isFinite(usd) || usd < 0) {
    throw new RangeError(`price must be a finite number >= 0 USD, got ${String(usd)}`);
  }
  const nano = Number(shiftDecimalRoundHalfUp(String(usd), 9));
  if (!Number.isSafeInteger(nano)) throw new RangeError(`price ${usd} USD is too large to store in nano-USD`);
  return nano;
}

/**
 * Converts nano-USD to USD for display only. The result is a float; never add it up or store
 * it — sum nano-USD integers and convert once at the end.
 *
 * @param nano an amount in nano-USD (any finite number).
 * @returns the amount in USD. Throws nothing.
 */
export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}

/**
 * `text` × 10^places, rounded half-up to an integer, using only the decimal digits.
 * `text` is a non-negative finite number as `String(number)` prints it.
 */
function shiftDecimalRoundHalfUp(text: string, places: number): bigint {
  const m = DECIMAL.exec(text);
  if (!m) throw new RangeError(`not a plain non-negative decimal: ${text}`);
  const digits = (m[1] ?? '') + (m[2] ?? '');
  // Position of the decimal point within `digits` after the shift.
  const point = (m[1] ?? '').length + Number(m[3] ?? '0') + places;
  if (point >= digits.length) return BigInt(digits + '0'.repeat(point - digits.length));
  const whole = point > 0 ? BigInt(digits.slice(0, point)) : 0n;
  const firstDropped = point >= 0 ? digits.charCodeAt(point) - 48 : 0;
  return firstDropped >= 5 ? whole + 1n : whole;
}
