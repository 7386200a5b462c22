/**
 * CSV text per RFC 4180: fields separated by commas, records by CRLF; a field containing a comma,
 * a double quote, CR or LF is enclosed in double quotes with its quotes doubled (RFC 4180 §2.6-2.7).
 */

/** A cell: null and undefined are empty; numbers and booleans as JavaScript prints them. */
export type CsvCell = string | number | boolean | null | undefined;

/** One field, quoted only when RFC 4180 requires it. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record with its CRLF line break. */
export function csvRecord(cells: readonly CsvCell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}
