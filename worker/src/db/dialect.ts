/**
 * What differs between SQL dialects, as SqlStore (sql-store.ts) needs it. Everything else (selects,
 * plain inserts, updates and deletes, filters, ordering, grouping) is written once in SqlStore.
 *
 * Typing: SqlStore is typed against the SQLite schema and query builder, the reference dialect.
 * MySQL and PostgreSQL hand it their own db and tables cast to those types: their builders share
 * that API for select/insert/update/delete, and their rows have the same shapes (checked at
 * compile time in their modules). What they do NOT share must go through this interface:
 * `.returning()`, `onConflict*`/`onDuplicateKeyUpdate`, affected-row counts, transactions,
 * integer division, error codes. The store conformance suite runs every method on all three.
 */
import type { Column, SQL } from 'drizzle-orm';
import type { BaseSQLiteDatabase, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema.sqlite';

/** The reference schema's table objects (each dialect's have the same names and columns). */
export type Tables = typeof schema;
/** The reference query builder. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = BaseSQLiteDatabase<'async' | 'sync', any, Tables>;
/** Tables with an auto-numbered integer `id` primary key. */
export type IdTable = Tables['channels'] | Tables['groups'] | Tables['apiKeys'];
/** A built drizzle query not yet run (awaiting it runs it). */
export type Query = unknown;
/** Column values of one row, as for `insert().values()` / `update().set()`. */
export type Values = object;

export interface Dialect {
  readonly db: Db;
  readonly tables: Tables;
  /** Most values one statement may bind (D1: 100; see db/chunk.ts); multi-row INSERTs are split to fit. */
  readonly maxBoundValues: number;
  /** Inserts one row into an IdTable and returns the row as stored (ids and defaults filled in). */
  insertRow<R>(table: IdTable, values: Values): Promise<R>;
  /** Updates the IdTable row `id`; returns it as stored afterwards, or undefined when there is none. */
  updateRow<R>(table: IdTable, id: number, set: Values): Promise<R | undefined>;
  /** Deletes the rows of `table` matching `where` (all without it); returns how many there were. */
  deleteWhere(table: SQLiteTable, where: SQL | undefined): Promise<number>;
  /**
   * An INSERT of `values` that, when a row with the same key exists (`target`: its primary key or
   * unique columns), applies `set` to it instead. `set` expressions see the existing row's values.
   */
  upsert(db: Db, table: SQLiteTable, values: Values, target: Column[], set: Values): Query;
  /** An INSERT of `values` that leaves an existing row with the same key (`target`) unchanged. */
  insertIgnore(db: Db, table: SQLiteTable, values: Values, target: Column[]): Query;
  /**
   * Optional: the request-log inserts of a flush (rows from rows.ts toLogRow; a row whose id exists
   * is left alone), for `atomic`. Without it SqlStore builds multi-row `insertIgnore`s.
   */
  logInserts?(db: Db, rows: Values[]): Query[];
  /**
   * Runs the queries that `build` makes on the db handle it is given (the db itself or a
   * transaction) as one all-or-nothing unit. @throws what the failing query threw; nothing is kept.
   */
  atomic(build: (db: Db) => Query[]): Promise<void>;
  /**
   * Optional: queries, run at the end of an atomic unit, that move auto-numbering past rows inserted
   * with explicit ids (PostgreSQL identity sequences do not; SQLite and MySQL do it themselves).
   */
  resyncIds?(db: Db): Query[];
  /** Store.countLoginAttempt: one atomic statement per attempt (see store.ts). */
  countLoginAttempt(key: string, now: number, windowMs: number): Promise<{ attempts: number; windowStart: number }>;
  /** The start (ms) of the UTC day containing the ms time in `column`, as an integer expression. */
  dayStart(column: Column): SQL<number>;
  /** Whether `err` (possibly a drizzle error wrapping the driver's) is a unique or primary key violation. */
  isUniqueViolation(err: unknown): boolean;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * `true` when every table of a dialect's schema `S` yields rows of exactly the reference
 * (SQLite) row shapes that rows.ts maps, else `never`: `const ok: RowShapesMatch<typeof s> = true`
 * is a compile-time check.
 */
export type RowShapesMatch<S extends { [K in keyof Tables]: { $inferSelect: unknown } }> =
  false extends { [K in keyof Tables]: Same<S[K]['$inferSelect'], Tables[K]['$inferSelect']> }[keyof Tables] ? never : true;

/** The driver error under drizzle's DrizzleQueryError wrapper (or `err` itself). */
export function driverError(err: unknown): { code?: unknown; errno?: unknown; message?: unknown } {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return (cause && typeof cause === 'object' ? cause : err ?? {}) as { code?: unknown; errno?: unknown; message?: unknown };
}
