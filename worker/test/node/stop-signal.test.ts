/**
 * A supervisor stops what it started by sending SIGTERM to that PID: `npm start`, `npm run
 * start:node` and `npx tsx worker/test/upstream/cli.ts` must then stop entirely, with no server left serving
 * (a shell between npm and node used to swallow the signal and orphan the server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}

/** Whether something answers HTTP on the port. */
async function serving(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** PIDs of the process group's members still alive (the launcher's whole tree shares its group). */
async function groupAlive(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a command in its own process group, SIGTERMs only the leader once the port serves, and checks everything stops. */
async function stopsOnSigterm(command: string[], port: number, env: NodeJS.ProcessEnv, beforeStop?: (output: () => string) => Promise<void>): Promise<void> {
  const child = spawn(command[0]!, command.slice(1), { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  expect(await waitFor(() => serving(port), 90_000)).toBe(true);
  await beforeStop?.(() => output);
  process.kill(child.pid!, 'SIGTERM');
  // Everything in the tree stops (not only the leader), and nothing serves on the port any more.
  expect(await waitFor(async () => !(await groupAlive(child.pid!)), 20_000)).toBe(true);
  expect(await serving(port)).toBe(false);
}

describe('SIGTERM to the launched PID stops the server', () => {
  it('npm run start:node (and --config creates a missing file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-stop-'));
    dirs.push(dir);
    const port = await freePort();
    await stopsOnSigterm(['npm', 'run', 'start:node', '--', '--config', join(dir, 'conf', 'config.json')], port, {
      OCTOPUS_SERVER_PORT: String(port),
      OCTOPUS_SERVER_HOST: '127.0.0.1',
      OCTOPUS_DATABASE_PATH: join(dir, 'data.db'),
    });
  }, 150_000);

  it('npm start (wrangler and workerd stop with it; a first start prints the password as its last lines)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-stop-dev-'));
    dirs.push(dir);
    const devVars = join(dir, 'dev.vars'); // not there yet: this is a first start
    const port = await freePort();
    await stopsOnSigterm(['npm', 'start', '--', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', join(dir, 'state'), '--dev-vars', devVars], port, {}, async (output) => {
      expect(await waitFor(async () => output().includes('as ADMIN_PASSWORD'), 90_000)).toBe(true);
      // Anything wrangler still had to say would have come by now.
      await new Promise((r) => setTimeout(r, 1_500));
      const text = output();
      const password = /Admin password: (\S+)/.exec(text)?.[1];
      expect(readFileSync(devVars, 'utf8')).toContain(`ADMIN_PASSWORD=${password}`);
      // The password block ends the output, after the build, migration and wrangler lines.
      expect(text.lastIndexOf('gateway and dashboard at')).toBeLessThan(text.indexOf('Admin password:'));
      // Wrangler logs each request when its answer ends, so this test's own `GET /` probe
      // (serving()) may log after the block: that access line is the probe's, not start output
      // (CI: "[wrangler:info] GET / 200 OK (1057ms)" came after it). Anything else fails, printed.
      const after = text.slice(text.indexOf('Admin password:')).trim().split('\n').filter((line) => !/^\[wrangler:info\] GET \/ \d{3} /.test(line));
      expect(after, text.slice(text.indexOf('Admin password:'))).toHaveLength(2);
      expect(text.match(/Admin password:/g)).toHaveLength(1);
    });
  }, 150_000);

  it('npx tsx worker/test/upstream/cli.ts', async () => {
    const port = await freePort();
    await stopsOnSigterm(['npx', 'tsx', 'worker/test/upstream/cli.ts', '--port', String(port)], port, {});
  }, 150_000);
});
