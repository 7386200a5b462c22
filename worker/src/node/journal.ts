/**
 * The record journal: Node's crash-safe copy of the request records that are buffered in memory
 * until the stats flush writes them to the database (group-holder.ts). Without it a hard kill
 * (kill -9, OOM killer, power cut of a container) lost every record since the last flush, up to a
 * whole stats save interval (60 s by default).
 *
 * On disk: `<dataDir>/journal/` (mode 0700, claimed by a `lock` file holding the pid, so two
 * processes never share it) holds generation files `<n>.jsonl` (mode 0600), one
 * JSON object per line, appended in order:
 * - `{"g":groupId,"r":record}`   a finished request's record (RequestRecord);
 * - `{"t":flushId,"g":groupId,"ids":[recordId…]}`   the flush protocol took these records into a
 *   pending flush with this id (written, and awaited, *before* the database write);
 * - `{"d":flushId}`   the database confirmed that flush.
 *
 * Why the take line: stats rows are additive, so replaying a record under a new flush id after a
 * crash between the database commit and the `d` line would count it twice. Replay re-sends a taken
 * batch with its original id instead, and `Store.applyFlush` recognises the id (applied_flushes)
 * and writes nothing: a record is counted once whatever the moment of the crash.
 *
 * Cost on the request path: `append` only serialises the record and queues the line; a timer
 * writes the queue every `writeIntervalMs` (100 ms) with one asynchronous write, so a kill -9 loses
 * at most the records of the last interval (the page cache survives a killed process). The file
 * is also fdatasync'ed (asynchronously, off the event loop) at most once a second, for power loss.
 *
 * Truncation: a new generation file is started when the current one reaches `rotateBytes`, at
 * every start, and when every record in it is confirmed; files are deleted oldest first as soon as
 * every record they hold is confirmed by the database. Bounded: past `maxBytes` (a long database
 * outage) the oldest file is dropped and its unconfirmed records are counted as dropped and logged.
 *
 * Torn writes: a line that does not parse, or a last line without its newline (the process died
 * mid-write), is skipped and counted at replay; no file is ever appended to after a restart.
 *
 * Records evicted from a group's memory buffer by its cap (MAX_BUFFERED_RECORDS, during a database
 * outage) stay in the journal ("spilled") and are read back (`reload`) once the buffer drains.
 *
 * A write error (disk full) turns the journal off for the rest of the run: it logs the error,
 * deletes its files (every unconfirmed record is still in memory and is flushed as without a
 * journal; a spilled one is counted as dropped) and the gateway goes on.
 */
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { PendingFlush } from '../accounting/flusher';
import type { RequestRecord } from '../accounting/records';
import type { Logger } from '../platform';

/** How often queued lines are written, ms: the most a kill -9 can lose. */
export const JOURNAL_WRITE_MS = 100;
/** Largest journal on disk, bytes, before the oldest file is dropped. */
export const JOURNAL_MAX_BYTES = 256 * 1024 * 1024;
/** A generation file is closed and a new one started past this size, bytes. */
export const JOURNAL_ROTATE_BYTES = 4 * 1024 * 1024;
/** Least time between two fdatasync calls, ms. */
const SYNC_EVERY_MS = 1_000;

const FILE_NAME = /^(\d+)\.jsonl$/;
/** Holds the pid of the process using the folder. */
const LOCK_FILE = 'lock';

/**
 * Claims the journal folder for this process. Two processes on one folder would each replay (and
 * delete) the other's live files and count records twice, so a second one is refused. A lock left
 * by a process that is gone (kill -9), or by this very pid (a container restarted as pid 1), is
 * taken over.
 * @throws when a live process on this machine holds the folder.
 */
