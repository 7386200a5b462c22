/** MySQL/MariaDB for the Node mode: a mysql2 connection pool under the MySQL schema and store. */
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import mysql from 'mysql2/promise';
import { MysqlStore } from '../../db/mysql-store';
import * as schema from '../../db/schema.mysql';
import type { OpenedDatabase } from './opened';

/** Longest wait for a connection, ms. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Longest a statement may run, ms; past it the query fails (ER_STATEMENT_TIMEOUT) → 503. */
const STATEMENT_TIMEOUT_MS = 5_000;
/** Longest wait for a row or table lock, s (`innodb_lock_wait_timeout`, default 50; `lock_wait_timeout`). */
const LOCK_WAIT_TIMEOUT_S = 3;

/**
 * Connects a pool to `url` (`mysql://user:pass@host:3306/db`; the database must exist and should
 * default to utf8mb4), applies the migrations in `migrationsDir` and returns the store.
 * @throws when the server cannot be reached or a migration fails (the pool is closed again).
 */
export async function openMysql(url: string, migrationsDir: string): Promise<OpenedDatabase> {
  const pool = mysql.createPool({ uri: url, connectionLimit: 10, supportBigNumbers: true, connectTimeout: CONNECT_TIMEOUT_MS });
  // Every new connection gets bounded lock waits and statement times before its first use (a
  // connection runs its commands in order). MariaDB names the limit max_statement_time (seconds),
  // MySQL max_execution_time (ms, SELECT only); the one the server lacks fails harmlessly.
  pool.pool.on('connection', (conn) => {
    const ignore = () => {};
    conn.query(`SET SESSION innodb_lock_wait_timeout = ${LOCK_WAIT_TIMEOUT_S}`, ignore);
    // Table and metadata locks (LOCK TABLES, DDL) wait lock_wait_timeout: a year by default.
    conn.query(`SET SESSION lock_wait_timeout = ${LOCK_WAIT_TIMEOUT_S}`, ignore);
    conn.query(`SET SESSION max_statement_time = ${STATEMENT_TIMEOUT_MS / 1000}`, ignore);
    conn.query(`SET SESSION max_execution_time = ${STATEMENT_TIMEOUT_MS}`, ignore);
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await pool.end();
  };
  try {
    const db = drizzle({ client: pool, schema, mode: 'default' });
    await migrate(db, { migrationsFolder: migrationsDir });
    return { store: new MysqlStore(db), close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
