/**
 * One time rule for the whole dashboard: times show in the browser's time zone, the zone is named
 * where times are drawn, and UTC is on hover. Ranges and chart buckets follow the same zone: a
 * "day" is a local calendar day (23 or 25 hours across a DST change), built from the API's hourly
 * rows, since the API's `bucket=day` rows are UTC days.
 */

export const HOUR = 3_600_000;

/** The browser's IANA zone (`Europe/Berlin`), or `UTC` when the browser does not say. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** UTC offset at `ms` as `UTC+01:00`, `UTC−05:00`, `UTC+05:30`, or `UTC`. */
export function utcOffset(ms: number): string {
  const minutes = -new Date(ms).getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  return `UTC${minutes < 0 ? '−' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** "Europe/Berlin (UTC+01:00)": the label next to anything drawn in local time. */
export function zoneLabel(now = Date.now()): string {
  const zone = browserZone();
  const offset = utcOffset(now);
  return zone === 'UTC' || zone === 'Etc/UTC' ? 'UTC' : `${zone} (${offset})`;
}

/** ms since epoch → "2026-12-07 04:13:15 UTC" (hover text). */
export function fmtUtc(ms: number | null | undefined): string {
  if (!ms) return '';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Start of the local calendar day holding `ms` (local midnight), ms since epoch. */
export function localDayStart(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Start of the local day `n` days after the one starting at `dayStart` (n may be negative); DST-safe. */
export function addLocalDays(dayStart: number, n: number): number {
  const d = new Date(dayStart);
  d.setDate(d.getDate() + n);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * The hour (UTC hour boundary) holding `ms`: where the API's hourly rows start. Local midnight is an
 * hour boundary except in zones with a 30 or 45 minute offset, where a local day's rows start at
 * the UTC hour holding its midnight.
 */
export function hourFloor(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

/** The `days` local-day starts ending with today's, oldest first. */
export function lastLocalDays(days: number, now = Date.now()): number[] {
  const today = localDayStart(now);
  return Array.from({ length: days }, (_, i) => addLocalDays(today, i - (days - 1)));
}

/**
 * Sums hourly rows (`bucket` = the hour's start, ms) into the local days starting at `dayStarts`
 * (ascending), keyed like the rows (`key`). A row belongs to the day holding its hour's start
 * (with a 30/45-minute zone offset, the hour that straddles midnight goes to the day it starts in).
 * Rows before the first day are dropped. Numeric fields are added; `bucket` becomes the day start.
 */
export function sumIntoLocalDays<T extends { bucket: number; key: string }>(rows: T[], dayStarts: number[]): T[] {
  const out = new Map<string, T>();
  for (const row of rows) {
    let i = dayStarts.length - 1;
    while (i >= 0 && dayStarts[i]! > row.bucket) i--;
    if (i < 0) continue;
    const bucket = dayStarts[i]!;
    const id = `${bucket}\u0000${row.key}`;
    const acc = out.get(id);
    if (!acc) {
      out.set(id, { ...row, bucket });
      continue;
    }
    const sums = acc as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(row)) {
      if (k !== 'bucket' && typeof v === 'number') sums[k] = (typeof sums[k] === 'number' ? sums[k] : 0) + v;
    }
  }
  return [...out.values()].sort((a, b) => a.bucket - b.bucket || a.key.localeCompare(b.key));
}

/** `ms` as a `<input type="datetime-local">` value (`YYYY-MM-DDTHH:mm`) in the browser's zone; '' for none. */
export function toLocalInput(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A `datetime-local` value (browser zone) as ms since epoch; null when empty or invalid. */
export function fromLocalInput(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime(); // a date-time without an offset is local time (ECMAScript Date.parse)
  return Number.isFinite(ms) ? ms : null;
}
