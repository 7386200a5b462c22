/**
 * The processes of the end-to-end benchmark: the mock upstream, the bare proxy (the floor), the
 * Node gateway (the `npm run build:node` bundle on SQLite, default settings) and the Worker under
 * workerd (`wrangler dev` through worker/test/dev-gateway.ts, as `npm start` runs it), and the
 * admin calls that give both gateways the same channels, groups, keys and prices.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, launchDevGateway, repoRoot } from '../../worker/test/dev-gateway';
import { Miniflare } from 'miniflare';
import { readdirSync } from 'node:fs';
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from 'wrangler';
import { childPids, commOf, groupPids } from './proc';

export const ADMIN_PASSWORD = 'bench-admin-password';
export const ENCRYPTION_KEY = 'bench-encryption-key-0123456789';

/** A running process under test. */
export interface Proc {
  name: string;
  url: string;
  /** The processes whose CPU and memory are the target's own (the Worker: its workerd processes). */
  pids(): number[];
  /** What it printed, last 64 KiB. */
  output(): string;
  stop(): Promise<void>;
}

function keepTail(child: ChildProcess): () => string {
  let out = '';
  const add = (d: Buffer) => {
    out += d.toString();
    if (out.length > 65_536) out = out.slice(-65_536);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}

async function stopChild(child: ChildProcess, ms = 40_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

/** Spawns `node script args` and waits for its first stdout line `{"port":N}`. */
async function spawnWithPort(name: string, script: string, args: string[]): Promise<Proc> {
  const child = spawn(process.execPath, [script, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((ok, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => {
      lines.close();
      try {
        ok(JSON.parse(l).port);
      } catch {
        fail(new Error(`${name}: unexpected first line ${l}`));
      }
    });
    child.once('exit', (code) => fail(new Error(`${name} exited (${code}) before listening`)));
  });
  const output = keepTail(child);
  return { name, url: `http://127.0.0.1:${port}`, pids: () => [child.pid!], output, stop: () => stopChild(child) };
}

/** The loopback mock upstream (bench/e2e/mock-upstream.mjs). Latency and stream shape in ms / chunks. */
export function startMock(o: { latencyMs: number; chunks: number; gapMs: number }): Promise<Proc> {
  return spawnWithPort('mock', join(repoRoot, 'bench/e2e/mock-upstream.mjs'), ['--latency', String(o.latencyMs), '--chunks', String(o.chunks), '--gap', String(o.gapMs)]);
}

/** The bare pass-through proxy in front of `upstream` (bench/e2e/bare-proxy.mjs). */
export function startBare(upstream: string): Promise<Proc> {
  return spawnWithPort('bare', join(repoRoot, 'bench/e2e/bare-proxy.mjs'), ['--upstream', upstream]);
}

async function waitHealthy(url: string, alive: () => boolean, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`exited before it was ready:\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms:\n${output()}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/**
 * The Node gateway as a user runs it: `node dist/node/server.mjs --config FILE` (build it first),
 * SQLite in `dataDir`, every setting at its default. `nodeArgs` go before the script (`--cpu-prof …`);
 * `script` is another bundle to run (an A/B of two builds, bench/e2e/ab.ts), inside the repository
 * so that it finds migrations/ above it.
 */
export async function startNodeGateway(dataDir: string, nodeArgs: string[] = [], script = join(repoRoot, 'dist/node/server.mjs')): Promise<Proc & { dbFile: string }> {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const config = join(dataDir, 'config.json');
  const dbFile = join(dataDir, 'data.db');
  writeFileSync(config, JSON.stringify({ server: { host: '127.0.0.1', port }, database: { type: 'sqlite', path: dbFile } }));
  const child = spawn(process.execPath, [...nodeArgs, script, '--config', config], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ADMIN_PASSWORD, ENCRYPTION_KEY, MODELS_DEV_URL: 'http://127.0.0.1:9/unreachable' },
  });
  const output = keepTail(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, () => child.exitCode === null, output, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`node gateway ${(err as Error).message}`);
  }
  return { name: 'node', url, dbFile, pids: () => [child.pid!], output, stop: () => stopChild(child) };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * The Worker under workerd, started as `npm start` does (scripts/dev.mjs → wrangler dev, local D1
 * and Durable Objects). wrangler dev runs two workerd processes: its proxy (listening on the public
 * port, `--socket-addr=entry=HOST:PORT`) and the one running the Worker, plus its own Node process.
 * `pids()` is the workerd that runs the Worker (what a deployed Worker would be charged);
 * `wranglerPids()` is the local-only rest (the proxy workerd, wrangler's Node and esbuild).
 */
export async function startWorker(): Promise<Proc & { stateDir: string; wranglerPids(): number[] }> {
  const gw = await launchDevGateway({ ADMIN_PASSWORD, ENCRYPTION_KEY, MODELS_DEV_URL: 'http://127.0.0.1:9/unreachable' }, { timeoutMs: 180_000, tmpPrefix: 'oe-bench-' });
  const entry = `--socket-addr=entry=${new URL(gw.url).host}`;
  const isWorker = (p: number) => commOf(p) === 'workerd' && !cmdline(p).includes(entry);
  return {
    name: 'worker', url: gw.url, stateDir: gw.stateDir, output: gw.output, stop: gw.stop,
    pids: () => groupPids(gw.pid).filter(isWorker),
    wranglerPids: () => groupPids(gw.pid).filter((p) => !isWorker(p)),
  };
}

/** Client keys made by `configure`: one without limits and one with an RPM limit and a budget. */
export interface BenchKeys {
  free: string;
  limited: string;
}

/** Group names: passthrough (OpenAI Chat channel) and converted (Anthropic channel, OpenAI Chat clients). */
export const GROUP_PASS = 'bench-chat';
export const GROUP_CONV = 'bench-conv';

/**
 * Gives a gateway the benchmark's configuration through its admin API: an OpenAI Chat channel and
 * an Anthropic channel on the mock, a group on each, user prices for both upstream models, and two
 * client keys. @throws on any non-2xx answer.
 */
export async function configure(gatewayUrl: string, mockUrl: string): Promise<BenchKeys> {
  const login = await fetch(`${gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: ADMIN_PASSWORD }) });
  if (login.status !== 200) throw new Error(`admin login: HTTP ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const admin = async (method: string, path: string, body: unknown) => {
    const r = await fetch(`${gatewayUrl}/api/v1${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`admin ${method} ${path}: HTTP ${r.status} ${text}`);
    return JSON.parse(text);
  };
  const openai = await admin('POST', '/channels', { name: 'bench-openai', type: 'openai-chat', baseUrl: `${mockUrl}/v1`, keys: ['sk-bench-openai'], models: ['gpt-4.1-nano'] });
  const anthropic = await admin('POST', '/channels', { name: 'bench-anthropic', type: 'anthropic', baseUrl: `${mockUrl}/v1`, keys: ['sk-ant-bench'], models: ['claude-sonnet-4-5'] });
  await admin('POST', '/groups', { name: GROUP_PASS, mode: 'round-robin', members: [{ channelId: openai.id, upstreamModel: 'gpt-4.1-nano' }] });
  await admin('POST', '/groups', { name: GROUP_CONV, mode: 'round-robin', members: [{ channelId: anthropic.id, upstreamModel: 'claude-sonnet-4-5' }] });
  await admin('PUT', '/prices/gpt-4.1-nano', { input: 0.1, output: 0.4 });
  await admin('PUT', '/prices/claude-sonnet-4-5', { input: 3, output: 15 });
  const free = (await admin('POST', '/keys', { name: 'bench-free' })).key as string;
  const limited = (await admin('POST', '/keys', { name: 'bench-limited', rpmLimit: 1_000_000, budgetUsd: 1_000_000 })).key as string;
  return { free, limited };
}

