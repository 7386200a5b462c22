/**
 * GroupObject: one Durable Object per group. Holds the group's routing state (cursors, member
 * health) in memory and in its own storage, so an eviction or restart loses nothing.
 * RPC methods: plan (critical path), report (off it, via waitUntil), health (admin API).
 * State: mode cursors, breakers, key cooldowns, sticky sessions (routing/types.ts RoutingState).
 */
import { DurableObject } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { priceRecords, priceSources } from '../accounting/pricing';
import type { PriceSources } from '../accounting/prices';
import { aggregateStats, type RequestRecord } from '../accounting/records';
import * as schema from '../db/schema.sqlite';
import { SqliteStore } from '../db/sqlite-store';
import { applyReport, healthView } from '../routing/health';
import { planRequest } from '../routing/plan';
import { emptyRoutingState, type MemberHealth, type Plan, type PlanInput, type RoutingReport, type RoutingState } from '../routing/types';

const STATE_KEY = 'routing';
/** Buffered request records: one storage key each, `rec:<time>:<id>`, so appending never rewrites the buffer. */
const RECORD_PREFIX = 'rec:';
/** A flush taken from the buffer and not yet confirmed by D1: `{ id, records }`. Retried with the same id. */
const PENDING_KEY = 'pending-flush';
/** Records per flush: a D1 batch stays small and quick. */
const FLUSH_MAX_RECORDS = 200;
/** How long a flush reuses the price table it loaded, ms (prices change by sync or by an admin, rarely). */
const PRICE_CACHE_MS = 5 * 60_000;
/** Default "stats save interval", ms. */
export const DEFAULT_FLUSH_INTERVAL_MS = 60_000;

interface PendingFlush {
  id: string;
  records: RequestRecord[];
  tries: number;
}

export class GroupObject extends DurableObject<Env> {
  private state: RoutingState = emptyRoutingState();
  private prices: { at: number; sources: PriceSources } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      // A state stored by an older version lacks newer fields: fill them from an empty state.
      this.state = { ...emptyRoutingState(), ...(await ctx.storage.get<RoutingState>(STATE_KEY)) };
    });
  }

  /** Ordered candidates for one request; advances the cursors. */
  async plan(input: PlanInput): Promise<Plan> {
    const { plan, state } = planRequest(this.state, input, Date.now(), Math.random);
    // Only a half-open lease (a breaker change) must be durable before the reply; a cursor step
    // lost in a crash is harmless, so that write does not hold the response (allowUnconfirmed).
    this.commit(state, state.breakers === this.state.breakers);
    return plan;
  }

  /** Folds a request's attempt outcomes into breakers, key cooldowns and sticky sessions. */
  async report(report: RoutingReport): Promise<void> {
    if (report.outcomes.length === 0 && report.untried.length === 0) return;
    this.commit(applyReport(this.state, report, Date.now()));
  }

  /** Live health per member id. */
  async health(): Promise<Record<string, MemberHealth>> {
    return healthView(this.state, Date.now());
  }

  /** Buffers a finished request; the alarm flushes the buffer to D1 every flush interval. */
  async record(record: RequestRecord): Promise<void> {
    await this.ctx.storage.put(`${RECORD_PREFIX}${String(record.time).padStart(15, '0')}:${record.id}`, record);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.flushIntervalMs());
  }

  /**
   * Flushes buffered logs and stats to D1. A batch is first moved from the buffer into a pending
   * flush with a fresh id (one atomic storage write), then written to D1 together with that id.
   * A D1 failure keeps the pending flush and retries it with the same id, so it never counts twice
   * and is never dropped; a replayed flush is recognised by its id and changes nothing.
   */
  override async alarm(): Promise<void> {
    const store = new SqliteStore(drizzle(this.env.DB, { schema }), async (queries) => {
      await drizzle(this.env.DB, { schema }).batch(queries as [never, ...never[]]);
    });
    for (;;) {
      let pending = await this.ctx.storage.get<PendingFlush>(PENDING_KEY);
      if (!pending) {
        const batch = await this.ctx.storage.list<RequestRecord>({ prefix: RECORD_PREFIX, limit: FLUSH_MAX_RECORDS });
        if (batch.size === 0) return;
        pending = { id: crypto.randomUUID(), records: [...batch.values()], tries: 0 };
        // One atomic write: the records leave the buffer exactly when the pending flush holds them.
        await this.ctx.storage.transaction(async (txn) => {
          await txn.put(PENDING_KEY, pending);
          await txn.delete([...batch.keys()]);
        });
      }
      try {
        // Priced at flush time: the price table lives in D1, not on the request's path.
        const records = priceRecords(pending.records, await this.priceSourcesFrom(store));
        await store.applyFlush(pending.id, Date.now(), records, aggregateStats(records));
      } catch (err) {
        pending.tries += 1;
        await this.ctx.storage.put(PENDING_KEY, pending);
        const wait = Math.min(this.flushIntervalMs() * 2 ** Math.min(pending.tries, 6), 3_600_000);
        await this.ctx.storage.setAlarm(Date.now() + wait);
        console.error(JSON.stringify({ level: 'warn', msg: 'stats flush failed, will retry', flush: pending.id, tries: pending.tries, error: String(err).slice(0, 300) }));
        return;
      }
      await this.ctx.storage.delete(PENDING_KEY);
    }
  }

  private async priceSourcesFrom(store: SqliteStore): Promise<PriceSources> {
    if (!this.prices || Date.now() - this.prices.at > PRICE_CACHE_MS) {
      this.prices = { at: Date.now(), sources: priceSources(await store.loadPrices()) };
    }
    return this.prices.sources;
  }

  private flushIntervalMs(): number {
    const v = Number(this.env.STATS_FLUSH_INTERVAL_MS);
    return Number.isFinite(v) && v > 0 ? v : DEFAULT_FLUSH_INTERVAL_MS;
  }

  private commit(state: RoutingState, unconfirmed = false): void {
    this.state = state;
    // Not awaited: unless `unconfirmed`, the runtime's output gate holds the reply until the write is durable.
    void this.ctx.storage.put(STATE_KEY, state, { allowUnconfirmed: unconfirmed });
  }
}
