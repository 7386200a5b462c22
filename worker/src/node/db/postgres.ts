/** PostgreSQL for the Node mode: a postgres.js pool under the PostgreSQL schema and store. */
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { PgStore } from '../../db/pg-store';
import * as schema from '../../db/schema.pg';
import type { OpenedDatabase } from './opened';

/** Seconds to wait for a connection. */
const CONNECT_TIMEOUT_S = 5;
/** Longest a statement may run, ms (PostgreSQL `statement_timeout`; past it SQLSTATE 57014 → 503). */
export const STATEMENT_TIMEOUT_MS = 5_000;
/** Longest a statement waits for a lock, ms (`lock_timeout`; past it SQLSTATE 55P03 → 503). */
const LOCK_TIMEOUT_MS = 3_000;

/**
 * Connects a pool to `url` (`postgres://user:pass@host:5432/db`; the database must exist),
 * applies the migrations in `migrationsDir` (drizzle keeps its journal in the `drizzle` schema)
 * and returns the store.
 * @throws when the server cannot be reached or a migration fails (the pool is closed again).
 */
export async function openPostgres(url: string, migrationsDir: string): Promise<OpenedDatabase> {
  // Notices ("schema drizzle already exists, skipping") are not news.
  const client = postgres(url, {
    max: 10,
    onnotice: () => {},
    // A dead or blackholed server fails a request in seconds (503), not after the 30 s default.
    connect_timeout: CONNECT_TIMEOUT_S,
    // Sent in the startup message: no statement runs, and no lock is awaited, longer than this.
    connection: { statement_timeout: STATEMENT_TIMEOUT_MS, lock_timeout: LOCK_TIMEOUT_MS },
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.end({ timeout: 5 });
  };
  try {
    const db = drizzle({ client, schema });
    await migrate(db, { migrationsFolder: migrationsDir });
    return { store: new PgStore(db), close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
