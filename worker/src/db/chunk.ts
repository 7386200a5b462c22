/**
 * Splitting multi-row INSERTs so no statement binds more values than the driver allows
 * (D1: 100 bound parameters a statement — Cloudflare D1 "Limits"; SQLite's own default is 32,766;
 * PostgreSQL's wire protocol carries at most 65,535; MySQL prepared statements the same).
 */

/**
 * Rows of `rows` grouped so each group binds at most `maxBoundValues` values, counting one value per
 * key of the widest row. Never returns an empty group; an empty input gives no groups.
 * @throws RangeError when one row alone has more values than allowed.
 */
export function chunkRows<T extends object>(rows: readonly T[], maxBoundValues: number): T[][] {
  if (rows.length === 0) return [];
  const width = Math.max(1, ...rows.map((r) => Object.keys(r).length));
  if (width > maxBoundValues) throw new RangeError(`a row of ${width} values exceeds the ${maxBoundValues} bound values a statement may carry`);
  const per = Math.floor(maxBoundValues / width);
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += per) out.push(rows.slice(i, i + per));
  return out;
}
