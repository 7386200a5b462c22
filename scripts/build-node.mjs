#!/usr/bin/env node
// `npm run build:node`: bundles the Node mode (worker/src/node/main.ts) into dist/node/server.mjs (+ chunks/),
// run with plain `node dist/node/server.mjs`. Database drivers stay external (better-sqlite3 is a
// native addon; mysql2 and postgres are loaded only when chosen), so node_modules must hold them.
// The server finds migrations/ and dashboard/build/ by walking up from dist/node/.
import { build } from 'esbuild';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir <folder>` builds elsewhere (the tests' one build per run, worker/test/node-bundle.ts);
// the folder must be inside the repository, for the walk up to migrations/ and dashboard/build/.
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = values.outdir ? resolve(values.outdir) : join(root, 'dist/node');
const result = await build({
  entryPoints: [join(root, 'worker/src/node/main.ts')],
  // Split: the drivers' glue (node/db/*.ts) stays in chunks loaded only for the chosen database.
  outdir,
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
console.log(`${relative(root, outdir)}/server.mjs and ${outputs.length - 1} chunks: ${(total / 1024).toFixed(0)} KiB`);
