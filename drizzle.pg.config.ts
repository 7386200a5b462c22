import { defineConfig } from 'drizzle-kit';

/** PostgreSQL migrations: applied by the Node entry on start (drizzle's migrator, worker/src/node/database.ts). */
export default defineConfig({
  dialect: 'postgresql',
  schema: './worker/src/db/schema.pg.ts',
  out: './migrations/postgres',
});
