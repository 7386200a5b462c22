/**
 * The Node gateway as a child process, as the Dockerfile runs it (`node server.mjs --config
 * <file>`: the bundle of `npm run build:node`, built once per run by worker/test/node-bundle.ts),
 * on a free loopback port with its own data folder: for the tests that need a real process
 * (signals, exit codes, restarts). Outside the Node test projects (no bundle provided) it runs
 * main.ts through tsx, as `npm run start:node` does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { freePort } from '../e2e/harness';

const root = resolve(import.meta.dirname, '../../..');

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and waits for the exit; resolves with the exit code (null when killed by a signal). */
  signal(sig: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** The run's Node bundle (worker/test/node-bundle.ts), or undefined outside the Node test projects (the benchmarks import this file too). */
function providedBundle(): string | undefined {
  try {
    return inject('nodeBundle') || undefined;
  } catch {
    return undefined; // not inside a vitest worker
  }
}

/**
 * Writes `<dataDir>/config.json` (SQLite file in the data folder, a free port) and starts the
 * gateway with it (or on `database`). `env` adds variables (secrets, MODELS_DEV_URL, STATS_FLUSH_INTERVAL_MS).
 * @throws when /healthz does not answer within `timeoutMs` (the process is killed).
 */
export async function startGatewayProcess(dataDir: string, env: Record<string, string>, timeoutMs = 30_000, database?: { type: 'sqlite' | 'mysql' | 'postgres'; path: string }): Promise<GatewayProcess> {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const config = join(dataDir, 'config.json');
  writeFileSync(config, JSON.stringify({ server: { host: '127.0.0.1', port }, database: database ?? { type: 'sqlite', path: join(dataDir, 'data.db') }, log: { level: 'info' } }));
  let out = '';
  const bundle = providedBundle();
  const entry = bundle ? [bundle] : ['--import', 'tsx', join(root, 'worker/src/node/main.ts')];
  const child = spawn(process.execPath, [...entry, '--config', config], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = `http://127.0.0.1:${port}`;
  const signal = async (sig: NodeJS.Signals, waitMs = 40_000) => {
    if (child.exitCode !== null) return child.exitCode;
    child.kill(sig);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'timeout'>((ok) => (timer = setTimeout(() => ok('timeout'), waitMs)))]);
    clearTimeout(timer);
    if (code === 'timeout') {
      child.kill('SIGKILL');
      throw new Error(`gateway did not exit ${waitMs} ms after ${sig}:\n${out}`);
    }
    return code;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited early (${child.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway not ready after ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return { url, child, output: () => out, signal };
}
