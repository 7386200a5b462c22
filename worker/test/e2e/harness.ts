/**
 * End-to-end harness: starts the real `npm start` path (scripts/dev.mjs → wrangler dev) on a free
 * port with its own state folder and secrets, and offers admin helpers over plain HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface RunningGateway {
  url: string;
  password: string;
  /** Cookie header after login. */
  cookie: string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** What the gateway printed (stdout + stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the gateway and logs in. Rejects if it is not ready within `timeoutMs`. */
export async function startGateway(timeoutMs = 90_000): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'oe-e2e-'));
  const password = 'e2e-admin-password';
  const devVars = join(dir, 'dev.vars');
  writeFileSync(devVars, `ADMIN_PASSWORD=${password}\nENCRYPTION_KEY=e2e-encryption-key-0123456789\n`);
  const port = await freePort();
  const inspectorPort = await freePort();
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [
    join(root, 'scripts/dev.mjs'), '--port', String(port), '--ip', '127.0.0.1', '--persist-to', join(dir, 'state'), '--dev-vars', devVars,
    '--inspector-port', String(inspectorPort),
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

  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  if (res.status !== 200) {
    await stop();
    throw new Error(`login failed: ${res.status}`);
  }
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}/api/v1${path}`, {
      method, headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };
  return { url, password, cookie, admin, output: () => out, stop };
}
