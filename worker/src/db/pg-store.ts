/**
 * Store over PostgreSQL (postgres.js driver): SqlStore with the ON CONFLICT family's parts and a
 * real transaction for atomic units. BIGINT columns come back as numbers (drizzle's number mode);
 * SUM(bigint) is NUMERIC, which SqlStore converts.
 */
import { sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { driverError, type Db, type Dialect, type RowShapesMatch, type Tables } from './dialect';
import { onConflictParts } from './dialect-on-conflict';
import * as pg from './schema.pg';
import { SqlStore } from './sql-store';

export type PgDb = PostgresJsDatabase<typeof pg>;

/** Well under the 65,535 parameters one prepared statement can carry. */
const MAX_BOUND_VALUES = 30_000;

/** Compile-time check: PostgreSQL rows have the shapes the shared mapping (rows.ts) expects. */
const rowsMatch: RowShapesMatch<typeof pg> = true;
void rowsMatch;

/** Tables whose identity `id` an import may set explicitly (names are constants, never input). */
const ID_TABLES = ['channels', 'groups', 'group_members', 'api_keys'] as const;

/** PostgreSQL's code for unique_violation. */
const UNIQUE_VIOLATION = '23505';

export function pgDialect(db: PgDb): Dialect {
  return {
    ...onConflictParts(db as unknown as Db, pg as unknown as Tables),
    maxBoundValues: MAX_BOUND_VALUES,
    atomic: (build) => db.transaction(async (tx) => {
      for (const q of build(tx as unknown as Db)) await q;
    }),
    isUniqueViolation: (err) => driverError(err).code === UNIQUE_VIOLATION,
    // setval(seq, max, is_called): the next value is max + 1, or 1 on an empty table.
    resyncIds: (q) => ID_TABLES.map((table) => (q as unknown as PgDb).execute(sql.raw(
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT MAX(id) FROM ${table}), 1), (SELECT MAX(id) FROM ${table}) IS NOT NULL)`,
    ))),
  };
}

export class PgStore extends SqlStore {
  constructor(db: PgDb, now: () => number = Date.now) {
    super(pgDialect(db), now);
  }
}
