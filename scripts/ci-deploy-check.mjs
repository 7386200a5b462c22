#!/usr/bin/env node
/**
 * The deploy check of CI (the `deploy` stage of `npm run test:all`): both ways of shipping the
 * gateway are built as a user would build them, offline, and the result is checked.
 *
 * 1. Worker: `wrangler deploy --dry-run --outdir DIR` (bundles what `wrangler deploy` would upload,
 *    uploads nothing, needs no account). Prints the bundle's raw and gzipped size in KiB; fails when
 *    wrangler fails or the gzipped size is over the budget (DEPLOY_BUDGET_KIB, default 300: the
 *    Workers free plan's 3 MB limit is far away, the budget is ours, see issue 11).
 * 2. Node: `npm run build:node`, then `node dist/node/server.mjs --config FILE` on a free loopback
 *    port with SQLite in a temp folder, configured through the admin API (login, an `openai-chat`
 *    channel on the test suite's fake provider, a group, a client key), one real
 *    `POST /v1/chat/completions` through it (200, an OpenAI `chat.completion` whose text is the
 *    fake provider's recording), then SIGTERM: the server must exit 0 within 30 s.
 *
 * Output: one summary line per part; exit code 0 when both passed, 1 otherwise. Every process
 * started here is killed and every temp folder removed on the way out, also on failure or Ctrl-C.
 * Needs: node_modules (wrangler, tsx), dashboard/build (the `[assets]` folder of wrangler.toml; the
 * Node server serves it too: `node scripts/ensure-dashboard.mjs`), the fixtures in
 * `../shared/fixtures` (or `$OCTOPUS_FIXTURES`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const budgetKiB = Number(process.env.DEPLOY_BUDGET_KIB ?? 300);
const ADMIN_PASSWORD = 'ci-deploy-check-password';
const ENCRYPTION_KEY = 'ci-deploy-check-encryption-key-0123';
/** The recording the fake provider replays; its text is what the gateway must hand back. */
const RECORDING = 'openai-chat/vercel__openai-text.json';

const tmp = mkdtempSync(join(tmpdir(), 'oe-deploy-check-'));
/** Child processes still running: killed on the way out whatever happens. */
const children = new Set();

/** Kills what is still running and removes the temp folder. Safe to call more than once. */
function cleanUp() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

/**
 * Starts a child process (no shell), tracked for clean-up, keeping the last 64 KiB of its output.
 * @returns the child, `output()` (stdout and stderr interleaved) and `exited` (resolves with the
 * exit code; 128 when killed by a signal, 127 when it could not start).
 */
