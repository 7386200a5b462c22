/**
 * GroupHolder: Node's in-process counterpart of the edge GroupObject, one per group. Same pure
 * routing (routing/plan.ts, routing/health.ts) and the same flush protocol (accounting/flusher.ts);
 * only where state lives differs:
 * - routing state (cursors, breakers, key cooldowns, sticky sessions) in memory, loaded lazily from
 *   the settings table (`routing-state:<groupId>`) on first use and written back by `persist()`
 *   (periodically and at shutdown), so breakers and cooldowns survive a restart;
 * - request records in a memory buffer until `flush()` writes them (on the stats save interval and
 *   at shutdown), each also appended to the record journal when there is one (node/journal.ts), so
 *   a hard kill loses at most the journal's write interval; the journal also keeps the records the
 *   buffer cap evicts during a database outage, and they are read back once the buffer drains.
 * - the reasoning memory (routing/reasoning-memory.ts: signed reasoning of tool-calling turns for
 *   OpenAI Chat clients) in memory, loaded with the routing state from `reasoning-state:<groupId>`
 *   and written back by `persist()` when it changed, so a tool loop survives a restart.
 * - each member's recent traffic (routing/window.ts) in memory only, for the health view.
 * JavaScript runs one call at a time and every state change below happens between awaits, so calls
 * of one group never interleave inside a transition (the Durable Object's single-threading, here).
 */
import { drainBuffer, retryDelayMs, type DrainResult, type FlushBuffer, type FlushWriter, type PendingFlush } from '../accounting/flusher';
import type { RequestRecord } from '../accounting/records';
import { newestPending, type PendingRecord } from '../accounting/pending';
import type { Store } from '../db/store';
import type { GroupJournal } from './journal';
import { CatchLog, type PatternCatch } from '../routing/catches';
import { applyReport, healthView } from '../routing/health';
import { planRequest } from '../routing/plan';
import { HealthWindows } from '../routing/window';
import { emptyRoutingState, type GroupHealth, type Plan, type PlanInput, type RoutingReport, type RoutingState } from '../routing/types';
import { ReasoningMemory, type ReasoningEntry, type ReasoningMemoryLimits, type ReasoningTurn } from '../routing/reasoning-memory';

/** One turn of the event loop: requests waiting on I/O run between two flush batches. */
const nextTurn = () => new Promise<void>((ok) => setImmediate(ok));

/** Settings key holding a group's routing state. */
export function routingStateKey(groupId: number): string {
  return `routing-state:${groupId}`;
}

/** Settings key holding a group's recent-traffic windows (routing/window.ts snapshot), so a restart keeps the health numbers. */
export function healthWindowKey(groupId: number): string {
  return `health-window:${groupId}`;
}

/** Settings key holding a group's reasoning memory (its entries, oldest first). */
export function reasoningStateKey(groupId: number): string {
  return `reasoning-state:${groupId}`;
}

/**
 * Most records one group buffers in memory while its flushes fail (a database outage), ~1-2 KB each
 * without bodies. Past it the oldest leave memory: with a journal they stay on disk (up to the
 * journal's size cap) and are read back when the buffer drains; without one, or past that cap,
 * they are dropped, counted (`dropped`) and logged by the flush timer. Memory stays bounded, and
 * the newest records (what an admin looks at first) survive.
 */
export const MAX_BUFFERED_RECORDS = 50_000;

export class GroupHolder {
  /** Records dropped because the buffer was full, since start. */
  dropped = 0;
  /** `pendingRecords()` calls since start (the live tail's reads; tests check a closed tail stops them). */
  pendingReads = 0;
  private state: RoutingState = emptyRoutingState();
  private memory: ReasoningMemory;
  /** Recent pattern catches, memory only (a restart forgets them). */
  private readonly caught = new CatchLog();
  private windows = new HealthWindows();
  /** Traffic windows changed since the last persist. */
  private windowsDirty = false;
  private loading: Promise<void> | null = null;
  /** The load has succeeded: callers skip awaiting it (an await of a settled promise still costs a microtask turn per call, several per request). */
  private loaded = false;
  /** Routing state changed since the last persist. */
  private dirty = false;
  private records: RequestRecord[] = [];
  private pending: PendingFlush | undefined;
  /** Pending flushes a previous run left in the journal, re-sent (same ids) before anything else. */
  private recovered: PendingFlush[] = [];
  /** The running flush, so two never overlap (a timer tick and the shutdown flush). */
  private flushing: Promise<DrainResult> | null = null;
  /** After a failed flush: not before this time (ms), except when forced. */
  private retryAt = 0;

