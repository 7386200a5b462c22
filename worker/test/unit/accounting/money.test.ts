/** USD ↔ nano-USD conversion: exact decimal rounding, float noise from models.dev, range errors. */
import { describe, expect, it } from 'vitest';
import { NANO_PER_USD, nanoToUsd, usdPerMillionToNano } from '../../../src/accounting/money';

describe('usdPerMillionToNano', () => {
  it('converts published prices exactly', () => {
    expect(usdPerMillionToNano(0)).toBe(0);
    expect(usdPerMillionToNano(0.15)).toBe(150_000_000);
    expect(usdPerMillionToNano(2.5)).toBe(2_500_000_000);
    expect(usdPerMillionToNano(3.75)).toBe(3_750_000_000);
    expect(usdPerMillionToNano(0.0028)).toBe(2_800_000);
    expect(usdPerMillionToNano(600)).toBe(600_000_000_000);
    expect(usdPerMillionToNano(0.144656)).toBe(144_656_000);
  });

  it('ignores float noise present in the models.dev snapshot', () => {
    expect(usdPerMillionToNano(0.30000000000000004)).toBe(300_000_000);
    expect(usdPerMillionToNano(0.049999999999999996)).toBe(50_000_000);
    expect(usdPerMillionToNano(0.7999999999999999)).toBe(800_000_000);
    expect(usdPerMillionToNano(0.8299999999999998)).toBe(830_000_000);
  });

  it('rounds half-up at the ninth decimal, including exponent forms', () => {
    expect(usdPerMillionToNano(1.5e-9)).toBe(2);
    expect(usdPerMillionToNano(1.4e-9)).toBe(1);
    expect(usdPerMillionToNano(5e-10)).toBe(1);
    expect(usdPerMillionToNano(4.9e-10)).toBe(0);
    expect(usdPerMillionToNano(1e-7)).toBe(100);
    expect(usdPerMillionToNano(1.0000000005)).toBe(1_000_000_001);
    expect(usdPerMillionToNano(1.0000000004)).toBe(1_000_000_000);
    expect(usdPerMillionToNano(1e6)).toBe(1e15);
  });

  it('rejects negative, non-finite and unstorable prices', () => {
    expect(() => usdPerMillionToNano(-0.01)).toThrow(RangeError);
    expect(() => usdPerMillionToNano(Number.NaN)).toThrow(RangeError);
    expect(() => usdPerMillionToNano(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => usdPerMillionToNano(1e7)).toThrow(RangeError);
    expect(() => usdPerMillionToNano('1' as unknown as number)).toThrow(RangeError);
  });
});

describe('nanoToUsd', () => {
  it('divides by 1e9 for display', () => {
    expect(NANO_PER_USD).toBe(1e9);
    expect(nanoToUsd(10_500_000)).toBe(0.0105);
    expect(nanoToUsd(0)).toBe(0);
    expect(nanoToUsd(1_000_000_000)).toBe(1);
  });
});
