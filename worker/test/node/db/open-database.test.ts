/** openDatabase: migrations on open (idempotent on reopen), SQLite file setup, config errors. */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultMigrationsDir, openDatabase } from '../../../src/node/database';
import { BACKENDS, createScratch } from './backends';
import { channel } from './fixtures';

describe.each(BACKENDS)('openDatabase(%s)', (type) => {
  it('migrates a new database, and reopening it keeps the data and migrates nothing twice', async () => {
    const scratch = await createScratch(type);
    try {
      const first = await openDatabase({ type, path: scratch.path });
      const c = await first.store.createChannel(channel('persisted'));
      await first.close();
      await first.close();
      const second = await openDatabase({ type, path: scratch.path, migrationsDir: defaultMigrationsDir(type) });
      try {
        expect(await second.store.getChannel(c.id)).toEqual(c);
      } finally {
        await second.close();
      }
    } finally {
      await scratch.drop();
    }
  });

  it('fails, closing its connection, when the migrations folder is wrong', async () => {
    const scratch = await createScratch(type);
    try {
      await expect(openDatabase({ type, path: scratch.path, migrationsDir: '/nonexistent/migrations' })).rejects.toThrow();
    } finally {
      await scratch.drop();
    }
  });
});

describe('openDatabase(sqlite) file', () => {
  it('creates the parent folder and uses WAL journaling', async () => {
    const scratch = await createScratch('sqlite');
    try {
      expect(existsSync(dirname(scratch.path))).toBe(false);
      const opened = await openDatabase({ type: 'sqlite', path: scratch.path });
      await opened.close();
      const raw = new Database(scratch.path, { readonly: true });
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        raw.close();
      }
    } finally {
      await scratch.drop();
    }
  });

  it('refuses an unknown database type', async () => {
    await expect(openDatabase({ type: 'oracle' as never, path: 'x' })).rejects.toThrow(/unknown database type/);
  });
});
