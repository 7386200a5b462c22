#!/usr/bin/env node
// `npm start`: runs the gateway and its dashboard locally on miniflare (wrangler dev).
//
// 1. Creates `.dev.vars` with a random ADMIN_PASSWORD and ENCRYPTION_KEY on first start, and prints
//    the password once (there is no default password). Another file can be named with --dev-vars.
// 2. Builds the dashboard if it has not been built.
// 3. Applies the D1 migrations to the local database.
// 4. Starts the Worker as `wrangler dev` would, but with the inspector off (dev-worker.mjs says why),
//    on a loopback port behind a small front proxy (dev-proxy.mjs) that owns http://localhost:8787
//    and hands the Worker the real client address (cron triggers testable at /__scheduled).
//
// Options: --port N (8787), --ip ADDR (localhost), --persist-to DIR (.wrangler/state), --dev-vars FILE (.dev.vars),
// --inspect (start the DevTools inspector too), --inspector-port N (its port; implies --inspect).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freeLoopbackPort, newDevProxySecret, startDevProxy, writeSecretEnvFile } from './dev-proxy.mjs';
import { startDevWorker } from './dev-worker.mjs';
import { ensureDashboard } from './ensure-dashboard.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    ip: { type: 'string', default: 'localhost' },
    'persist-to': { type: 'string', default: join(root, '.wrangler', 'state') },
    'dev-vars': { type: 'string', default: join(root, '.dev.vars') },
    inspect: { type: 'boolean', default: false },
    'inspector-port': { type: 'string' },
  },
});
const wrangler = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
// Local runs never report telemetry (and this machine may have no route to it anyway).
const childEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

/** Makes sure `file` holds both secrets; returns the admin password when this call generated it. */
function ensureDevVars(file) {
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    for (const name of ['ADMIN_PASSWORD', 'ENCRYPTION_KEY']) {
      if (!new RegExp(`^${name}=.+`, 'm').test(text)) {
        console.error(`${file} has no ${name}. Add a line ${name}=... or delete the file to have one made.`);
        process.exit(1);
      }
    }
    return undefined;
  }
  const password = randomBytes(12).toString('base64url');
  const encryptionKey = randomBytes(32).toString('base64url');
  writeFileSync(file, `# Local secrets for wrangler dev. Never commit this file.\nADMIN_PASSWORD=${password}\nENCRYPTION_KEY=${encryptionKey}\n`, { mode: 0o600 });
  return password;
}

/** The first start's password, printed once with the ready banner (the last lines on screen, after wrangler's). */
function passwordLines(file, password) {
  return `  First start: created ${file} with a random admin password.\n  Admin password: ${password}\n  (shown once; it stays in ${file} as ADMIN_PASSWORD)\n`;
}

function run(args) {
  const r = spawnSync(process.execPath, [wrangler, ...args], { cwd: root, stdio: 'inherit', env: { ...childEnv, CI: 'true' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const devVars = resolve(opts['dev-vars']);
const generatedPassword = ensureDevVars(devVars);
ensureDashboard(root);
run(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', opts['persist-to']]);

// The public port belongs to the front proxy (the only way in that sets the client address);
// wrangler listens on loopback only and believes the address only with this run's secret.
const secret = newDevProxySecret();
const secretVars = writeSecretEnvFile(secret);
const workerPort = await freeLoopbackPort();
let proxy;
try {
  proxy = await startDevProxy({ host: opts.ip, port: Number(opts.port), target: { host: '127.0.0.1', port: workerPort }, secret });
} catch (err) {
  secretVars.remove();
  console.error(`Cannot listen on ${opts.ip}:${opts.port}: ${err.message}`);
  process.exit(1);
}
const shown = opts.ip === '0.0.0.0' || opts.ip === '::' ? 'localhost' : opts.ip;
const banner = `\n  octopus-edge: gateway and dashboard at http://${shown.includes(':') ? `[${shown}]` : shown}:${proxy.port} (wrangler's own 127.0.0.1:${workerPort} is internal)\n`;
console.log(banner);
// Once more when the Worker answers, so the last lines on screen are the address to use (and, on
// the first start, the admin password), not wrangler's.
void (async () => {
  for (let i = 0; i < 600; i++) {
    await new Promise((ok) => setTimeout(ok, 500));
    // wrangler (in this process) logs every request, this probe's too, a moment after its answer:
    // wait for that line so the banner really comes last.
    const probeLogged = outputLine((text) => text.includes('/healthz'), 3_000);
    if (await fetch(`http://127.0.0.1:${workerPort}/healthz`).then((r) => r.ok, () => false)) {
      await probeLogged;
      return console.log(banner + (generatedPassword ? passwordLines(devVars, generatedPassword) : ''));
    }
  }
})();

/**
 * Resolves once this process writes output matching `match` (wrangler runs in-process and logs
 * through process.stdout/stderr), or after `timeoutMs`; the watch is removed either way.
 */
function outputLine(match, timeoutMs) {
  return new Promise((done) => {
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((st) => st.write);
    const finish = () => {
      clearTimeout(timer);
      streams.forEach((st, i) => { st.write = originals[i]; });
      done();
    };
    const timer = setTimeout(finish, timeoutMs);
    streams.forEach((st, i) => {
      st.write = function (chunk, ...rest) {
        const result = originals[i].call(this, chunk, ...rest);
        if (match(String(chunk))) finish();
        return result;
      };
    });
  });
}

const inspect = opts.inspect || opts['inspector-port'] !== undefined;
const stopAll = (code) => {
  secretVars.remove();
  void proxy.close();
  process.exit(code);
};
const worker = await startDevWorker({
  root, port: workerPort, ip: '127.0.0.1', persistTo: resolve(opts['persist-to']), envFiles: [resolve(opts['dev-vars']), secretVars.file],
  inspect, inspectorPort: opts['inspector-port'] ? Number(opts['inspector-port']) : undefined,
}).catch((err) => {
  console.error(err);
  stopAll(1);
});
if (inspect) console.log('  DevTools inspector: %s (reports every upstream fetch: slower streams)', worker.inspectorUrl);
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (stopping) stopAll(1);
    stopping = true;
    worker.dispose().finally(() => stopAll(0));
  });
}
