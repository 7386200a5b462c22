/** MySQL/MariaDB for the Node mode: a mysql2 connection pool under the MySQL schema and store. */
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import mysql from 'mysql2/promise';
import { MysqlStore } from '../../db/mysql-store';
import * as schema from '../../db/schema.mysql';
import type { OpenedDatabase } from './opened';

/**
 * Connects a pool to `url` (`mysql://user:pass@host:3306/db`; the database must exist and should
 * default to utf8mb4), applies the migrations in `migrationsDir` and returns the store.
 * @throws when the server cannot be reached or a migration fails (the pool is closed again).
 */
export async function openMysql(url: string, migrationsDir: string): Promise<OpenedDatabase> {
  const pool = mysql.createPool({ uri: url, connectionLimit: 10, supportBigNumbers: true });
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
