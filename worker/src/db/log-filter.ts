/**
 * The WHERE clause of a request-log search (Store.listLogs), portable across SQLite (D1 and
 * better-sqlite3), MySQL and PostgreSQL: only `=`, ranges, `LOWER(..) LIKE .. ESCAPE` and `OR`.
 * Every query keeps `ORDER BY time DESC, id DESC LIMIT n`, so the time index drives the scan and the
 * non-indexed conditions (text, attempt channels) only filter rows walked in time order.
 */
import { and, eq, gte, isNotNull, lt, or, sql, type Column, type SQL } from 'drizzle-orm';
import type * as t from './schema.sqlite';
import type { LogFilter } from './store';
import type { RequestRecord } from '../accounting/records';

/**
 * The LIKE escape character. `!` rather than a backslash: a backslash inside a MySQL string literal
 * is itself an escape (unless NO_BACKSLASH_ESCAPES), so `ESCAPE '\'` is not portable.
 */
const LIKE_ESCAPE = '!';

/** `text` as a LIKE pattern matching it anywhere, its `%`, `_` and `!` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c)}%`;
}

/** The `attempt_channels` value of a request: its attempts' channel ids as `,3,7,` (null when none). */
export function attemptChannelsOf(channelIds: number[]): string | null {
  const ids = [...new Set(channelIds.filter((id) => Number.isInteger(id) && id > 0))];
  return ids.length ? `,${ids.join(',')},` : null;
}

/** Case-insensitive "column contains pattern" (LOWER on both sides: PostgreSQL's LIKE is case-sensitive). */
function containsCi(column: Column, pattern: string): SQL {
  return sql`lower(${column}) like ${pattern.toLowerCase()} escape '!'`;
}

type LogTable = typeof t.requestLogs;

/** The conditions of `f` on the request-log table `l` (of any dialect: same column names). */
export function logConditions(l: LogTable, f: LogFilter): SQL[] {
  const where: SQL[] = [];
  if (f.groupName !== undefined) where.push(eq(l.groupName, f.groupName));
  if (f.apiKeyId !== undefined) where.push(eq(l.apiKeyId, f.apiKeyId));
  if (f.channelId !== undefined) {
    // Rows from before attempt_channels existed still match on their final channel.
    where.push(or(eq(l.channelId, f.channelId), sql`${l.attemptChannels} like ${`%,${f.channelId},%`}`)!);
  }
  if (f.statuses?.length) {
    where.push(or(...f.statuses.map((s) => (s.min === s.max ? eq(l.status, s.min) : and(gte(l.status, s.min), lt(l.status, s.max + 1))!)))!);
  }
  if (f.errorsOnly) where.push(or(lt(l.status, 200), gte(l.status, 300), isNotNull(l.error))!);
  if (f.from !== undefined) where.push(gte(l.time, f.from));
  if (f.to !== undefined) where.push(lt(l.time, f.to));
  if (f.text !== undefined && f.text !== '') {
    const p = containsPattern(f.text);
    where.push(or(eq(l.id, f.text), containsCi(l.groupName, p), containsCi(l.upstreamModel, p), containsCi(l.error, p))!);
  }
  return where;
}

/** Keyset paging after the row (before, beforeId) in `time DESC, id DESC` order, or older than `before`. */
export function pageCondition(l: LogTable, before: number | undefined, beforeId: string | undefined): SQL | undefined {
  if (before === undefined) return undefined;
  if (beforeId === undefined) return lt(l.time, before);
  return or(lt(l.time, before), and(eq(l.time, before), lt(l.id, beforeId)))!;
}


/**
 * Whether record `r` passes filter `f`, in memory: the same test `logConditions` makes in SQL (for
 * records not yet in the database, the admin live tail's). Text: the id exactly, or a
 * case-insensitive substring of the group name, upstream model or error.
 */
export function recordMatches(r: RequestRecord, f: LogFilter): boolean {
  if (f.groupName !== undefined && r.groupName !== f.groupName) return false;
  if (f.apiKeyId !== undefined && r.apiKeyId !== f.apiKeyId) return false;
  if (f.channelId !== undefined && r.channelId !== f.channelId && !r.attempts.some((a) => a.channelId === f.channelId)) return false;
  if (f.statuses?.length && !f.statuses.some((s) => r.status >= s.min && r.status <= s.max)) return false;
  if (f.errorsOnly && r.status >= 200 && r.status < 300 && r.error == null) return false;
  if (f.from !== undefined && r.time < f.from) return false;
  if (f.to !== undefined && r.time >= f.to) return false;
  if (f.text !== undefined && f.text !== '') {
    const t = f.text.toLowerCase();
    const has = (v: string | null) => v != null && v.toLowerCase().includes(t);
    if (r.id !== f.text && !has(r.groupName) && !has(r.upstreamModel) && !has(r.error)) return false;
  }
  return true;
}
