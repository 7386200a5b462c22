/**
 * Starts the gateway the way `npm start` does (scripts/dev.mjs → wrangler dev, with the dashboard
 * build in [assets]) in its own process group, with its own state folder and secrets, and waits
 * for `/healthz`. Shared by the end-to-end tests, the benchmarks and the dashboard's browser tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const repoRoot = resolve(import.meta.dirname, '../..');

function portFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer();
    s.once('error', () => ok(false));
    s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
  });
}

/** A free TCP port on 127.0.0.1: the first free one of `from`..`to`, or any when no range is given. */
export async function freePort(from = 0, to = 0): Promise<number> {
  if (from === 0) {
    return new Promise((ok, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => ok(port));
      });
    });
  }
  for (let p = from; p <= to; p++) if (await portFree(p)) return p;
  throw new Error(`no free port in ${from}-${to}`);
}

export interface DevGateway {
  /** e.g. http://127.0.0.1:8790 */
  url: string;
  /** What the gateway printed (stdout + stderr). */
  output(): string;
  /** Id of the process group leader (scripts/dev.mjs); wrangler and its workerd processes are in its group (benchmarks read their CPU and RSS). */
  pid: number;
  /** The `--persist-to` folder (D1, Durable Object storage); removed by `stop()`. */
  stateDir: string;
  /** Stops wrangler and its workerd (the whole process group) and removes the state folder. */
  stop(): Promise<void>;
}

/**
 * Starts the gateway. `vars` become its `.dev.vars` (ADMIN_PASSWORD, ENCRYPTION_KEY, …).
 * @param opts.port a fixed port, else any free one. @param opts.timeoutMs readiness deadline, ms.
 * @param opts.inspect start the DevTools inspector too (`--inspect`; off as in `npm start`).
 * @throws when the process exits early or is not ready in time (its output is in the message).
 */
export async function launchDevGateway(vars: Record<string, string>, opts: { port?: number; timeoutMs?: number; tmpPrefix?: string; inspect?: boolean } = {}): Promise<DevGateway> {
  const dir = mkdtempSync(join(tmpdir(), opts.tmpPrefix ?? 'oe-gw-'));
  const devVars = join(dir, 'dev.vars');
  writeFileSync(devVars, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''));
  const port = opts.port ?? (await freePort());
  const timeoutMs = opts.timeoutMs ?? 90_000;
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [
    join(repoRoot, 'scripts/dev.mjs'), '--port', String(port), '--ip', '127.0.0.1', '--persist-to', join(dir, 'state'),
    '--dev-vars', devVars, ...(opts.inspect ? ['--inspector-port', String(await freePort())] : []),
  ], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      try {
        process.kill(-child.pid!, 'SIGTERM'); // the whole group: wrangler and its workerd
      } catch {}
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`gateway exited early:\n${out}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`gateway not ready after ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  return { url, output: () => out, pid: child.pid!, stateDir: join(dir, 'state'), stop };
}
