/** CSV cells (worker/src/lib/csv.ts): RFC 4180 quoting, and no formula a spreadsheet would run. */
import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '../../src/lib/csv';

describe('csv', () => {
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvRecord(['x', 1, true, undefined])).toBe('x,1,true,\r\n');
  });
  it('defuses text that a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvField('+1+1')).toBe("'+1+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    // Numbers stay numbers.
    expect(csvField(-5)).toBe('-5');
    expect(csvField('model-a')).toBe('model-a');
  });
});
