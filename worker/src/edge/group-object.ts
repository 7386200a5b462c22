/**
 * GroupObject: one Durable Object per group. Holds the group's routing state (cursors, member
 * health) in memory and in its own storage, so an eviction or restart loses nothing.
 * RPC methods: plan (critical path), finishMany (off it, via waitUntil: the finished requests of
 * one Worker isolate, coalesced by edge/coalescer.ts), report, record, health and catches (admin API),
 * pending (the unflushed records, for the admin live tail: admin/log-tail.ts).
 * Recent pattern catches (routing/catches.ts) and each member's recent traffic (routing/window.ts,
 * fed by finishMany: no storage, no extra call) are kept in memory only: an eviction forgets them.
 * State: mode cursors, breakers, key cooldowns, sticky sessions (routing/types.ts RoutingState),
 * and the reasoning memory (routing/reasoning-memory.ts): one storage key per remembered turn
 * (`rsn:<tool call ids>`), all read at start-up, looked up inside `plan` and written by `finishMany`.
 */
import { DurableObject } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { drainBuffer, flushIntervalMs, FlushWriter, retryDelayMs, type FlushBuffer, type PendingFlush } from '../accounting/flusher';
import { analyticsHook } from './analytics';
import type { RequestRecord } from '../accounting/records';
import { newestPending, PENDING_READ_MAX, type PendingRecord } from '../accounting/pending';
import * as schema from '../db/schema.sqlite';
import { SqliteStore } from '../db/sqlite-store';
import { CatchLog, type PatternCatch } from '../routing/catches';
import { applyReport, healthView } from '../routing/health';
import { planRequest } from '../routing/plan';
import { HealthWindows, WINDOW_SAVE_MS } from '../routing/window';
import { emptyRoutingState, type GroupHealth, type Plan, type PlanInput, type RoutingReport, type RoutingState } from '../routing/types';
import { deleteKeys, STORAGE_KEYS_PER_CALL } from './storage-keys';
import type { FinishItem } from './finish-batch';
import { ReasoningMemory, type ReasoningEntry, type ReasoningTurn } from '../routing/reasoning-memory';

const STATE_KEY = 'routing';
/** The members' recent traffic (routing/window.ts snapshot), saved with a finish batch at most every WINDOW_SAVE_MS. */
const WINDOWS_KEY = 'health-windows';
/** Prefix of the reasoning memory's storage keys: `rsn:` + the entry's key. */
const REASONING_PREFIX = 'rsn:';
/**
 * Most serialised bytes in one pending flush. The pending flush is one storage value (at most 2 MB
 * for a SQLite-backed object), and logged bodies can make a record up to ~1 MB: 200 such records
 * would never fit, and the flush would fail forever.
 */
const PENDING_MAX_BYTES = 1_000_000;
/**
 * Most records in one flush (one D1 batch) on the Worker. Measured under Miniflare (bench/e2e/
 * flush-diag.ts): a D1 batch runs in the same workerd process and holds the whole process while
 * it runs, so a 200-record batch (~50 INSERT statements) stalled every request, `/healthz`
 * included, for its whole length. Smaller batches with a pause between them bound that stall.
 */
export const EDGE_FLUSH_MAX_RECORDS = 50;
/**
 * Most serialised record bytes in one D1 batch (logged bodies make records large): a batch's
 * write time grows with its bytes, not only its rows.
 */
export const EDGE_FLUSH_MAX_BYTES = 256 * 1024;
/**
 * Pause between two flushes of one drain, ms. A real timer, not a microtask: the D1 call returns
 * without the runtime polling for network I/O in between (local D1 lives in the same process), so
 * without a timer a whole drain ran as one block and requests that arrived meanwhile waited for
 * all of it. In production the pause costs a drain of N records N / 50 × this, off the request path.
 */
const FLUSH_PAUSE_MS = 5;

const utf8 = new TextEncoder();

