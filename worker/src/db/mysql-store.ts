/**
 * Store over MySQL/MariaDB (mysql2 driver): SqlStore with the dialect parts MySQL does its own way:
 * no RETURNING (ids from the insert result, rows read back), ON DUPLICATE KEY UPDATE, affected-row
 * counts, `DIV` for integer division, transactions for atomic units.
 */
import { eq, getTableColumns, sql, type Column, type SQL } from 'drizzle-orm';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import { driverError, type Db, type Dialect, type IdTable, type Query, type RowShapesMatch, type Tables, type Values } from './dialect';
import * as my from './schema.mysql';
import { SqlStore } from './sql-store';

export type MysqlDb = MySql2Database<typeof my>;

/** Well under the 65,535 parameters one prepared statement can carry. */
const MAX_BOUND_VALUES = 30_000;

/** Compile-time check: MySQL rows have the shapes the shared mapping (rows.ts) expects. */
const rowsMatch: RowShapesMatch<typeof my> = true;
void rowsMatch;

/** MySQL's error number for a duplicate key (ER_DUP_ENTRY). */
const ER_DUP_ENTRY = 1062;

/** What mysql2 reports for an INSERT/UPDATE/DELETE. */
interface ResultHeader {
  affectedRows: number;
  insertId: number;
}

/** The MySQL table behind a reference-typed one (SqlStore passes this dialect's own tables). */
const own = (table: unknown) => table as typeof my.channels;

export function mysqlDialect(db: MysqlDb): Dialect {
  const header = async (q: PromiseLike<unknown>) => ((await q) as [ResultHeader])[0];
  const readRow = async <R>(table: IdTable, id: number) => {
    const rows = await db.select().from(own(table)).where(eq(own(table).id, id));
    return rows[0] as R | undefined;
  };
  return {
    db: db as unknown as Db,
    tables: my as unknown as Tables,
    maxBoundValues: MAX_BOUND_VALUES,
    async insertRow<R>(table: IdTable, values: Values) {
      const { insertId } = await header(db.insert(own(table)).values(values as never));
      return (await readRow<R>(table, insertId))!;
    },
    async updateRow<R>(table: IdTable, id: number, set: Values) {
      await db.update(own(table)).set(set as never).where(eq(own(table).id, id));
      return readRow<R>(table, id);
    },
    async deleteWhere(table, where: SQL | undefined) {
      return (await header(db.delete(table as unknown as MySqlTable).where(where))).affectedRows;
    },
    upsert: (q, table, values, _target, set): Query =>
      (q as unknown as MysqlDb).insert(table as unknown as MySqlTable).values(values as never).onDuplicateKeyUpdate({ set: set as never }),
    insertIgnore(q, table, values, target): Query {
      // A no-op update (key = key), not INSERT IGNORE, which would also swallow other errors.
      const name = Object.entries(getTableColumns(table)).find(([, c]) => c === target[0])![0];
      return (q as unknown as MysqlDb).insert(table as unknown as MySqlTable).values(values as never)
        .onDuplicateKeyUpdate({ set: { [name]: sql`${target[0]}` } as never });
    },
    atomic: (build) => db.transaction(async (tx) => {
      for (const q of build(tx as unknown as Db)) await q;
    }),
    async countLoginAttempt(key, now, windowMs) {
      const a = my.authThrottle;
      const stale = sql`${a.windowStart} <= ${now - windowMs}`;
      // One statement under the row lock. MySQL applies SET assignments left to right, each seeing
      // the ones before it: `failures` goes first, while `window_start` still holds the old window.
      // LAST_INSERT_ID(expr) hands the new count back in the statement's own result.
      const res = await header(db.insert(a).values({ key, failures: 1, windowStart: now, lockedUntil: 0 }).onDuplicateKeyUpdate({
        set: {
          failures: sql`LAST_INSERT_ID(CASE WHEN ${stale} THEN 1 ELSE ${a.failures} + 1 END)`,
          windowStart: sql`CASE WHEN ${stale} THEN ${now} ELSE ${a.windowStart} END`,
        },
      }));
      // 1 affected row: a new row was inserted (LAST_INSERT_ID untouched); otherwise the update ran.
      const attempts = res.affectedRows === 1 ? 1 : Number(res.insertId);
      if (attempts === 1) return { attempts, windowStart: now };
      // Later attempts belong to a window that started before and stays until `windowMs` passes.
      const rows = await db.select({ windowStart: a.windowStart }).from(a).where(eq(a.key, key));
      return { attempts, windowStart: rows[0]?.windowStart ?? now };
    },
    dayStart: (column: Column) => sql<number>`(${column} DIV 86400000) * 86400000`,
    isUniqueViolation: (err) => {
      const e = driverError(err);
      return e.errno === ER_DUP_ENTRY || e.code === 'ER_DUP_ENTRY';
    },
  };
}

export class MysqlStore extends SqlStore {
  constructor(db: MysqlDb, now: () => number = Date.now) {
    super(mysqlDialect(db), now);
  }
}