async function takeLock(dir: string): Promise<void> {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new Error(`the journal folder is in use by process ${pid}`);
    await unlink(file).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The part of the journal a group holder uses (tests can fake it). */
export interface GroupJournal {
  /** Queues a record of `groupId`. @returns false when the journal is off (the record is memory-only). */
  append(groupId: number, record: RequestRecord): boolean;
  /** Notes that a flush with `flushId` took these records; resolves once the line is written. Never rejects. */
  take(groupId: number, flushId: string, recordIds: string[]): Promise<void>;
  /** Notes that the database confirmed `flushId`: its records may be truncated. */
  done(flushId: string): void;
  /**
   * Records evicted from a group's memory buffer: they stay on disk until `reload`.
   * @returns how many of them the journal does not hold (they are lost; the caller counts them).
   */
  spill(groupId: number, recordIds: string[]): number;
  /** Spilled records of the group still on disk. */
  spilled(groupId: number): number;
  /** Reads back up to `limit` of the group's oldest spilled records (they are no longer spilled). */
  reload(groupId: number, limit: number): Promise<RequestRecord[]>;
}

/** What `open` found on disk: per group, the flushes that were taken and not confirmed, and how many records wait. */
export interface JournalRecovery {
  /** Pending flushes per group id, oldest first, with their records; re-sent with their own ids. */
  pending: Map<number, PendingFlush[]>;
  /** Unconfirmed records per group id that are not in a pending flush (spilled: read back by `reload`). */
  spilled: Map<number, number>;
  /** Unconfirmed records in total. */
  records: number;
  /** Lines skipped because they were torn or corrupt. */
  skippedLines: number;
  /** Generation files read. */
  files: number;
}

export interface JournalOptions {
  /** The journal folder (created, mode 0700). */
  dir: string;
  logger: Logger;
  /** ms between two writes of the queue (default JOURNAL_WRITE_MS). */
  writeIntervalMs?: number;
  /** Size cap, bytes (default JOURNAL_MAX_BYTES). */
  maxBytes?: number;
  /** Size at which a new file is started, bytes (default JOURNAL_ROTATE_BYTES, at most maxBytes / 4). */
  rotateBytes?: number;
}

interface FileState {
  gen: number;
  bytes: number;
  /** Records written to this file and not yet confirmed. */
  undone: number;
}

interface Entry {
  group: number;
  /** The file holding the record; -1 while it is only queued. */
  gen: number;
  /** Not in the group's memory buffer (evicted, or recovered at start): read back by `reload`. */
  spilled: boolean;
}

interface Queued {
  line: string;
  /** A record line: its id. */
  id?: string;
}

/** One line of the journal, parsed. */
type Line = { g: number; r: RequestRecord } | { t: string; g: number; ids: string[] } | { d: string };

function parseLine(text: string): Line | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (!v || typeof v !== 'object') return null;
    if (typeof v.g === 'number' && v.r && typeof v.r === 'object' && typeof (v.r as RequestRecord).id === 'string') return v as Line;
    if (typeof v.t === 'string' && typeof v.g === 'number' && Array.isArray(v.ids)) return v as Line;
    if (typeof v.d === 'string') return v as Line;
    return null;
  } catch {
    return null;
  }
}

/**
 * Complete lines of a file, read as a stream (never the whole file at once).
 * @param onTorn called when the file ends without a newline (a torn last write).
 */
async function* readLines(file: string, onTorn: () => void): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    const text = rest + (chunk as string);
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const l of lines) if (l) yield l;
  }
  if (rest) onTorn();
}

/**
 * One journal per process (one process per data folder), shared by every group holder. Every
 * method is safe to call at any time; none throws for a disk error (see `turnOff`).
 */