/** The oldest entries whose JSON fits in `maxBytes` together, and always at least one. */
function withinBytes(entries: [string, RequestRecord][], maxBytes: number): [string, RequestRecord][] {
  let total = 0;
  let n = 0;
  for (const [, r] of entries) {
    total += utf8.encode(JSON.stringify(r)).byteLength;
    if (n > 0 && total > maxBytes) break;
    n++;
  }
  return entries.slice(0, n);
}

/** Buffered request records: one storage key each, `rec:<time>:<id>`, so appending never rewrites the buffer. */
const RECORD_PREFIX = 'rec:';
/** A flush taken from the buffer and not yet confirmed by D1 (accounting/flusher.ts PendingFlush). Retried with the same id. */
const PENDING_KEY = 'pending-flush';

/** The record buffer's storage key of `record`: ordered by time, unique by id. */
function recordKey(record: RequestRecord): string {
  return `${RECORD_PREFIX}${String(record.time).padStart(15, '0')}:${record.id}`;
}

/** Writes `entries` with multi-key puts of at most STORAGE_KEYS_PER_CALL keys each, in order. */
async function putAll(storage: DurableObjectStorage, entries: Record<string, unknown>): Promise<void> {
  const all = Object.entries(entries);
  for (let i = 0; i < all.length; i += STORAGE_KEYS_PER_CALL) await storage.put(Object.fromEntries(all.slice(i, i + STORAGE_KEYS_PER_CALL)));
}

