/**
 * GroupStates for Node: a map of in-process GroupHolders (one per group id, made on first use) and
 * the timer that flushes their records and persists their routing state every stats save interval
 * (the `statsSaveIntervalSeconds` setting, re-read at each tick). `close()` stops the timer and does
 * the final persist and flush (graceful shutdown), then closes the record journal, which is left
 * empty when everything was written. With a journal, what a previous run left in it is flushed
 * right at `start()` rather than one interval later.
 */
import type { PatternCatch } from '../routing/catches';
import type { BreakerPhase } from '../routing/breaker';
import { flushIntervalMs, FlushWriter } from '../accounting/flusher';
import type { RequestRecord } from '../accounting/records';
import type { PendingRecord } from '../accounting/pending';
import type { Store } from '../db/store';
import type { GroupStates, Logger } from '../platform';
import type { GroupHealth, Plan, PlanInput, RoutingReport } from '../routing/types';
import type { ReasoningTurn } from '../routing/reasoning-memory';
import { GroupHolder, MAX_BUFFERED_RECORDS } from './group-holder';

/**
 * Records of one group waiting in memory that start its flush before the stats save interval:
 * ten database batches (FLUSH_MAX_RECORDS each), a few MB of memory.
 */
export const EARLY_FLUSH_RECORDS = 2_000;
import type { JournalRecovery, RecordJournal } from './journal';

export interface NodeGroupStatesOptions {
  now?: () => number;
  /** Flush interval override, ms (tests); otherwise the stats save interval setting. */
  flushIntervalMs?: number;
  /** The record journal (node/journal.ts), already opened; none: records live in memory only. */
  journal?: RecordJournal;
  /** Flush observers (metrics). */
  hooks?: FlushHooks;
}

/** Observers of the flushes (node/metrics.ts); each must not throw. */
export interface FlushHooks {
  /** A flush's records, priced, once the database applied them (exactly once per record). */
  applied?(records: readonly RequestRecord[]): void;
  /** A group's flush failed (its records are kept for a retry). */
  failed?(groupId: number): void;
}

/** Outcome of flushing every holder: records written, and records still unflushed after failures. */
export interface FlushAllResult {
  ok: boolean;
  unflushed: number;
}

export class NodeGroupStates implements GroupStates {
  private readonly holders = new Map<number, GroupHolder>();
  /** Per group, the dropped count already logged. */
  private readonly droppedLogged = new Map<number, number>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  /** The stats save interval as last read, ms (the back-off of an early flush grows from it). */
  private lastIntervalMs = 60_000;
  private tick: Promise<void> | null = null;
  private closed = false;
  /** A previous run's records are waiting: the first flush runs at once. */
  private replayed = false;

