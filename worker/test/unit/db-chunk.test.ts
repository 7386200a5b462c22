import { describe, expect, it } from 'vitest';
import { chunkRows } from '../../src/db/chunk';

describe('chunkRows', () => {
  it('keeps every statement within the bound-value limit and every row in order', () => {
    const rows = Array.from({ length: 70 }, (_, i) => ({ a: i, b: 1, c: 2, d: 3, e: 4, f: 5 }));
    const chunks = chunkRows(rows, 100);
    for (const c of chunks) expect(c.length * 6).toBeLessThanOrEqual(100);
    expect(chunks.flat()).toEqual(rows);
    expect(chunks).toHaveLength(5); // 16 rows of 6 values a statement
  });

  it('gives no statement for no rows and refuses a row wider than the limit', () => {
    expect(chunkRows([], 100)).toEqual([]);
    expect(() => chunkRows([{ a: 1, b: 2, c: 3 }], 2)).toThrow(RangeError);
  });
});
