/**
 * Browser-test harness: starts the fake upstream provider (worker/test/upstream) and the gateway
 * the way `npm start` does (scripts/dev.mjs → wrangler dev, with the dashboard build in [assets]),
 * on the first free port of 8790-8799, with its own state folder and secrets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const ADMIN_PASSWORD = 'ui-test-admin-password';

function portFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer();
    s.once('error', () => ok(false));
    s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
  });
}

/** A free port from `from` to `to`, or any free port when `from` is 0. */
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

export interface Gateway {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startGateway(extraVars: Record<string, string>, timeoutMs = 120_000): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'oe-ui-'));
  const devVars = join(dir, 'dev.vars');
  const vars = { ADMIN_PASSWORD, ENCRYPTION_KEY: 'ui-test-encryption-key-0123456789', ...extraVars };
  writeFileSync(devVars, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''));
  const port = await freePort(8790, 8799);
  const inspectorPort = await freePort();
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [
    join(root, 'scripts/dev.mjs'), '--port', String(port), '--ip', '127.0.0.1', '--persist-to', join(dir, 'state'),
    '--dev-vars', devVars, '--inspector-port', String(inspectorPort),
  ], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
  return { url, output: () => out, stop };
}
