import { defineConfig } from 'drizzle-kit';

/** MySQL/MariaDB migrations: applied by the Node entry on start (drizzle's migrator, worker/src/node/database.ts). */
export default defineConfig({
  dialect: 'mysql',
  schema: './worker/src/db/schema.mysql.ts',
  out: './migrations/mysql',
});
