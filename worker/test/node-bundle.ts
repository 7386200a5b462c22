/**
 * globalSetup of the Node test projects: builds the Node gateway bundle once per run, as
 * `npm run build:node` does (scripts/build-node.mjs, the bundle the Dockerfile ships), into
 * `.test-artifacts/node-bundle/<project>/`, and hands its entry file to the tests as
 * `inject('nodeBundle')` (worker/test/node/process.ts starts child gateways from it).
 *
 * Why: a child started through tsx transpiles main.ts and its imports at every start, 10–13 s on
 * the busy 2-core machine against 3–4 s for the bundle (measured Dec 2026), and the process tests
 * (journal-kill, db-outage, shutdown, file-modes) start about thirty children per run. The tsx
 * path itself (`npm run start:node`) keeps its own test: node/stop-signal.test.ts.
 * @throws when the build fails (its output in the message): every process test would fail anyway.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the bundled Node gateway's entry (server.mjs), built for this run. */
    nodeBundle: string;
  }
}

const root = resolve(import.meta.dirname, '../..');

export default function setup(project: TestProject) {
  // One folder per project: the node and node-alone projects set up at once would race on one.
  const outdir = join(root, '.test-artifacts', 'node-bundle', project.name);
  rmSync(outdir, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [join(root, 'scripts/build-node.mjs'), '--outdir', outdir], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`the Node bundle did not build:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  project.provide('nodeBundle', join(outdir, 'server.mjs'));
  return () => rmSync(outdir, { recursive: true, force: true });
}
