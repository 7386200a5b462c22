/**
 * The record journal (node/journal.ts) with the group holder: a replay after a crash between the
 * database write and the journal's confirmation counts nothing twice; a torn or corrupt line is
 * skipped; the journal stays under its size cap; records the memory cap evicts during an outage
 * come back from the journal; a journal that cannot write turns itself off without losing records;
 * two processes never share one journal folder.
 */
import Database from 'better-sqlite3';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlushWriter } from '../../src/accounting/flusher';
import type { RequestRecord } from '../../src/accounting/records';
import type { Store } from '../../src/db/store';
import { openDatabase, type OpenedDatabase } from '../../src/node/database';
import { GroupHolder } from '../../src/node/group-holder';
import { RecordJournal } from '../../src/node/journal';

const GROUP = 5;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function record(i: number): RequestRecord {
  return {
    id: `r-${i}`, time: 1_700_000_000_000 + i, apiKeyId: 1, groupName: 'g', channelId: 1, upstreamModel: 'm', protocolIn: 'openai-chat', protocolOut: 'openai-chat',
    stream: false, status: 200, ok: true, attempts: [], usage: { input: 10, cacheRead: 0, cacheWrite: 0, output: 5, reasoning: 0 }, costNanoUsd: 0, latencyMs: 1, ttftMs: null, error: null,
  };
}

/** A store that keeps applied flushes by id and fails while `down`. */
function fakeStore() {
  const applied = new Map<string, string[]>();
  const state = { down: false };
  const store = {
    loadPrices: async () => ({ user: new Map(), modelsDev: [] }),
    applyFlush: async (id: string, _at: number, logs: RequestRecord[]) => {
      if (state.down) throw new Error('database down');
      if (applied.has(id)) return 'duplicate' as const;
      applied.set(id, logs.map((l) => l.id));
      return 'applied' as const;
    },
  } as unknown as Store;
  return { store, applied, state };
}

const files = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
/** Journals opened by a test; closed afterwards (a "killed" one is simply never closed by the test body). */
const opened: RecordJournal[] = [];
async function openJournal(dir: string, opts: { maxBytes?: number } = {}) {
  // A long write interval: writes happen when the test says (sync, take), as a kill can land anywhere.
  const r = await RecordJournal.open({ dir, logger: quiet, writeIntervalMs: 60_000, ...opts });
  opened.push(r.journal);
  return r;
}

let dir = '';
let db: OpenedDatabase | undefined;
afterEach(async () => {
  for (const j of opened.splice(0)) await j.close().catch(() => {});
  await db?.close();
  db = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('record journal replay', () => {
  it('re-sends a batch taken before a crash with its own flush id: the database counts it once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oe-journal-unit-'));
    db = await openDatabase({ type: 'sqlite', path: join(dir, 'data.db') });
    const real = db.store;
    // Commits, then the connection drops before the answer: the holder believes the write failed.
    let crashAfterCommit = true;
    const flaky = Object.create(real, {
      applyFlush: {
        value: async (...args: Parameters<Store['applyFlush']>) => {
          const r = await real.applyFlush(...args);
          if (crashAfterCommit) throw new Error('connection lost after commit');
          return r;
        },
      },
    }) as Store;
    const jdir = join(dir, 'journal');

    const first = await openJournal(jdir);
    const a = new GroupHolder(GROUP, flaky, new FlushWriter(), Date.now, Math.random, 1000, first.journal);
    for (let i = 0; i < 5; i++) a.record(record(i));
    expect((await a.flush({ force: true })).ok).toBe(false); // in the database, not confirmed
    for (let i = 5; i < 7; i++) a.record(record(i));
    await first.journal.sync();
    // kill -9 here: the first journal is abandoned as it is.

    const second = await openJournal(jdir);
    expect(second.recovery.records).toBe(7);
    const pending = second.recovery.pending.get(GROUP)!;
    expect(pending).toHaveLength(1);
    expect(pending[0]!.records.map((r) => r.id)).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4']);
    expect(second.recovery.spilled.get(GROUP)).toBe(2);

    crashAfterCommit = false;
    const b = new GroupHolder(GROUP, real, new FlushWriter(), Date.now, Math.random, 1000, second.journal);
    b.restore(pending);
    expect(b.unflushed()).toBe(7);
    expect((await b.flush({ force: true })).ok).toBe(true);
    expect(b.unflushed()).toBe(0);

    // Confirmed, but killed before the confirmation reached the file: the replay sends the same id again.
    for (let i = 7; i < 10; i++) b.record(record(i));
    expect((await b.flush({ force: true })).ok).toBe(true);
    const third = await openJournal(jdir);
    expect(third.recovery.pending.get(GROUP)?.map((p) => p.records.length)).toEqual([3]);
    const c = new GroupHolder(GROUP, real, new FlushWriter(), Date.now, Math.random, 1000, third.journal);
    c.restore(third.recovery.pending.get(GROUP)!);
    expect((await c.flush({ force: true })).ok).toBe(true);

    const sql = new Database(join(dir, 'data.db'), { readonly: true });
    try {
      expect(sql.prepare('SELECT count(*) AS n FROM request_logs').get()).toEqual({ n: 10 });
      expect(sql.prepare('SELECT sum(requests) AS n, sum(input_tokens) AS i FROM stats_hourly').get()).toEqual({ n: 10, i: 100 });
    } finally {
      sql.close();
    }
    // Everything is confirmed: once written, the journal deletes its files.
    await third.journal.close();
    expect(files(jdir)).toEqual([]);
  });

  it('skips a torn last line and a corrupt line, and replays every complete record', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oe-journal-unit-'));
    const jdir = join(dir, 'journal');
    const first = await openJournal(jdir);
    const { store, applied } = fakeStore();
    const a = new GroupHolder(GROUP, store, new FlushWriter(), Date.now, Math.random, 1000, first.journal);
    for (let i = 0; i < 4; i++) a.record(record(i));
    await first.journal.sync();
    const [file] = files(jdir);
    // A line garbled on disk, one more record, then a write the kill cut in the middle.
    appendFileSync(join(jdir, file!), 'not json at all\n');
    appendFileSync(join(jdir, file!), `${JSON.stringify({ g: GROUP, r: record(4) })}\n`);
    appendFileSync(join(jdir, file!), JSON.stringify({ g: GROUP, r: record(5) }).slice(0, 40));

    const second = await openJournal(jdir);
    expect(second.recovery).toMatchObject({ records: 5, skippedLines: 2, files: 1 });
    const b = new GroupHolder(GROUP, store, new FlushWriter(), Date.now, Math.random, 1000, second.journal);
    expect((await b.flush({ force: true })).ok).toBe(true);
    expect([...applied.values()].flat().sort()).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4']);
    // A new run never appends to an old file; the old one goes once its records are written.
    await second.journal.sync();
    expect(files(jdir)).not.toContain(file);
  });
});

