#!/usr/bin/env node
// `npm run build:node`: bundles the Node mode (worker/src/node/main.ts) into dist/node/server.mjs (+ chunks/),
// run with plain `node dist/node/server.mjs`. Database drivers stay external (better-sqlite3 is a
// native addon; mysql2 and postgres are loaded only when chosen), so node_modules must hold them.
// The server finds migrations/ and dashboard/build/ by walking up from dist/node/.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
  entryPoints: [join(root, 'worker/src/node/main.ts')],
  // Split: the drivers' glue (node/db/*.ts) stays in chunks loaded only for the chosen database.
  outdir: join(root, 'dist/node'),
  entryNames: 'server',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
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
const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
const total = outputs.reduce((n, [, o]) => n + o.bytes, 0);
console.log(`dist/node/server.mjs and ${outputs.length - 1} chunks: ${(total / 1024).toFixed(0)} KiB`);
