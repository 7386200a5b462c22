#!/usr/bin/env node
/**
 * Builds the dashboard (dashboard/build) when it is missing or older than its sources, so
 * `npm start`, `npm run start:node` and the tests never serve a stale build, and skip the ~20 s
 * build when nothing changed. Usable as a module (`ensureDashboard(root)`) or a command.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Sources whose change makes the build stale: the app, its config, and the API schemas it imports. */
const SOURCES = [
  'dashboard/src', 'dashboard/static', 'dashboard/svelte.config.js', 'dashboard/vite.config.ts', 'dashboard/package.json',
  // The translations and their compiler's settings (src/lib/paraglide is generated from them).
  'dashboard/messages', 'dashboard/project.inlang', 'dashboard/paraglide.config.js',
  // What the dashboard imports through `$gateway` (grep "from '\$gateway/" dashboard/src) and what those import.
  'worker/src/admin/schemas.ts', 'worker/src/admin/patterns.ts', 'worker/src/settings.ts', 'worker/src/protocols/url.ts',
  'worker/src/db/types.ts', 'worker/src/lib', 'worker/src/routing', 'worker/src/accounting/records.ts',
  'worker/src/protocols/anthropic/channel.ts', 'worker/src/protocols/gemini/channel.ts',
  'worker/src/protocols/openai-chat/channel.ts', 'worker/src/protocols/openai-responses/channel.ts',
];

/**
 * Generated from dashboard/messages (a source above) by every paraglide compile, svelte-check's
 * included: counting it made a build look stale right after `test:all`'s svelte-check stage, and
 * two gateways of the vitest stage then rebuilt the dashboard at once (CI of 20:45: one build
 * removed the other's .svelte-kit output mid-build).
 */
const GENERATED = new Set([resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dashboard', 'src', 'lib', 'paraglide')]);

function newestMtime(path) {
  if (!existsSync(path) || GENERATED.has(resolve(path))) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  // Files only, not a folder's own mtime: a paraglide compile removes and re-creates its output
  // folder, which moves dashboard/src/lib's mtime (CI of 21:05: the vitest stage's gateways rebuilt).
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Whether dashboard/build must be (re)built. */
export function dashboardStale(root) {
  const index = join(root, 'dashboard', 'build', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => newestMtime(join(root, s)) > built);
}

/** Builds the dashboard when stale; exits the process with the build's status when it fails. */
export function ensureDashboard(root) {
  if (!dashboardStale(root)) return;
  const r = spawnSync('npm', ['run', 'build', '--workspace', 'dashboard'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureDashboard(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
}
