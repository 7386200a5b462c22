/**
 * Store over the SQLite schema, shared by D1 (edge) and better-sqlite3 (Node): SqlStore with the
 * SQLite dialect. The one difference between the two drivers is how several writes become atomic:
 * D1 has `batch`, better-sqlite3 has transactions; the caller passes the right `atomic` function.
 */
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

/** The SQLite dialect for SqlStore: the ON CONFLICT family's parts, with `atomic` from the caller. */
export function sqliteDialect(db: SqliteDb, atomic: AtomicRunner, maxBoundValues = D1_MAX_BOUND_VALUES): Dialect {
  return {
    ...onConflictParts(db, t),
    maxBoundValues,
    atomic: (build) => atomic(build(db) as unknown[]),
    isUniqueViolation: (err) => /UNIQUE constraint failed/i.test(`${String(driverError(err).message ?? '')} ${String(err)}`),
  };
}

export class SqliteStore extends SqlStore {
  /** @param maxBoundValues bound values one statement may carry (default: D1's 100). */
  constructor(db: SqliteDb, atomic: AtomicRunner, now: () => number = Date.now, maxBoundValues = D1_MAX_BOUND_VALUES) {
    super(sqliteDialect(db, atomic, maxBoundValues), now);
  }
}