export class RecordJournal implements GroupJournal {
  private readonly files: FileState[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly spilledBy = new Map<number, number>();
  /** Taken, unconfirmed flushes: id → record ids. */
  private readonly takes = new Map<string, string[]>();
  private queue: Queued[] = [];
  private writing: Promise<void> | null = null;
  private fh: FileHandle | null = null;
  private current: FileState | null = null;
  private nextGen: number;
  private totalBytes = 0;
  private lastSync = 0;
  /** The running fdatasync, if any (at most one). */
  private syncing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private off = false;
  private closed = false;
  /** Records dropped (journal over its cap, or unreadable), per group, since start. */
  readonly dropped = new Map<number, number>();
  private readonly writeIntervalMs: number;
  private readonly maxBytes: number;
  private readonly rotateBytes: number;

  private constructor(private readonly dir: string, private readonly logger: Logger, opts: JournalOptions, nextGen: number) {
    this.writeIntervalMs = opts.writeIntervalMs ?? JOURNAL_WRITE_MS;
    this.maxBytes = opts.maxBytes ?? JOURNAL_MAX_BYTES;
    this.rotateBytes = Math.max(1, Math.min(opts.rotateBytes ?? JOURNAL_ROTATE_BYTES, Math.floor(this.maxBytes / 4)));
    this.nextGen = nextGen;
  }

  /**
   * Opens the journal folder and replays what a previous run left: confirmed flushes are
   * forgotten, taken-but-unconfirmed flushes come back with their ids and records, every other
   * record is counted as spilled (read back by `reload`). Then starts the write timer.
   * @throws when the folder cannot be created or listed.
   */
  static async open(opts: JournalOptions): Promise<{ journal: RecordJournal; recovery: JournalRecovery }> {
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    await chmod(opts.dir, 0o700);
    await takeLock(opts.dir);
    const gens = (await readdir(opts.dir)).map((f) => FILE_NAME.exec(f)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
    const j = new RecordJournal(opts.dir, opts.logger, opts, (gens.at(-1) ?? 0) + 1);
    const recovery = await j.replay(gens);
    j.timer = setInterval(() => {
      if (j.queue.length > 0) void j.kick();
    }, j.writeIntervalMs);
    j.timer.unref();
    return { journal: j, recovery };
  }

  append(groupId: number, record: RequestRecord): boolean {
    if (this.off || this.closed) return false;
    this.entries.set(record.id, { group: groupId, gen: -1, spilled: false });
    this.queue.push({ line: `${JSON.stringify({ g: groupId, r: record })}\n`, id: record.id });
    return true;
  }

  take(groupId: number, flushId: string, recordIds: string[]): Promise<void> {
    if (this.off) return Promise.resolve();
    const ids = recordIds.filter((id) => this.entries.has(id));
    if (ids.length === 0) return Promise.resolve();
    this.takes.set(flushId, ids);
    this.queue.push({ line: `${JSON.stringify({ t: flushId, g: groupId, ids })}\n` });
    return this.kick();
  }

  done(flushId: string): void {
    const ids = this.takes.get(flushId);
    if (!ids) return;
    this.takes.delete(flushId);
    for (const id of ids) this.forget(id);
    if (this.off) return;
    this.queue.push({ line: `${JSON.stringify({ d: flushId })}\n` });
    // Written by the next timer tick; truncation follows the write.
  }

  spill(groupId: number, recordIds: string[]): number {
    let lost = 0;
    for (const id of recordIds) {
      const e = this.entries.get(id);
      if (!e || e.spilled) {
        lost += 1;
        continue;
      }
      e.spilled = true;
      this.spilledBy.set(groupId, (this.spilledBy.get(groupId) ?? 0) + 1);
    }
    return lost;
  }

  spilled(groupId: number): number {
    return this.spilledBy.get(groupId) ?? 0;
  }

  async reload(groupId: number, limit: number): Promise<RequestRecord[]> {
    if (limit <= 0 || this.spilled(groupId) === 0) return [];
    await this.kick();
    const wanted = new Set<string>();
    let from = Infinity;
    for (const [id, e] of this.entries) {
      if (e.group !== groupId || !e.spilled) continue;
      wanted.add(id);
      if (e.gen >= 0) from = Math.min(from, e.gen);
    }
    const out: RequestRecord[] = [];
    for (const f of [...this.files]) {
      if (f.gen < from) continue;
      try {
        for await (const text of readLines(this.path(f.gen), () => {})) {
          const l = parseLine(text);
          if (!l || !('r' in l) || !wanted.has(l.r.id)) continue;
          wanted.delete(l.r.id);
          const e = this.entries.get(l.r.id);
          if (!e?.spilled) continue;
          e.spilled = false;
          this.spilledBy.set(groupId, this.spilled(groupId) - 1);
          out.push(l.r);
          if (out.length >= limit) return out;
        }
      } catch (err) {
        this.logger.error('journal file unreadable', { file: this.path(f.gen), error: String(err).slice(0, 300) });
      }
    }
    // Spilled records no file holds any more (unreadable): never found, so never coming back.
    for (const id of wanted) {
      const e = this.entries.get(id);
      if (!e?.spilled) continue;
      this.forget(id);
      this.count(this.dropped, groupId, 1);
    }
    if (wanted.size > 0) this.logger.error('journal records could not be read back: dropped', { group: groupId, dropped: wanted.size });
    return out;
  }

  /** Writes every queued line now. Never rejects (a write error turns the journal off). */
  sync(): Promise<void> {
    return this.kick();
  }

  /** Journal size on disk, bytes, and unconfirmed records (tests, logs). */
  size(): { bytes: number; files: number; records: number } {
    return { bytes: this.totalBytes, files: this.files.length, records: this.entries.size };
  }

  /**
   * Writes what is queued, stops the timer, closes the file and deletes every fully confirmed file
   * (after a complete shutdown flush, the folder is left empty).
   */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.kick();
    this.closed = true;
    await this.collect();
    await this.closeFile();
    await unlink(join(this.dir, LOCK_FILE)).catch(() => {});
  }

  // --- internals ---

  private path(gen: number): string {
    return join(this.dir, `${String(gen).padStart(8, '0')}.jsonl`);
  }

  private count(map: Map<number, number>, group: number, n: number): void {
    map.set(group, (map.get(group) ?? 0) + n);
  }

  /** A record is confirmed (or given up): no file needs to keep it. */
  private forget(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    if (e.spilled) this.spilledBy.set(e.group, this.spilled(e.group) - 1);
    if (e.gen >= 0) {
      const f = this.files.find((x) => x.gen === e.gen);
      if (f) f.undone -= 1;
    }
  }

  /** Starts writing the queue unless a write is running; resolves once the queue is empty. */
  private kick(): Promise<void> {
    this.writing ??= this.drain().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.off) {
      // At most about a rotation's worth per write, so a burst still ends up in files of bounded size.
      let n = 0;
      for (let chars = 0; n < this.queue.length && chars < this.rotateBytes; n++) chars += this.queue[n]!.line.length;
      const batch = this.queue.splice(0, Math.max(1, n));
      await this.writeBatch(batch);
    }
    if (!this.off) await this.collect();
  }

