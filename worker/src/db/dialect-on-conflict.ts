/**
 * The Dialect parts SQLite and PostgreSQL share: INSERT/UPDATE/DELETE … RETURNING,
 * INSERT … ON CONFLICT (…) DO UPDATE / DO NOTHING, and integer division of integers. Each of
 * them adds its own `atomic`, error recognition and insert chunk size.
 */
import { eq, sql, type Column, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db, Dialect, IdTable, Query, Tables, Values } from './dialect';

export type OnConflictParts = Omit<Dialect, 'atomic' | 'isUniqueViolation' | 'maxBoundValues'>;

/** `db` and `tables` are the dialect's own, cast to the reference types (see dialect.ts). */
export function onConflictParts(db: Db, tables: Tables): OnConflictParts {
  return {
    db,
    tables,
    async insertRow<R>(table: IdTable, values: Values) {
      const rows = await db.insert(table).values(values as never).returning();
      return rows[0] as R;
    },
    async updateRow<R>(table: IdTable, id: number, set: Values) {
      const rows = await db.update(table).set(set as never).where(eq(table.id, id)).returning();
      return rows[0] as R | undefined;
    },
    async deleteWhere(table: SQLiteTable, where: SQL | undefined) {
      const rows = await db.delete(table).where(where).returning({ one: sql<number>`1` });
      return rows.length;
    },
    upsert: (q, table, values, target, set): Query =>
      q.insert(table).values(values as never).onConflictDoUpdate({ target: target as never, set: set as never }),
    insertIgnore: (q, table, values, target): Query =>
      q.insert(table).values(values as never).onConflictDoNothing({ target: target as never }),
    async countLoginAttempt(key, now, windowMs) {
      const a = tables.authThrottle;
      const stale = sql`${a.windowStart} <= ${now - windowMs}`;
      // ON CONFLICT … DO UPDATE reads and writes the row under its lock: parallel attempts queue up.
      const rows = await db.insert(a).values({ key, failures: 1, windowStart: now, lockedUntil: 0 })
        .onConflictDoUpdate({
          target: a.key,
          set: {
            failures: sql`CASE WHEN ${stale} THEN 1 ELSE ${a.failures} + 1 END`,
            windowStart: sql`CASE WHEN ${stale} THEN ${now} ELSE ${a.windowStart} END`,
          },
        })
        .returning({ attempts: a.failures, windowStart: a.windowStart });
      const row = rows[0]!;
      return { attempts: Number(row.attempts), windowStart: Number(row.windowStart) };
    },
    dayStart: (column: Column) => sql<number>`(${column} / 86400000) * 86400000`,
  };
}