  constructor(private readonly store: Store, private readonly logger: Logger, private readonly opts: NodeGroupStatesOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  plan(groupId: number, input: PlanInput): Promise<Plan> {
    return this.holder(groupId).plan(input);
  }

  report(groupId: number, report: RoutingReport): Promise<void> {
    const h = this.holder(groupId);
    h.observe(report);
    return h.report(report);
  }

  health(groupId: number): Promise<GroupHealth> {
    return this.holder(groupId).health();
  }

  async catches(groupId: number): Promise<PatternCatch[]> {
    return this.holder(groupId).catches();
  }

  async record(groupId: number, record: RequestRecord): Promise<void> {
    const h = this.holder(groupId);
    h.record(record);
    this.flushEarlyWhenFull(h);
  }

  async finish(groupId: number, report: RoutingReport, record: RequestRecord, reasoning?: ReasoningTurn): Promise<void> {
    const h = this.holder(groupId);
    // The record first: it must be buffered even when the routing state cannot be loaded.
    h.record(record);
    h.observe(report, record);
    this.flushEarlyWhenFull(h);
    if (reasoning) await h.remember(reasoning);
    await h.report(report);
  }

  /** The group's unflushed records (GroupHolder.pendingRecords); a group never used here has none (no holder is made). */
  async pending(groupId: number, sinceMs: number): Promise<PendingRecord[]> {
    return this.holders.get(groupId)?.pendingRecords(sinceMs) ?? [];
  }

  /** `pending` reads served by one group's holder since start (tests: a closed tail stops reading). */
  pendingReads(groupId: number): number {
    return this.holders.get(groupId)?.pendingReads ?? 0;
  }

  /**
   * Hands what the journal found at open to the holders: pending flushes (re-sent with their ids)
   * and the count of records to read back. Call before `start()`.
   */
  recover(recovery: JournalRecovery): void {
    for (const [groupId, pending] of recovery.pending) this.holder(groupId).restore(pending);
    for (const groupId of recovery.spilled.keys()) this.holder(groupId);
    this.replayed = recovery.records > 0;
  }

  /** Per group this process has served, its records not yet in the database (metrics). */
  unflushedByGroup(): { groupId: number; records: number }[] {
    return [...this.holders.values()].map((h) => ({ groupId: h.groupId, records: h.unflushed() }));
  }

  /**
   * Every breaker of the groups this process has served: member id and phase (metrics). A group
   * whose state cannot be loaded (database down) is left out rather than failing the scrape.
   */
  async breakerPhases(): Promise<{ groupId: number; memberId: number; phase: BreakerPhase }[]> {
    const out: { groupId: number; memberId: number; phase: BreakerPhase }[] = [];
    for (const h of this.holders.values()) {
      const health = await h.health().catch(() => null);
      if (!health) continue;
      for (const [memberId, m] of Object.entries(health.members)) out.push({ groupId: h.groupId, memberId: Number(memberId), phase: m.phase });
    }
    return out;
  }

  /** Records not yet in the database, of one group or of every group. */
  unflushed(groupId?: number): number {
    if (groupId !== undefined) return this.holders.get(groupId)?.unflushed() ?? 0;
    let n = 0;
    for (const h of this.holders.values()) n += h.unflushed();
    return n;
  }

  /** Writes every changed routing state now. @returns false when a write failed (logged; it stays dirty). */
  async persistAll(): Promise<boolean> {
    let ok = true;
    for (const h of this.holders.values()) {
      try {
        await h.persist();
      } catch (err) {
        ok = false;
        this.logger.warn('routing state save failed, will retry', { group: h.groupId, error: String(err).slice(0, 300) });
      }
    }
    return ok;
  }

  /**
   * Persists every changed routing state, then flushes every holder. Failures are logged, never thrown.
   * @param force flush even holders in their back-off after a failure (shutdown, tests).
   */
  async flushAll(force = false): Promise<FlushAllResult> {
    const intervalMs = await this.intervalMs();
    let ok = await this.persistAll();
    for (const h of this.holders.values()) {
      const dropped = h.dropped + (this.opts.journal?.dropped.get(h.groupId) ?? 0);
      if (dropped > (this.droppedLogged.get(h.groupId) ?? 0)) {
        this.logger.error('records dropped: the buffer is full while the database is unavailable', { group: h.groupId, dropped, cap: MAX_BUFFERED_RECORDS, journal: this.opts.journal ? 'full or unreadable' : 'none' });
        this.droppedLogged.set(h.groupId, dropped);
      }
      const r = await h.flush({ force, intervalMs });
      // Requests run between two groups' flushes too (see drainBuffer's pause).
      await new Promise<void>((ok) => setImmediate(ok));
      if (!r.ok) {
        ok = false;
        this.opts.hooks?.failed?.(h.groupId);
        this.logger.warn('stats flush failed, will retry', { group: h.groupId, flush: r.failed.id, tries: r.failed.tries, error: String(r.error).slice(0, 300) });
      }
    }
    return { ok, unflushed: this.unflushed() };
  }

  /**
   * Persists and flushes one group now (tests).
   * @returns ok false when the database failed (the records are kept for a retry).
   */
  async flushGroup(groupId: number, force = true): Promise<FlushAllResult> {
    const h = this.holders.get(groupId);
    if (!h) return { ok: true, unflushed: 0 };
    let ok = true;
    try {
      await h.persist();
    } catch {
      ok = false;
    }
    const r = await h.flush({ force, intervalMs: await this.intervalMs() });
    return { ok: ok && r.ok, unflushed: h.unflushed() };
  }

  /**
   * Starts a group's flush before the interval once EARLY_FLUSH_RECORDS wait in memory: under load
   * (thousands of requests a second) a 60 s interval held hundreds of thousands of records, about
   * 1 KB each, and then wrote them in one long drain. A group in its back-off after a failed flush
   * is left alone (flush() returns at once), so a database outage is not hammered.
   */
  private flushEarlyWhenFull(h: GroupHolder): void {
    if (this.closed || h.isFlushing() || h.buffered() < EARLY_FLUSH_RECORDS) return;
    void h.flush({ intervalMs: this.lastIntervalMs }).then((r) => {
      if (!r.ok) this.opts.hooks?.failed?.(h.groupId);
      if (!r.ok) this.logger.warn('stats flush failed, will retry', { group: h.groupId, flush: r.failed.id, tries: r.failed.tries, error: String(r.error).slice(0, 300) });
    }, (err) => this.logger.error('stats flush failed', { group: h.groupId, error: String(err).slice(0, 300) }));
  }

  /** Starts the periodic flush; each tick re-reads the interval, so a settings change applies at the next one. */
  start(): void {
    if (this.timer || this.closed) return;
    const schedule = (ms: number) => {
      this.timer = setTimeout(() => {
        this.tick = this.flushAll().then(() => undefined, () => undefined).finally(async () => {
          this.tick = null;
          if (!this.closed) schedule(await this.intervalMs());
        });
      }, ms);
      // Never the reason the process stays up: the server is.
      this.timer.unref();
    };
    void this.intervalMs().then((ms) => schedule(this.replayed ? 0 : ms));
  }

  /**
   * Stops the timer, waits for a running tick, then persists and flushes everything, retrying a
   * failed flush a few times (the database may be briefly busy).
   * @returns whether everything was written, and how many records were not.
   */
  async close(opts: { retries?: number; retryDelayMs?: number } = {}): Promise<FlushAllResult> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.tick;
    let result = await this.flushAll(true);
    for (let i = 0; i < (opts.retries ?? 3) && !result.ok; i++) {
      await new Promise((ok) => setTimeout(ok, opts.retryDelayMs ?? 1000));
      result = await this.flushAll(true);
    }
    // Confirmed records leave the journal; unwritten ones stay in it for the next start.
    await this.opts.journal?.close();
    if (!result.ok && this.opts.journal) this.logger.warn('unwritten records stay in the journal for the next start', { unflushed: result.unflushed });
    return result;
  }

  private holder(groupId: number): GroupHolder {
    let h = this.holders.get(groupId);
    if (!h) {
      // A price cache per group, as each Durable Object has its own: a group seen for the first
      // time prices with the current table.
      const hooks = this.opts.hooks;
      h = new GroupHolder(groupId, this.store, new FlushWriter(this.now, hooks?.applied && ((records) => hooks.applied!(records))), this.now, Math.random, MAX_BUFFERED_RECORDS, this.opts.journal);
      this.holders.set(groupId, h);
    }
    return h;
  }

  private async intervalMs(): Promise<number> {
    try {
      this.lastIntervalMs = await flushIntervalMs(this.store, this.opts.flushIntervalMs);
    } catch {
      this.lastIntervalMs = 60_000; // the settings could not be read: the default interval
    }
    return this.lastIntervalMs;
  }
}
