#!/usr/bin/env node
// Builds the dashboard. Default: adapter-static SPA in dashboard/build (served by the Worker's
// [assets] and by the Node mode). DASHBOARD_ADAPTER=cloudflare: a Pages build in .svelte-kit/cloudflare.
//
// Runs `vite build` from inside dashboard/ (kit reads svelte.config.js from the cwd), in its own
// process group: adapter-cloudflare leaves a workerd process running after the build, which would
// keep `npm run build` from ever exiting. The group is ended once vite has exited.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vite = join(dirname(createRequire(join(dir, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
const child = spawn(process.execPath, [vite, 'build'], { cwd: dir, stdio: 'inherit', detached: true });
const forward = (sig) => {
  try {
    process.kill(-child.pid, sig);
  } catch {}
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));
child.on('exit', (code, signal) => {
  forward('SIGKILL'); // whatever the build left behind in its group (workerd)
  // The precompressed copies are for the Node mode; a Worker deploy leaves them out (Cloudflare
  // compresses assets itself, and every file counts against the assets limit).
  if (code === 0 && process.env.DASHBOARD_ADAPTER !== 'cloudflare') writeFileSync(join(dir, 'build', '.assetsignore'), '*.br\n*.gz\n');
  process.exit(code ?? (signal ? 1 : 0));
});