/**
 * The Worker under workerd without wrangler dev's extra hop: Miniflare (the engine wrangler dev and
 * vitest-pool-workers use) serving the bundle `wrangler deploy --dry-run --outdir bundleDir` wrote,
 * with the bindings of wrangler.toml (D1, both Durable Object classes, assets) persisted in
 * `stateDir`, and the D1 migrations applied first. One workerd process, a child of this one:
 * `pids()`. Requests go straight to it, as they would to a deployed Worker.
 */
export async function startMiniflareWorker(bundleDir: string, stateDir: string): Promise<Proc & { stateDir: string }> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(repoRoot, 'wrangler.toml'));
  const before = new Set(childPids(process.pid, 'workerd'));
  const port = await freePort();
  let out = '';
  const mf = new Miniflare({
    ...(workerOptions as object),
    modules: true, modulesRoot: bundleDir, scriptPath: join(bundleDir, 'index.js'),
    bindings: { ...(workerOptions.bindings ?? {}), ADMIN_PASSWORD, ENCRYPTION_KEY, MODELS_DEV_URL: 'http://127.0.0.1:9/unreachable' },
    host: '127.0.0.1', port,
    d1Persist: join(stateDir, 'd1'), durableObjectsPersist: join(stateDir, 'do'), kvPersist: join(stateDir, 'kv'), cachePersist: join(stateDir, 'cache'),
    handleRuntimeStdio(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) {
      const add = (d: Buffer) => {
        out += d.toString();
        if (out.length > 65_536) out = out.slice(-65_536);
      };
      stdout.on('data', add);
      stderr.on('data', add);
    },
  } as never);
  const url = (await mf.ready).origin;
  const db = await mf.getD1Database('DB');
  const dir = join(repoRoot, 'migrations', 'sqlite');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql')).sort()) {
    for (const stmt of unstable_splitSqlQuery(readFileSync(join(dir, f), 'utf8'))) await db.prepare(stmt).run();
  }
  const mine = childPids(process.pid, 'workerd').filter((p) => !before.has(p));
  return { name: 'worker', url, stateDir, output: () => out, pids: () => mine, stop: () => mf.dispose() };
}