  private async writeBatch(batch: Queued[]): Promise<void> {
    const text = batch.map((q) => q.line).join('');
    const bytes = Buffer.byteLength(text);
    try {
      if (!this.fh || !this.current) {
        const gen = this.nextGen++;
        this.fh = await open(this.path(gen), 'a', 0o600);
        await this.fh.chmod(0o600);
        this.current = { gen, bytes: 0, undone: 0 };
        this.files.push(this.current);
      }
      await this.fh.write(text);
    } catch (err) {
      await this.turnOff(err);
      return;
    }
    const f = this.current;
    f.bytes += bytes;
    this.totalBytes += bytes;
    for (const q of batch) {
      if (q.id === undefined) continue;
      const e = this.entries.get(q.id);
      if (e && e.gen < 0) {
        e.gen = f.gen;
        f.undone += 1;
      }
    }
    // Not awaited: a slow disk flush must not hold up the next batch (a kill needs only the write).
    if (!this.syncing && Date.now() - this.lastSync >= SYNC_EVERY_MS) {
      this.lastSync = Date.now();
      this.syncing = this.fh.datasync().catch(() => {}).finally(() => {
        this.syncing = null;
      });
    }
    if (f.bytes >= this.rotateBytes) await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.current = null;
    await this.syncing;
    await fh?.close().catch(() => {});
  }

  /**
   * Deletes confirmed files, oldest first (a take line in a later file may refer to records of an
   * earlier one, so a file goes only after every earlier one), then enforces the size cap.
   */
  private async collect(): Promise<void> {
    // Nothing unconfirmed in the current file and nothing queued: start a new one, so this one can go.
    if (this.current && this.queue.length === 0 && this.files.every((f) => f.undone === 0)) await this.closeFile();
    while (this.files.length > 0) {
      const f = this.files[0]!;
      if (f === this.current || f.undone > 0) break;
      await this.remove(f);
    }
    while (this.totalBytes > this.maxBytes && this.files.length > 1 && this.files[0] !== this.current) {
      const f = this.files[0]!;
      const lost = new Map<number, number>();
      for (const [id, e] of this.entries) {
        if (e.gen !== f.gen) continue;
        // Still in memory (not spilled): it is flushed from there; only the journal copy is gone.
        if (e.spilled) this.count(lost, e.group, 1);
        this.forget(id);
      }
      for (const [g, n] of lost) this.count(this.dropped, g, n);
      this.logger.error('journal over its size cap: oldest file dropped', { file: this.path(f.gen), bytes: f.bytes, cap: this.maxBytes, dropped: Object.fromEntries(lost) });
      await this.remove(f);
    }
  }

