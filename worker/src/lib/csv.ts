/**
 * CSV text per RFC 4180: fields separated by commas, records by CRLF; a field containing a comma,
 * a double quote, CR or LF is enclosed in double quotes with its quotes doubled (RFC 4180 §2.6-2.7).
 *
 * Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
 * CR: OWASP "CSV Injection") get a leading `'`: log cells hold what clients and upstreams wrote (a
 * model name, an error message), and an admin opening the export must not run their formulas.
 * Numbers are written as they are (a negative number is data, not a formula).
 */

/** A cell: null and undefined are empty; numbers and booleans as JavaScript prints them. */
export type CsvCell = string | number | boolean | null | undefined;

/** One field, quoted only when RFC 4180 requires it. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record with its CRLF line break. */
export function csvRecord(cells: readonly CsvCell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}
