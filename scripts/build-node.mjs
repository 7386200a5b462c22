#!/usr/bin/env node
// `npm run build:node`: bundles the Node mode (worker/src/node/main.ts) into dist/node/server.mjs,
// run with plain `node dist/node/server.mjs`. Database drivers stay external (better-sqlite3 is a
// native addon; mysql2 and postgres are loaded only when chosen), so node_modules must hold them.
// The server finds migrations/ and dashboard/build/ by walking up from dist/node/.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
  entryPoints: [join(root, 'worker/src/node/main.ts')],
  outfile: join(root, 'dist/node/server.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'mysql2', 'mysql2/*', 'postgres', 'pg', 'pg-native'],
  // Bundled CommonJS dependencies may call require(): give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`dist/node/server.mjs: ${(bytes / 1024).toFixed(0)} KiB`);