function start(cmd, args, env = process.env) {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const add = (chunk) => {
    out = (out + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  const exited = new Promise((done) => {
    child.on('error', (err) => {
      add(`${err.message}\n`);
      done(127);
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      done(code ?? (signal ? 128 : 1));
    });
  });
  return { child, output: () => out, exited };
}

/** Runs a command to its end. @throws with its output when it exits non-zero or runs over `timeoutMs`. */
async function run(what, cmd, args, { env = process.env, timeoutMs = 300_000 } = {}) {
  const p = start(cmd, args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${p.output().trim()}`);
  return p.output();
}

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Sizes of the .js/.mjs/.wasm files under `dir` (source maps left out), in bytes. */
function bundleBytes(dir) {
  let raw = 0;
  let gzip = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(m?js|wasm)$/.test(entry.name)) continue;
    const bytes = readFileSync(join(entry.parentPath ?? entry.path, entry.name));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

/**
 * Part 1: the Worker bundle. @returns the summary line. @throws when wrangler fails, writes no
 * code, or the gzipped bundle is over the budget.
 */
async function checkWorkerBundle() {
  const out = join(tmp, 'worker-bundle');
  const started = Date.now();
  await run('wrangler deploy --dry-run', process.execPath, [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out], {
    // No metrics ping, no interactive prompts: the CI machine reaches only the npm registry.
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  const { raw, gzip } = bundleBytes(out);
  if (raw === 0) throw new Error(`wrangler deploy --dry-run wrote no code to ${out}`);
  const kib = (n) => Math.round(n / 1024);
  const line = `deploy dry-run: worker bundle ${kib(raw)} KiB, ${kib(gzip)} KiB gzipped (budget ${budgetKiB}), ${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (gzip / 1024 > budgetKiB) throw new Error(`${line}: OVER BUDGET by ${kib(gzip - budgetKiB * 1024)} KiB`);
  return line;
}

/** Waits until GET `url`/healthz answers 200. @throws when `alive()` turns false or after `timeoutMs`. */
async function waitHealthy(url, alive, output, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`the server exited before answering /healthz:\n${output().trim()}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) })).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`no /healthz answer after ${timeoutMs} ms:\n${output().trim()}`);
    await sleep(100);
  }
}

/** The fake provider (worker/test/upstream/cli.ts) on a free port. @returns its base URL and process. */
async function startFakeUpstream() {
  const p = start(process.execPath, ['--import', 'tsx', 'worker/test/upstream/cli.ts', '--port', '0']);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = p.output().match(/^(http:\/\/127\.0\.0\.1:\d+)$/m)?.[1];
    if (url) return { url, proc: p };
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`the fake provider did not start:\n${p.output().trim()}`);
    await sleep(50);
  }
}

/**
 * Part 2: the Node bundle serving one real request. @returns the summary line. @throws on a
 * failed build or start, a wrong answer, or a shutdown that is not clean within 30 s.
 */
async function checkNodeBundle() {
  await run('npm run build:node', 'npm', ['run', 'build:node']);

  const dataDir = join(tmp, 'node-data');
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const config = join(dataDir, 'config.json');
  writeFileSync(config, JSON.stringify({ server: { host: '127.0.0.1', port }, database: { type: 'sqlite', path: join(dataDir, 'data.db') }, log: { level: 'warn' } }));
  // The config file says everything: no OCTOPUS_* override from the calling shell.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OCTOPUS_')));
  // The hourly/daily syncs are croner jobs that only run at their times; if one does run here,
  // models.dev is a closed local port, so it fails fast instead of reaching for the network.
  Object.assign(env, { ADMIN_PASSWORD, ENCRYPTION_KEY, MODELS_DEV_URL: 'http://127.0.0.1:9/unreachable' });
  const server = start(process.execPath, [join(root, 'dist/node/server.mjs'), '--config', config], env);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, () => server.child.exitCode === null, server.output, 30_000);

  const upstream = await startFakeUpstream();
  const scenario = await fetch(`${upstream.url}/__scenarios`, { signal: AbortSignal.timeout(30_000), method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: RECORDING }) });
  if (!scenario.ok) throw new Error(`fake provider scenario: HTTP ${scenario.status} ${await scenario.text()}`);
  const { baseUrl } = await scenario.json();

  const login = await fetch(`${url}/api/v1/auth/login`, { signal: AbortSignal.timeout(30_000), method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: ADMIN_PASSWORD }) });
  if (login.status !== 200) throw new Error(`admin login: HTTP ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  const admin = async (method, path, body) => {
    const r = await fetch(`${url}/api/v1${path}`, { signal: AbortSignal.timeout(30_000), method, headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`admin ${method} ${path}: HTTP ${r.status} ${text.slice(0, 500)}`);
    return JSON.parse(text);
  };
  const channel = await admin('POST', '/channels', { name: 'ci-fake-openai', type: 'openai-chat', baseUrl: `${baseUrl}/v1`, keys: ['sk-ci-fake'], models: ['gpt-4.1-nano'] });
  await admin('POST', '/groups', { name: 'ci-smoke', mode: 'round-robin', members: [{ channelId: channel.id, upstreamModel: 'gpt-4.1-nano' }] });
  const { key } = await admin('POST', '/keys', { name: 'ci-smoke' });

  const sent = Date.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    signal: AbortSignal.timeout(30_000),
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'ci-smoke', messages: [{ role: 'user', content: 'Invent a holiday.' }] }),
  });
  const text = await res.text();
  const ms = Date.now() - sent;
  if (res.status !== 200) throw new Error(`POST /v1/chat/completions: HTTP ${res.status} ${text.slice(0, 500)}`);
  const answer = JSON.parse(text);
  const fixtures = process.env.OCTOPUS_FIXTURES ?? resolve(root, '../shared/fixtures');
  const expected = JSON.parse(readFileSync(join(fixtures, RECORDING), 'utf8')).choices[0].message.content;
  if (answer.object !== 'chat.completion' || answer.choices?.[0]?.message?.content !== expected) {
    throw new Error(`POST /v1/chat/completions: not the fake provider's chat.completion: ${text.slice(0, 500)}`);
  }

  upstream.proc.child.kill('SIGTERM');
  const stopping = Date.now();
  server.child.kill('SIGTERM');
  let timer;
  const code = await Promise.race([server.exited, new Promise((ok) => (timer = setTimeout(ok, 30_000, 'timeout')))]);
  clearTimeout(timer);
  if (code === 'timeout') throw new Error(`the server did not stop within 30 s of SIGTERM:\n${server.output().trim()}`);
  if (code !== 0) throw new Error(`the server exited ${code} after SIGTERM (0 expected):\n${server.output().trim()}`);
  return `node bundle: 200 in ${ms} ms, stopped cleanly (exit 0 after ${Date.now() - stopping} ms)`;
}

let failed = 0;
for (const part of [checkWorkerBundle, checkNodeBundle]) {
  try {
    console.log(await part());
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${err instanceof Error ? err.message : String(err)}`);
  }
  // Nothing of one part outlives it.
  for (const child of children) child.kill('SIGKILL');
}
process.exitCode = failed === 0 ? 0 : 1;
