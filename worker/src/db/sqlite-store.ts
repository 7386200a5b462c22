/**
 * Store over the SQLite schema, shared by D1 (edge) and better-sqlite3 (Node): SqlStore with the
 * SQLite dialect. The one difference between the two drivers is how several writes become atomic:
 * D1 has `batch`, better-sqlite3 has transactions; the caller passes the right `atomic` function.
 */
import { sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { driverError, type Dialect } from './dialect';
import { onConflictParts } from './dialect-on-conflict';
import * as t from './schema.sqlite';
import { SqlStore } from './sql-store';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SqliteDb = BaseSQLiteDatabase<'async' | 'sync', any, typeof t>;
/** Runs already-built drizzle queries (built on the store's db) as one atomic unit. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AtomicRunner = (queries: any[]) => Promise<void>;

/** D1 allows 100 bound values a statement (Cloudflare D1 "Limits"): the default, safe for both drivers. */
export const D1_MAX_BOUND_VALUES = 100;
/**
 * better-sqlite3's SQLite is built with SQLITE_MAX_VARIABLE_NUMBER 32,766 (SQLite "Limits", since
 * 3.32). Node passes it so a flush's log rows go out in one statement instead of one per 4 rows:
 * each statement is built by drizzle and prepared by SQLite on the (synchronous) event loop.
 */
export const BETTER_SQLITE3_MAX_BOUND_VALUES = 32_766;

/**
 * Request-log inserts through one prepared single-row statement (placeholders), for a synchronous
 * driver whose `atomic` runs queries by calling their `run()` (better-sqlite3). Building a 200-row
 * INSERT with drizzle on every flush cost ~25 µs of CPU a record (drizzle's query building was
 * ~70% of a flush in a profile), all of it blocking the event loop; a prepared statement is built
 * once and each row is a bind and a step in SQLite.
 */
function preparedLogInserts(db: SqliteDb): (q: unknown, rows: object[]) => unknown[] {
  let insert: { run(values: Record<string, unknown>): unknown } | undefined;
  return (_q, rows) => {
    if (rows.length === 0) return [];
    if (!insert) {
      const placeholders = Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, sql.placeholder(k)]));
      insert = db.insert(t.requestLogs).values(placeholders as never).onConflictDoNothing({ target: t.requestLogs.id }).prepare() as never;
    }
    const statement = insert!;
    return [{ run: () => { for (const row of rows) statement.run(row as Record<string, unknown>); } }];
  };
}

/** Options of the SQLite dialect. */
export interface SqliteDialectOptions {
  /** Bound values one statement may carry (default: D1's 100). */
  maxBoundValues?: number;
  /** The driver is better-sqlite3: log rows go through a prepared statement (see preparedLogInserts). */
  preparedLogInserts?: boolean;
}

/** The SQLite dialect for SqlStore: the ON CONFLICT family's parts, with `atomic` from the caller. */
export function sqliteDialect(db: SqliteDb, atomic: AtomicRunner, opts: SqliteDialectOptions = {}): Dialect {
  const maxBoundValues = opts.maxBoundValues ?? D1_MAX_BOUND_VALUES;
  return {
    ...onConflictParts(db, t),
    ...(opts.preparedLogInserts && { logInserts: preparedLogInserts(db) }),
    maxBoundValues,
    atomic: (build) => atomic(build(db) as unknown[]),
    isUniqueViolation: (err) => /UNIQUE constraint failed/i.test(`${String(driverError(err).message ?? '')} ${String(err)}`),
  };
}

export class SqliteStore extends SqlStore {
  constructor(db: SqliteDb, atomic: AtomicRunner, now: () => number = Date.now, opts: SqliteDialectOptions = {}) {
    super(sqliteDialect(db, atomic, opts), now);
  }
}
