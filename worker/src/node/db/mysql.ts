/** Mysql for the Node mode (being built: the SQLite branch comes first). */
import type { OpenedDatabase } from './opened';

/** @throws always, until the Mysql store lands. */
export async function openMysql(_url: string, _migrationsDir: string): Promise<OpenedDatabase> {
  throw new Error('mysql is not supported yet');
}
