/**
 * A database outage under the real Node process, on each database: the relay keeps serving what it
 * can from memory, answers 503 in the caller's protocol where it needs the database, never exits,
 * prints no bound SQL values, and writes every buffered record once the database is back.
 * MariaDB and PostgreSQL are cut with a TCP proxy (connections reset, new ones refused); SQLite,
 * a local file, is locked by another connection (writes fail, reads go on under WAL).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, httpTools } from '../suites/harness';
import { startFakeUpstream, type FakeUpstream } from '../upstream/server';
import { createScratch, type Scratch } from './db/backends';
import { startCuttableProxy, type CuttableProxy } from './db/cuttable-proxy';
import { nodeDatabases } from './harness';
import { startGatewayProcess, type GatewayProcess } from './process';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json';

for (const type of nodeDatabases()) {
  describe(`node-${type}: database outage (child process)`, () => {
    let upstream: FakeUpstream | undefined;
    let scratch: Scratch | undefined;
    let proxy: CuttableProxy | undefined;
    let gw: GatewayProcess | undefined;
    let dir = '';
    const { admin, login, routeTo, scenario, gateway } = httpTools(() => gw!.url, () => upstream!.url);
    const chat = (key: string, model: string) => gateway('/v1/chat/completions', {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const messages = (key: string, model: string) => gateway('/v1/messages', {
      method: 'POST', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
    });

    afterEach(async () => {
      await gw?.signal('SIGKILL').catch(() => {});
      await proxy?.close();
      await scratch?.drop();
      await upstream?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('serves from memory, answers 503 in the caller\'s protocol where it needs the database, stays up, and loses no record', async () => {
      upstream = await startFakeUpstream({ host: '127.0.0.1' });
      scratch = await createScratch(type);
      dir = mkdtempSync(join(tmpdir(), 'oe-outage-'));
      let dbPath = scratch.path;
      if (type !== 'sqlite') {
        const u = new URL(scratch.path);
        proxy = await startCuttableProxy(u.hostname, Number(u.port));
        u.port = String(proxy.port);
        dbPath = u.toString();
      }
      gw = await startGatewayProcess(join(dir, 'data'), {
        ADMIN_PASSWORD, ENCRYPTION_KEY: 'test-encryption-key-0123456789', STATS_FLUSH_INTERVAL_MS: '300',
        MODELS_DEV_URL: `${upstream.url}/nothing/api.json`,
      }, 60_000, { type, path: dbPath });

      const cookie = await login();
      const a = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
      // B is never used before the outage: its routing state must come from the database.
      const b = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
      for (let i = 0; i < 3; i++) expect((await chat(a.clientKey, a.group)).status).toBe(200);

      let lock: Database.Database | undefined;
      if (proxy) proxy.cut();
      else {
        lock = new Database(scratch.path);
        lock.exec('BEGIN EXCLUSIVE');
      }
      try {
        // Configuration and A's routing state are in memory: A keeps answering.
        for (let i = 0; i < 5; i++) {
          const res = await chat(a.clientKey, a.group);
          expect(res.status, await res.clone().text()).toBe(200);
        }
        if (proxy) {
          // B needs the database for its routing state: a retryable 503 in each caller's format.
          const openai = await chat(b.clientKey, b.group);
          expect(openai.status).toBe(503);
          expect(openai.headers.get('retry-after')).toBe('2');
          expect(((await openai.json()) as any).error).toMatchObject({ code: 'service_unavailable' });
          const anthropic = await messages(b.clientKey, b.group);
          expect(anthropic.status).toBe(503);
          expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
          expect((await admin(cookie, 'GET', '/channels')).status).toBe(503);
        } else {
          // SQLite reads go on under WAL; a write waits at most the busy timeout, then 503.
          expect((await chat(b.clientKey, b.group)).status).toBe(200);
          expect((await messages(b.clientKey, b.group)).status).toBe(200);
          const write = await admin(cookie, 'POST', '/keys', { name: 'during-lock' });
          expect(write.status).toBe(503);
          expect(write.json.error.code).toBe('database_unavailable');
        }
        // Several flush ticks fail meanwhile; the process stays up.
        await new Promise((ok) => setTimeout(ok, 1500));
        expect((await gateway('/healthz')).status).toBe(200);
        expect(gw.child.exitCode).toBeNull();
      } finally {
        if (proxy) proxy.restore();
        else {
          lock!.exec('COMMIT');
          lock!.close();
        }
      }

      // Back: every answered request reaches the log (each group's flush retries with its own back-off).
      const want: [string, number][] = [[a.group, 8], ...(proxy ? [] : [[b.group, 2] as [string, number]])];
      const count = async (group: string) => {
        const logs = await admin(cookie, 'GET', `/logs?group=${group}`);
        return logs.status === 200 ? logs.json.data.length as number : -1;
      };
      let seen: number[] = [];
      for (let i = 0; i < 120; i++) {
        seen = await Promise.all(want.map(([g]) => count(g)));
        if (seen.every((n, j) => n >= want[j]![1])) break;
        await new Promise((ok) => setTimeout(ok, 500));
      }
      expect(seen).toEqual(want.map(([, n]) => n));
      expect(gw.child.exitCode).toBeNull();
      // Driver errors were logged without the values they bound.
      expect(gw.output()).not.toMatch(/params: (?!\[omitted\])/);
      expect(await gw.signal('SIGTERM')).toBe(0);
      // The recovery wait above alone may take 60 s (120 polls, 500 ms apart): the test's own limit
      // must leave room for it and for the start (26 s typical on PostgreSQL; one run timed out at
      // the project's 60 s with a full vitest run beside it, load ~13).
    }, 120_000);

    it.skipIf(type === 'sqlite')('a lock held elsewhere costs a write at most the lock timeout (503), and the relay is not held up', async () => {
      upstream = await startFakeUpstream({ host: '127.0.0.1' });
      scratch = await createScratch(type);
      dir = mkdtempSync(join(tmpdir(), 'oe-lock-'));
      gw = await startGatewayProcess(join(dir, 'data'), {
        ADMIN_PASSWORD, ENCRYPTION_KEY: 'test-encryption-key-0123456789', STATS_FLUSH_INTERVAL_MS: '300',
        MODELS_DEV_URL: `${upstream.url}/nothing/api.json`,
      }, 60_000, { type, path: scratch.path });
      const cookie = await login();
      const a = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
      expect((await chat(a.clientKey, a.group)).status).toBe(200);
      const locker = await lockRow(type, scratch.path, a.keyId);
      try {
        const started = Date.now();
        const write = await admin(cookie, 'PATCH', `/keys/${a.keyId}`, { name: 'renamed-under-lock' });
        expect(write.status).toBe(503);
        // The limit is a few seconds (3 s lock, 5 s statement); the margin is for a busy machine.
        expect(Date.now() - started).toBeLessThan(15_000);
        expect((await chat(a.clientKey, a.group)).status).toBe(200);
      } finally {
        await locker.release();
      }
      expect((await admin(cookie, 'PATCH', `/keys/${a.keyId}`, { name: 'renamed-after' })).status).toBe(200);
      expect(await gw.signal('SIGTERM')).toBe(0);
    });
  });
}

/** Holds a row lock on client key `id` from another connection (an open transaction) until released. */
async function lockRow(type: 'mysql' | 'postgres' | 'sqlite', url: string, id: number): Promise<{ release(): Promise<void> }> {
  if (type === 'mysql') {
    const mysql = (await import('mysql2/promise')).default;
    const c = await mysql.createConnection({ uri: url });
    await c.query('BEGIN');
    await c.query('SELECT id FROM api_keys WHERE id = ? FOR UPDATE', [id]);
    return { release: async () => { await c.query('ROLLBACK'); await c.end(); } };
  }
  const postgres = (await import('postgres')).default;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const held = new Promise<void>((ok) => (release = ok));
  let locked!: () => void;
  const isLocked = new Promise<void>((ok) => (locked = ok));
  const tx = sql.begin(async (t) => {
    await t`SELECT id FROM api_keys WHERE id = ${id} FOR UPDATE`;
    locked();
    await held;
  });
  await isLocked;
  return { release: async () => { release(); await tx; await sql.end(); } };
}