export class GroupObject extends DurableObject<Env> {
  private state: RoutingState = emptyRoutingState();
  private memory = new ReasoningMemory();
  private readonly caught = new CatchLog();
  private windows = new HealthWindows();
  /** When the windows were last saved (ms since epoch); 0 = not since start. */
  private windowsSavedAt = 0;
  /** The windows changed since they were last saved (the next alarm saves them). */
  private windowsDirty = false;
  /** Prices and writes flushes; with a METRICS binding, also one Analytics Engine data point per written record. */
  private readonly writer: FlushWriter;
  private d1Store: SqliteStore | null = null;
  /** `pending` calls since this object started (the live tail's reads; tests check a closed tail stops them). */
  pendingReads = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.writer = new FlushWriter(Date.now, env.METRICS ? analyticsHook(env.METRICS) : undefined);
    void ctx.blockConcurrencyWhile(async () => {
      // A state stored by an older version lacks newer fields: fill them from an empty state.
      this.state = { ...emptyRoutingState(), ...(await ctx.storage.get<RoutingState>(STATE_KEY)) };
      // An evicted object comes back with its members' recent traffic (lost: at most WINDOW_SAVE_MS of it).
      this.windows = HealthWindows.from(await ctx.storage.get(WINDOWS_KEY));
      const stored = await ctx.storage.list<ReasoningEntry>({ prefix: REASONING_PREFIX });
      this.memory = ReasoningMemory.from([...stored.values()], Date.now());
      // Entries the load left out (expired, over the limits) leave storage too.
      const kept = new Set(this.memory.entries().map((e) => REASONING_PREFIX + e.key));
      const stale = [...stored.keys()].filter((k) => !kept.has(k));
      if (stale.length > 0) await deleteKeys(ctx.storage, stale);
    });
  }

  /** Ordered candidates for one request; advances the cursors. */
  async plan(input: PlanInput): Promise<Plan> {
    const { plan, state } = planRequest(this.state, input, Date.now(), Math.random);
    // Only a half-open lease (a breaker change) must be durable before the reply. A cursor step
    // stays in memory: the request's `finish` (or `report`) writes the whole state moments later,
    // and a step lost with a crash in between is harmless. One storage write a request, not two.
    if (state.breakers !== this.state.breakers) this.commit(state);
    else this.state = state;
    const reasoning = input.recall ? this.memory.recall(input.recall.owner, input.recall.toolCallIds, Date.now()) : undefined;
    return reasoning ? { ...plan, reasoning } : plan;
  }

  /** Folds a request's attempt outcomes into breakers, key cooldowns and sticky sessions. */
  async report(report: RoutingReport): Promise<void> {
    if (report.outcomes.length === 0 && report.untried.length === 0) return;
    const now = Date.now();
    this.windows.observe(report, undefined, now);
    this.commit(applyReport(this.state, report, now));
  }

  /** A routed request's end (kept for callers of the single-item form): `finishMany` of one. */
  async finish(report: RoutingReport, record: RequestRecord, reasoning?: ReasoningTurn): Promise<void> {
    await this.finishMany([reasoning ? { report, record, reasoning } : { report, record }]);
  }

  /**
   * Finished requests of one Worker isolate, in the order they finished: folds every report into
   * the routing state (one state write), remembers their reasoning turns, and buffers their
   * records (multi-key puts, one alarm check). Storage sees each key once, whatever the batch size.
   */
  async finishMany(items: FinishItem[]): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    let state = this.state;
    let observed = false;
    for (const { report, record } of items) {
      if (report.outcomes.length === 0 && report.untried.length === 0) continue;
      this.windows.observe(report, record, now);
      observed ||= report.outcomes.length > 0;
      state = applyReport(state, report, now);
    }
    if (state !== this.state) this.commit(state);
    // Remembered before (or with) the records: whoever sees a record can count on its reasoning.
    // A later turn of the batch may evict an earlier one: only what is still kept is written.
    const puts: Record<string, unknown> = {};
    const dropped = new Set<string>();
    for (const { reasoning } of items) {
      if (!reasoning) continue;
      const { stored, removed } = this.memory.remember(reasoning, now);
      for (const k of removed) {
        delete puts[REASONING_PREFIX + k];
        dropped.add(REASONING_PREFIX + k);
      }
      if (stored) {
        dropped.delete(REASONING_PREFIX + stored.key);
        puts[REASONING_PREFIX + stored.key] = stored;
      }
    }
    if (dropped.size > 0) await deleteKeys(this.ctx.storage, [...dropped]);
    for (const { record } of items) {
      this.caught.noteRecord(record);
      puts[recordKey(record)] = record;
    }
    // One more key in this write, at most every WINDOW_SAVE_MS: an eviction keeps the recent traffic.
    // What a batch within WINDOW_SAVE_MS of the last save adds is saved by the next one, or by the
    // alarm that flushes these records (set below, one stats save interval ahead).
    if (observed && now - this.windowsSavedAt >= WINDOW_SAVE_MS) {
      puts[WINDOWS_KEY] = this.windows.snapshot();
      this.windowsSavedAt = now;
      this.windowsDirty = false;
    } else if (observed) {
      this.windowsDirty = true;
    }
    await putAll(this.ctx.storage, puts);
    await this.ensureAlarm();
  }

  /** Names the group's patterns caught since this object started, most recent first. */
  async catches(): Promise<PatternCatch[]> {
    return this.caught.list();
  }

  /** Live health: per member its breaker and recent traffic, and the keys cooling down. */
  async health(): Promise<GroupHealth> {
    const now = Date.now();
    return healthView(this.state, now, this.windows.summaries(now));
  }

  /**
   * Unflushed records that arrived at `sinceMs` or later: the newest `rec:` keys (read in reverse
   * from the end, at most PENDING_READ_MAX) and the pending flush, newest first, bodies left out.
   * For the admin live tail (one call per group and poll); never called on the relay path.
   */
  async pending(sinceMs: number): Promise<PendingRecord[]> {
    this.pendingReads++;
    const storage = this.ctx.storage;
    const start = `${RECORD_PREFIX}${String(Math.max(0, Math.floor(sinceMs))).padStart(15, '0')}`;
    const [buffered, flushing] = await Promise.all([
      storage.list<RequestRecord>({ prefix: RECORD_PREFIX, start, reverse: true, limit: PENDING_READ_MAX }),
      storage.get<PendingFlush>(PENDING_KEY),
    ]);
    return newestPending([[...buffered.values()], flushing?.records ?? []], sinceMs);
  }

  /** Buffers a finished request; the alarm flushes the buffer to D1 every stats save interval. */
  async record(record: RequestRecord): Promise<void> {
    await this.ctx.storage.put(recordKey(record), record);
    await this.ensureAlarm();
  }

  /** Buffered records get flushed: sets the alarm one stats save interval ahead unless one is set. */
  private async ensureAlarm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + (await this.flushIntervalMs()));
  }

  /**
   * Flushes buffered logs and stats to D1 (accounting/flusher.ts: pending flush with an id, moved
   * out of the buffer in one storage transaction; a D1 failure keeps it and the alarm retries it
   * with the same id, later each time).
   */
  override async alarm(): Promise<void> {
    // Only an instance that saw attempts since its last save writes (a fresh one would save an empty history).
    if (this.windowsDirty) {
      this.windowsDirty = false;
      this.windowsSavedAt = Date.now();
      await this.ctx.storage.put(WINDOWS_KEY, this.windows.snapshot());
    }
    const result = await drainBuffer(this.buffer(), this.writer, this.store(), { maxRecords: EDGE_FLUSH_MAX_RECORDS, pause: () => new Promise((ok) => setTimeout(ok, FLUSH_PAUSE_MS)) });
    if (result.ok) return;
    await this.ctx.storage.setAlarm(Date.now() + retryDelayMs(await this.flushIntervalMs().catch(() => 60_000), result.failed.tries));
    console.error(JSON.stringify({ level: 'warn', msg: 'stats flush failed, will retry', flush: result.failed.id, tries: result.failed.tries, error: String(result.error).slice(0, 300) }));
  }

  /** The record buffer in this object's storage: one key per record, the pending flush under PENDING_KEY. */
  private buffer(): FlushBuffer {
    const storage = this.ctx.storage;
    return {
      pending: () => storage.get<PendingFlush>(PENDING_KEY),
      takePending: async (id, max) => {
        const listed = await storage.list<RequestRecord>({ prefix: RECORD_PREFIX, limit: max });
        if (listed.size === 0) return undefined;
        const batch = withinBytes([...listed.entries()], Math.min(PENDING_MAX_BYTES, EDGE_FLUSH_MAX_BYTES));
        const pending: PendingFlush = { id, records: batch.map(([, r]) => r), tries: 0 };
        // One atomic write: the records leave the buffer exactly when the pending flush holds them
        // (a batch has up to FLUSH_MAX_RECORDS keys, more than one delete call may take).
        await storage.transaction(async (txn) => {
          await txn.put(PENDING_KEY, pending);
          await deleteKeys(txn, batch.map(([k]) => k));
        });
        return pending;
      },
      keepPending: (flush) => storage.put(PENDING_KEY, flush),
      clearPending: async () => {
        await storage.delete(PENDING_KEY);
      },
    };
  }

  /** One store for the object's life: caches keyed by the store (settings) then last between calls. */
  private store(): SqliteStore {
    if (!this.d1Store) {
      const db = drizzle(this.env.DB, { schema });
      this.d1Store = new SqliteStore(db, async (queries) => {
        await db.batch(queries as [never, ...never[]]);
      });
    }
    return this.d1Store;
  }

  /** The "stats save interval" setting, ms; STATS_FLUSH_INTERVAL_MS (tests only) overrides it. */
  private flushIntervalMs(): Promise<number> {
    return flushIntervalMs(this.store(), Number(this.env.STATS_FLUSH_INTERVAL_MS));
  }

  private commit(state: RoutingState, unconfirmed = false): void {
    this.state = state;
    // Not awaited: unless `unconfirmed`, the runtime's output gate holds the reply until the write is durable.
    void this.ctx.storage.put(STATE_KEY, state, { allowUnconfirmed: unconfirmed });
  }
}
