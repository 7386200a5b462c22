/** The dashboard's money format (dashboard/src/lib/format.ts): one rule, never $0.00 for a non-zero amount. */
import { describe, expect, it } from 'vitest';
import { fmtUsd } from '../../../dashboard/src/lib/format';

describe('fmtUsd', () => {
  it('two decimals from $1, three significant digits below', () => {
    expect(fmtUsd(1234.5)).toBe('$1,234.50');
    expect(fmtUsd(1)).toBe('$1.00');
    expect(fmtUsd(0.5)).toBe('$0.500');
    expect(fmtUsd(0.0742)).toBe('$0.0742');
    expect(fmtUsd(0.00044)).toBe('$0.000440');
    expect(fmtUsd(0.0001468)).toBe('$0.000147');
    expect(fmtUsd(0.000000012)).toBe('$0.0000000120');
    expect(fmtUsd(-0.0742)).toBe('-$0.0742');
  });
  it('zero, missing and non-finite', () => {
    expect(fmtUsd(0)).toBe('$0.00');
    expect(fmtUsd(null)).toBe('—');
    expect(fmtUsd(undefined)).toBe('—');
    expect(fmtUsd(Number.NaN)).toBe('—');
  });
});