  constructor(
    readonly groupId: number,
    private readonly store: Store,
    private readonly writer: FlushWriter,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly maxBuffered: number = MAX_BUFFERED_RECORDS,
    private readonly journal?: GroupJournal,
    private readonly reasoningLimits?: ReasoningMemoryLimits,
  ) {
    this.memory = new ReasoningMemory(reasoningLimits);
  }

  /** Takes back the pending flushes a previous run left in the journal (start-up replay). */
  restore(pending: PendingFlush[]): void {
    this.recovered.push(...pending);
  }

  /** Ordered candidates for one request; advances the cursors. @throws when the state cannot be loaded. */
  async plan(input: PlanInput): Promise<Plan> {
    if (!this.loaded) await this.load();
    const { plan, state } = planRequest(this.state, input, this.now(), this.random);
    this.commit(state);
    const reasoning = input.recall ? this.memory.recall(input.recall.owner, input.recall.toolCallIds, this.now()) : undefined;
    return reasoning ? { ...plan, reasoning } : plan;
  }

  /** Remembers a tool-calling turn's signed reasoning (persisted with the routing state). */
  async remember(turn: ReasoningTurn): Promise<void> {
    if (!this.loaded) await this.load();
    this.memory.remember(turn, this.now());
  }

  /** Folds a request's attempt outcomes into breakers, key cooldowns and sticky sessions. */
  async report(report: RoutingReport): Promise<void> {
    if (report.outcomes.length === 0 && report.untried.length === 0) return;
    if (!this.loaded) await this.load();
    this.commit(applyReport(this.state, report, this.now()));
  }

  /** Folds a finished request's attempts into its members' recent traffic (O(attempts); written by `persist()`). */
  observe(report: RoutingReport, record?: RequestRecord): void {
    if (report.outcomes.length === 0) return;
    this.windows.observe(report, record, this.now());
    this.windowsDirty = true;
  }

  /** Live health: per member its breaker and recent traffic, and the keys cooling down. */
  async health(): Promise<GroupHealth> {
    if (!this.loaded) await this.load();
    const now = this.now();
    return healthView(this.state, now, this.windows.summaries(now));
  }

  /** Names the group's patterns caught since this process started, most recent first. */
  catches(): PatternCatch[] {
    return this.caught.list();
  }

  /** Buffers a finished request until the next flush (and notes a pattern catch). */
  record(record: RequestRecord): void {
    this.caught.noteRecord(record);
    this.journal?.append(this.groupId, record);
    this.records.push(record);
    const over = this.records.length - this.maxBuffered;
    if (over > 0) {
      const evicted = this.records.splice(0, over);
      this.dropped += this.journal ? this.journal.spill(this.groupId, evicted.map((r) => r.id)) : over;
    }
  }

  /**
   * Unflushed records that arrived at `sinceMs` or later (the buffer, the running or failed flush,
   * and a previous run's recovered flushes; not those spilled to the journal), newest first,
   * bodies left out, at most PENDING_READ_MAX (accounting/pending.ts). For the admin live tail.
   */
  pendingRecords(sinceMs: number): PendingRecord[] {
    this.pendingReads++;
    return newestPending([this.records, this.pending?.records ?? [], ...this.recovered.map((p) => p.records)], sinceMs);
  }

  /** Records waiting in memory for a flush. */
  buffered(): number {
    return this.records.length;
  }

  /** A flush is running. */
  isFlushing(): boolean {
    return this.flushing !== null;
  }

  /** Records not yet confirmed by the database (buffered, pending, and kept only in the journal). */
  unflushed(): number {
    let n = this.records.length + (this.pending?.records.length ?? 0) + (this.journal?.spilled(this.groupId) ?? 0);
    for (const p of this.recovered) n += p.records.length;
    return n;
  }

  /**
   * Writes buffered records to the database (accounting/flusher.ts). Never overlaps itself: a call
   * during a running flush waits for it and then flushes what arrived meanwhile.
   * @param opts.force ignore the back-off after a failure (shutdown).
   * @param opts.intervalMs the stats save interval, ms: the back-off after a failure grows from it.
   * @returns the drain result; a failure keeps the records pending for a retry with the same id.
   */
  async flush(opts: { force?: boolean; intervalMs?: number } = {}): Promise<DrainResult> {
    const force = opts.force ?? false;
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (!force && this.now() < this.retryAt) return { ok: true, flushes: 0 };
    if (this.unflushed() === 0) return { ok: true, flushes: 0 };
    this.flushing = this.drain();
    try {
      const result = await this.flushing;
      this.retryAt = result.ok ? 0 : this.now() + retryDelayMs(opts.intervalMs ?? 60_000, result.failed.tries);
      return result;
    } finally {
      this.flushing = null;
    }
  }

