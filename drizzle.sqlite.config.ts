import { defineConfig } from 'drizzle-kit';

/** SQLite migrations: applied by `wrangler d1 migrations apply` (D1) and by the Node entry (better-sqlite3). */
export default defineConfig({
  dialect: 'sqlite',
  schema: './worker/src/db/schema.sqlite.ts',
  out: './migrations/sqlite',
});
