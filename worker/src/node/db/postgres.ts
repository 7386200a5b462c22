/** Postgres for the Node mode (being built: the SQLite branch comes first). */
import type { OpenedDatabase } from './opened';

/** @throws always, until the Postgres store lands. */
export async function openPostgres(_url: string, _migrationsDir: string): Promise<OpenedDatabase> {
  throw new Error('postgres is not supported yet');
}