  private async remove(f: FileState): Promise<void> {
    this.files.splice(this.files.indexOf(f), 1);
    this.totalBytes -= f.bytes;
    await unlink(this.path(f.gen)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.logger.warn('journal file not deleted', { file: this.path(f.gen), error: err.message });
    });
  }

  /** A write failed: memory-only from now on, and no file left behind that a later start would replay twice. */
  private async turnOff(err: unknown): Promise<void> {
    if (this.off) return;
    this.off = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.queue = [];
    const lost = new Map<number, number>();
    for (const e of this.entries.values()) if (e.spilled) this.count(lost, e.group, 1);
    for (const [g, n] of lost) this.count(this.dropped, g, n);
    this.entries.clear();
    this.spilledBy.clear();
    this.takes.clear();
    this.logger.error('journal write failed: records are kept in memory only until the next start', { dir: this.dir, error: String(err).slice(0, 300), dropped: Object.fromEntries(lost) });
    await this.closeFile();
    for (const f of [...this.files]) await this.remove(f);
  }

  /**
   * Reads every generation file in order (see `open`): a first pass builds the index (record ids,
   * takes, confirmations) without keeping records; a second pass reads only the records of the
   * pending flushes. Memory stays proportional to the ids, not to the journal.
   */
  private async replay(gens: number[]): Promise<JournalRecovery> {
    let skipped = 0;
    const takeGroup = new Map<string, number>();
    for (const gen of gens) {
      const file = this.path(gen);
      const f: FileState = { gen, bytes: 0, undone: 0 };
      this.files.push(f);
      try {
        await chmod(file, 0o600);
        f.bytes = (await stat(file)).size;
        for await (const text of readLines(file, () => (skipped += 1))) {
          const l = parseLine(text);
          if (!l) {
            skipped += 1;
            continue;
          }
          if ('r' in l) {
            if (this.entries.has(l.r.id)) continue;
            this.entries.set(l.r.id, { group: l.g, gen, spilled: true });
            f.undone += 1;
          } else if ('t' in l) {
            const ids = l.ids.filter((id) => typeof id === 'string' && this.entries.has(id));
            if (ids.length > 0) {
              this.takes.set(l.t, ids);
              takeGroup.set(l.t, l.g);
            }
          } else {
            const ids = this.takes.get(l.d);
            this.takes.delete(l.d);
            for (const id of ids ?? []) this.forget(id);
          }
        }
      } catch (err) {
        this.logger.error('journal file unreadable: skipped', { file, error: String(err).slice(0, 300) });
      }
      this.totalBytes += f.bytes;
    }
    // Second pass: the records of the pending flushes.
    const wanted = new Set<string>();
    for (const ids of this.takes.values()) for (const id of ids) wanted.add(id);
    const records = new Map<string, RequestRecord>();
    if (wanted.size > 0) {
      for (const f of this.files) {
        try {
          for await (const text of readLines(this.path(f.gen), () => {})) {
            const l = parseLine(text);
            if (l && 'r' in l && wanted.has(l.r.id)) records.set(l.r.id, l.r);
          }
        } catch {
          // Logged by the first pass.
        }
      }
    }
    const pending = new Map<number, PendingFlush[]>();
    for (const [id, ids] of this.takes) {
      const group = takeGroup.get(id)!;
      for (const r of ids) {
        const e = this.entries.get(r);
        if (e) e.spilled = false;
      }
      const list = pending.get(group) ?? [];
      list.push({ id, records: ids.map((r) => records.get(r)).filter((r) => r !== undefined), tries: 0 });
      pending.set(group, list);
    }
    for (const e of this.entries.values()) if (e.spilled) this.count(this.spilledBy, e.group, 1);
    await this.collect();
    if (skipped > 0) this.logger.warn('journal: torn or corrupt lines skipped', { skipped });
    return { pending, spilled: new Map(this.spilledBy), records: this.entries.size, skippedLines: skipped, files: gens.length };
  }
}