  /**
   * Drains the buffer, then, while the journal holds records evicted from it, reads a buffer's
   * worth back and drains again.
   */
  private async drain(): Promise<DrainResult> {
    let flushes = 0;
    for (;;) {
      const r = await drainBuffer(this.buffer(), this.writer, this.store, { pause: nextTurn });
      flushes += r.flushes;
      if (!r.ok) return { ...r, flushes };
      if (!this.journal || this.journal.spilled(this.groupId) === 0) return { ok: true, flushes };
      const back = await this.journal.reload(this.groupId, Math.max(1, this.maxBuffered - this.records.length));
      if (back.length === 0) return { ok: true, flushes };
      // Older than anything in memory: they go first.
      this.records = back.concat(this.records);
    }
  }

  /** Writes the routing state when it changed since the last write. @throws when the database fails (it stays dirty). */
  async persist(): Promise<void> {
    await this.persistReasoning();
    await this.persistWindows();
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await this.store.putSetting(routingStateKey(this.groupId), this.state, this.now());
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }

  /** Writes the reasoning memory when it changed (expired entries leave it first). */
  private async persistReasoning(): Promise<void> {
    this.memory.expire(this.now());
    if (!this.memory.dirty) return;
    this.memory.dirty = false;
    try {
      await this.store.putSetting(reasoningStateKey(this.groupId), this.memory.entries(), this.now());
    } catch (err) {
      this.memory.dirty = true;
      throw err;
    }
  }

  /** Writes the traffic windows when they changed (a few KB per group, at most once a save interval). */
  private async persistWindows(): Promise<void> {
    if (!this.windowsDirty) return;
    this.windowsDirty = false;
    try {
      // Plain arrays: the settings table holds JSON, where a typed array would become an object.
      const plain = this.windows.snapshot().map((m) => ({ memberId: m.memberId, at: [...m.at], kind: [...m.kind], ms: [...m.ms], ttft: [...m.ttft] }));
      await this.store.putSetting(healthWindowKey(this.groupId), plain, this.now());
    } catch (err) {
      this.windowsDirty = true;
      throw err;
    }
  }

  private commit(state: RoutingState): void {
    if (state !== this.state) this.dirty = true;
    this.state = state;
  }

  /** Loads the stored routing state and reasoning memory once; a failed load is retried by the next call. */
  private load(): Promise<void> {
    this.loading ??= Promise.all([
      this.store.getSetting(routingStateKey(this.groupId)),
      this.store.getSetting(reasoningStateKey(this.groupId)),
      this.store.getSetting(healthWindowKey(this.groupId)),
    ]).then(
      ([stored, reasoning, windows]) => {
        // Traffic observed before the load (none: a request plans, and so loads, before it finishes) would be lost here.
        if (windows !== undefined && !this.windowsDirty) this.windows = HealthWindows.from(windows);
        // A state stored by an older version lacks newer fields: fill them from an empty state.
        if (stored && typeof stored === 'object') this.state = { ...emptyRoutingState(), ...(stored as Partial<RoutingState>) };
        // Turns remembered before the load (none: every call loads first) would be lost here.
        if (Array.isArray(reasoning)) this.memory = ReasoningMemory.from(reasoning as ReasoningEntry[], this.now(), this.reasoningLimits);
        this.loaded = true;
      },
      (err: unknown) => {
        this.loading = null;
        throw err;
      },
    );
    return this.loading;
  }

  /** The memory buffer behind the flush protocol: taking a batch is one synchronous step, so atomic. */
  private buffer(): FlushBuffer {
    return {
      pending: async () => {
        this.pending ??= this.recovered.shift();
        return this.pending;
      },
      takePending: async (id, max) => {
        if (this.records.length === 0) return undefined;
        const pending = { id, records: this.records.splice(0, max), tries: 0 };
        this.pending = pending;
        // On disk before the database write: a replay after a crash re-sends this very id.
        await this.journal?.take(this.groupId, id, pending.records.map((r) => r.id));
        return pending;
      },
      keepPending: async (flush) => {
        this.pending = flush;
      },
      clearPending: async () => {
        if (this.pending) this.journal?.done(this.pending.id);
        this.pending = undefined;
      },
    };
  }
}
