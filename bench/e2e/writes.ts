/**
 * Sees when a gateway writes to its database, from outside: polls the size and mtime of the
 * database files (SQLite main file and `-wal`; the Worker's local D1 files under its state folder)
 * every few ms and groups the changes into bursts. A stats flush is one burst; so are the small
 * writes off the request path (a key's last-used time, routing state). With these windows the
 * benchmark can say which requests ran while the gateway was writing, and how slow they were.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A period of database writes, performance.now() ms: the first and last poll that saw a change. */
export interface Burst {
  start: number;
  end: number;
  /** Bytes the files grew by in the burst (a WAL rewritten from its start after a checkpoint counts 0). */
  grewBytes: number;
  /** Polls that saw a change: 1 for a single small transaction, many for a long flush. */
  polls: number;
}

/** A burst big enough to be a stats flush rather than one small write (a key's last-used time). */
export function isFlush(b: Burst): boolean {
  return b.polls >= 3 || b.grewBytes >= 128 * 1024;
}

/** Every regular file below `dir` whose name looks like SQLite's (.sqlite, .db, -wal, -shm excluded). */
export function sqliteFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(sqlite|db)(-wal)?$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export class WriteWatcher {
  private last = new Map<string, { mtime: bigint; size: bigint }>();
  private timer: NodeJS.Timeout | null = null;
  private files: string[] = [];
  private listedAt = 0;
  /** Bursts seen so far (the open one included once it has a change). */
  readonly bursts: Burst[] = [];
  private open: Burst | null = null;

  /**
   * @param list the files to watch (called again every second: files may appear)
   * @param gapMs changes closer than this belong to one burst
   */
  constructor(private readonly list: () => string[], private readonly pollMs = 5, private readonly gapMs = 250) {}

  start(): void {
    this.poll(true);
    this.timer = setInterval(() => this.poll(false), this.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The first finished burst (no change for gapMs since) that started at or after `t` and passes `test`, or null. */
  closedAfter(t: number, test: (b: Burst) => boolean = () => true): Burst | null {
    const now = performance.now();
    return this.bursts.find((b) => b.start >= t && now - b.end > this.gapMs && test(b)) ?? null;
  }

  /** The bursts overlapping [from, to] (performance.now() ms). */
  during(from: number, to: number): Burst[] {
    return this.bursts.filter((b) => b.end >= from && b.start <= to);
  }

  private poll(initial: boolean): void {
    const now = performance.now();
    if (now - this.listedAt > 1000) {
      this.files = this.list();
      this.listedAt = now;
    }
    let changed = false;
    let grew = 0n;
    for (const f of this.files) {
      let s;
      try {
        s = statSync(f, { bigint: true });
      } catch {
        continue;
      }
      const prev = this.last.get(f);
      if (prev && (prev.mtime !== s.mtimeNs || prev.size !== s.size)) {
        changed = true;
        if (s.size > prev.size) grew += s.size - prev.size;
      }
      this.last.set(f, { mtime: s.mtimeNs, size: s.size });
    }
    if (initial || !changed) return;
    if (this.open && now - this.open.end <= this.gapMs) {
      this.open.end = now;
      this.open.grewBytes += Number(grew);
      this.open.polls++;
    } else {
      // The write began after the previous poll.
      this.open = { start: now - this.pollMs, end: now, grewBytes: Number(grew), polls: 1 };
      this.bursts.push(this.open);
    }
  }
}
