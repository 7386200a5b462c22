/**
 * The Node mode's data at rest is owner-only: the SQLite database and its -wal/-shm files 0600, the
 * data folder 0700 (like secrets.json), on a fresh start and when an older install left them
 * world-readable; a shared folder (sticky, like /tmp) holding the database is left alone.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/node/logger';
import { startNodeGateway } from '../../src/node/server';
import { ADMIN_PASSWORD } from '../suites/harness';
import { ENCRYPTION_KEY } from './harness';
import { startGatewayProcess } from './process';

const scratch = mkdtempSync(join(tmpdir(), 'oe-modes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8);

/** Starts the gateway in-process on `db`, makes it write (a login, so WAL and SHM exist), stops it. */
async function runOn(db: string): Promise<{ during: Record<string, string> }> {
  const gw = await startNodeGateway({
    config: { server: { host: '127.0.0.1', port: 0, trustProxy: false }, database: { type: 'sqlite', path: db }, log: { level: 'error' } },
    secrets: { adminPassword: ADMIN_PASSWORD, encryptionKey: ENCRYPTION_KEY },
    logger: createLogger('error'), flushIntervalMs: 3_600_000, cron: false,
  });
  try {
    const res = await fetch(`${gw.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: ADMIN_PASSWORD }) });
    expect(res.status).toBe(200);
    // WAL mode: the -wal and -shm files exist while the database is open.
    return { during: { db: mode(db), wal: mode(`${db}-wal`), shm: mode(`${db}-shm`) } };
  } finally {
    await gw.close();
  }
}

describe('data file modes (Node, SQLite)', () => {
  it('creates the data folder 0700 and the database, WAL and SHM 0600', async () => {
    const dir = join(scratch, 'fresh', 'data');
    const { during } = await runOn(join(dir, 'data.db'));
    expect(during).toEqual({ db: '600', wal: '600', shm: '600' });
    expect(mode(dir)).toBe('700');
  });

  it('tightens an existing world-readable database, WAL, SHM and folder', async () => {
    const dir = join(scratch, 'old', 'data');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    const db = join(dir, 'data.db');
    // An older install: a WAL database left open-files behind, all 0644.
    const old = new Database(db);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE leftover (x INTEGER)');
    for (const p of [db, `${db}-wal`, `${db}-shm`]) chmodSync(p, 0o644);
    expect([mode(db), mode(`${db}-wal`), mode(`${db}-shm`), mode(dir)]).toEqual(['644', '644', '644', '755']);
    old.close();
    // SQLite removes the WAL at a clean close: leave stale ones behind as a crash would.
    writeFileSync(`${db}-wal`, '', { mode: 0o644 });
    writeFileSync(`${db}-shm`, '', { mode: 0o644 });
    chmodSync(`${db}-wal`, 0o644);
    chmodSync(`${db}-shm`, 0o644);
    chmodSync(db, 0o644);
    const { during } = await runOn(db);
    expect(during).toEqual({ db: '600', wal: '600', shm: '600' });
    expect(mode(dir)).toBe('700');
  });

  it('keeps the database private in a shared sticky folder without changing the folder', async () => {
    const shared = join(scratch, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const { during } = await runOn(join(shared, 'gw.db'));
    expect(during).toEqual({ db: '600', wal: '600', shm: '600' });
    expect(mode(shared)).toBe('1777');
  });

  it('the gateway process (main.ts, bundled as build:node makes it): the config folder (secrets.json, data.db) is tightened from 0755 to 0700', async () => {
    const dir = join(scratch, 'proc', 'data');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    const gw = await startGatewayProcess(dir, { ADMIN_PASSWORD: '', ENCRYPTION_KEY: '' });
    try {
      expect(mode(dir)).toBe('700');
      expect(mode(join(dir, 'secrets.json'))).toBe('600');
      expect(mode(join(dir, 'data.db'))).toBe('600');
      expect(gw.output()).toMatch(/made data file private/);
    } finally {
      expect(await gw.signal('SIGTERM')).toBe(0);
    }
  });
});