describe('record journal bounds', () => {
  it('reads back the records the memory cap evicted during an outage: none is lost, none is written twice', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oe-journal-unit-'));
    const { journal } = await openJournal(join(dir, 'journal'));
    const { store, applied, state } = fakeStore();
    const h = new GroupHolder(GROUP, store, new FlushWriter(), Date.now, Math.random, 10, journal);
    state.down = true;
    for (let i = 0; i < 4; i++) h.record(record(i));
    expect((await h.flush({ force: true })).ok).toBe(false); // r-0..r-3 pending
    for (let i = 4; i < 30; i++) h.record(record(i));
    expect(h.dropped).toBe(0);
    expect(journal.spilled(GROUP)).toBe(16);
    expect(h.unflushed()).toBe(30);
    state.down = false;
    expect((await h.flush({ force: true })).ok).toBe(true);
    const written = [...applied.values()].flat();
    expect(written).toHaveLength(30);
    expect(new Set(written).size).toBe(30);
    expect(h.unflushed()).toBe(0);
  });

  it('stays under its size cap during a long outage (oldest file dropped), and the records still in memory are written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oe-journal-unit-'));
    const maxBytes = 8_000;
    const { journal } = await openJournal(join(dir, 'journal'), { maxBytes });
    const { store, applied, state } = fakeStore();
    const h = new GroupHolder(GROUP, store, new FlushWriter(), Date.now, Math.random, 1000, journal);
    state.down = true;
    for (let i = 0; i < 100; i++) {
      h.record(record(i));
      if (i % 10 === 9) await journal.sync();
    }
    // One batch (10 records, ~4 KB) may land before the oldest file goes.
    expect(journal.size().bytes).toBeLessThanOrEqual(maxBytes + 5_000);
    expect(readdirSync(join(dir, 'journal')).length).toBeGreaterThan(1);
    state.down = false;
    expect((await h.flush({ force: true })).ok).toBe(true);
    expect([...applied.values()].flat()).toHaveLength(100);
  });

  it('turns itself off when it cannot write, and the records are still written from memory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oe-journal-unit-'));
    const jdir = join(dir, 'journal');
    const { journal } = await openJournal(jdir);
    mkdirSync(join(jdir, '00000001.jsonl')); // where the first write goes: EISDIR
    const { store, applied } = fakeStore();
    const h = new GroupHolder(GROUP, store, new FlushWriter(), Date.now, Math.random, 1000, journal);
    for (let i = 0; i < 3; i++) h.record(record(i));
    await journal.sync();
    expect(journal.append(GROUP, record(99))).toBe(false);
    h.record(record(3));
    expect((await h.flush({ force: true })).ok).toBe(true);
    expect([...applied.values()].flat()).toEqual(['r-0', 'r-1', 'r-2', 'r-3']);
  });

  it('is used by one process at a time: a live holder refuses a second one, a dead one is taken over', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oe-journal-unit-'));
    const jdir = join(dir, 'journal');
    mkdirSync(jdir);
    // The parent of this test process is alive: the folder is its.
    writeFileSync(join(jdir, 'lock'), String(process.ppid));
    await expect(openJournal(jdir)).rejects.toThrow(/in use by process/);
    // A pid no process has (a kill -9 left the lock behind).
    writeFileSync(join(jdir, 'lock'), '4194303');
    const { journal } = await openJournal(jdir);
    expect(readFileSync(join(jdir, 'lock'), 'utf8')).toBe(String(process.pid));
    await journal.close();
    expect(readdirSync(jdir)).toEqual([]);
  });
});
