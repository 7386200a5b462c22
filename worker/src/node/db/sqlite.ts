/**
 * SQLite for the Node mode: better-sqlite3 (synchronous, in-process) under the same drizzle schema,
 * migrations and store as D1. Atomic units run in a better-sqlite3 transaction on the one connection.
 */
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../../db/schema.sqlite';
import { BETTER_SQLITE3_MAX_BOUND_VALUES, SqliteStore } from '../../db/sqlite-store';
import type { OpenedDatabase } from './opened';
import { privateDatabaseFiles, type ModeNote } from '../private-files';

/**
 * How long a statement waits for another process's lock, ms. better-sqlite3 is synchronous: the
 * wait blocks the event loop, so it is kept short; a flush that meets a lock fails and is retried
 * later (its records stay buffered), an admin write answers 503.
 */
const BUSY_TIMEOUT_MS = 250;

/**
 * Opens (creating it and its parent folder when missing) the SQLite file at `path`, applies the
 * migrations in `migrationsDir`, and returns the store. WAL journal, foreign keys on (group members
 * cascade with their channel), a short busy timeout for a second process holding a lock. The file,
 * its WAL/SHM and its folder are made owner-only first (private-files.ts); `onModeNotes` hears
 * what was tightened or could not be.
 * @throws when the file cannot be opened or a migration fails.
 */
export async function openSqlite(path: string, migrationsDir: string, onModeNotes?: (notes: ModeNote[]) => void): Promise<OpenedDatabase> {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') {
    const notes = privateDatabaseFiles(file);
    if (notes.length > 0) onModeNotes?.(notes);
  }
  const sqlite = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // WAL makes NORMAL durable against process crashes; only an OS crash can lose the last commits.
    sqlite.pragma('synchronous = NORMAL');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: migrationsDir });
    const store = new SqliteStore(db, async (queries) => {
      // Queries were built on `db`; better-sqlite3 has one connection, so BEGIN..COMMIT covers them.
      sqlite.transaction(() => {
        for (const q of queries) q.run();
      })();
    }, Date.now, { maxBoundValues: BETTER_SQLITE3_MAX_BOUND_VALUES, preparedLogInserts: true });
    return {
      store,
      close: async () => {
        if (sqlite.open) sqlite.close();
      },
    };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
