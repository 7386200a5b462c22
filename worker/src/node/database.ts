/**
 * Opens the Node mode's database: SQLite (better-sqlite3), MySQL/MariaDB (mysql2) or PostgreSQL
 * (postgres.js), applies that dialect's migrations, and returns the store. Each driver is loaded
 * only when chosen, so a SQLite install never touches mysql2 or postgres.
 */
import { fileURLToPath } from 'node:url';
import type { OpenedDatabase } from './db/opened';
import type { ModeNote } from './private-files';

export type { OpenedDatabase } from './db/opened';

export type DatabaseType = 'sqlite' | 'mysql' | 'postgres';

export interface DatabaseConfig {
  type: DatabaseType;
  /** SQLite: a file path (parent folders are created). MySQL/PostgreSQL: a connection URL. */
  path: string;
  /**
   * Folder holding this dialect's drizzle-kit migrations (with meta/_journal.json). Defaults to
   * `<project root>/migrations/<sqlite|mysql|postgres>`; a bundled build passes its own.
   */
  migrationsDir?: string;
  /** Told what file modes SQLite's files and folder got tightened from, or could not be (private-files.ts). */
  logger?: { info(msg: string, fields?: Record<string, unknown>): void; warn(msg: string, fields?: Record<string, unknown>): void };
}

/** Logs permission changes of data files: done at info, impossible at warn. */
export function logModeNotes(logger: DatabaseConfig['logger'], notes: ModeNote[]): void {
  for (const n of notes) {
    if (n.problem) logger?.warn('data file is readable by other users and could not be made private', { path: n.path, mode: n.from, wanted: n.to, problem: n.problem });
    else logger?.info('made data file private', { path: n.path, from: n.from, to: n.to });
  }
}

/** `<project root>/migrations/<dialect>`, found from this file's place in the source tree. */
export function defaultMigrationsDir(type: DatabaseType): string {
  return fileURLToPath(new URL(`../../../migrations/${type}`, import.meta.url));
}

/**
 * Connects, migrates and returns the store with a `close()` for shutdown.
 * @throws when the connection or a migration fails (the connection is closed again).
 */
export async function openDatabase(config: DatabaseConfig): Promise<OpenedDatabase> {
  const migrationsDir = config.migrationsDir ?? defaultMigrationsDir(config.type);
  switch (config.type) {
    case 'sqlite': {
      const { openSqlite } = await import('./db/sqlite');
      return openSqlite(config.path, migrationsDir, (notes) => logModeNotes(config.logger, notes));
    }
    case 'mysql': {
      const { openMysql } = await import('./db/mysql');
      return openMysql(config.path, migrationsDir);
    }
    case 'postgres': {
      const { openPostgres } = await import('./db/postgres');
      return openPostgres(config.path, migrationsDir);
    }
    default:
      throw new Error(`unknown database type: ${String((config as { type: unknown }).type)}`);
  }
}
