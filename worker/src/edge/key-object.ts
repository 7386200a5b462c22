/**
 * KeyObject: one Durable Object per client key with limits (budget, RPM, TPM). A Durable Object
 * runs one call at a time and `acquire` never awaits after reading the state, so admissions and
 * lease grants of one key are serialised across every Worker instance. Isolates admit most
 * requests of a key without a TPM limit from leases this object granted (limits/lease.ts: the sum
 * of leases never exceeds a limit); a key with a TPM limit is admitted here request by request.
 * Either way concurrent requests cannot overshoot the budget by more than the requests already
 * admitted and not yet settled.
 *
 * Storage: the settled spend (nano-USD), written on each settle or report without holding
 * replies (see `settle`). The RPM/TPM windows and the lease book live in memory only: an eviction
 * forgets at most one minute of rate history and the reserved allowances, which errs towards
 * admitting (as before leases, by at most the leases still held for their few seconds).
 */
import { DurableObject } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { PriceCache, spendOf } from '../accounting/price-cache';
import type { RequestRecord } from '../accounting/records';
import * as schema from '../db/schema.sqlite';
import { SqliteStore } from '../db/sqlite-store';
import { emptyKeyLimitState, settle, type KeyLimitState } from '../limits/key-limiter';
import { acquire, applyReports, emptyLeaseBook, type LeaseBook, type LeaseGrant, type LeaseReport, type LeaseWant } from '../limits/lease';
import type { Admission, KeyLimitSpec } from '../platform';

const SPENT_KEY = 'spent';

export class KeyObject extends DurableObject<Env> {
  private state: KeyLimitState = emptyKeyLimitState();
  /** Leases held by isolates (limits/lease.ts); in memory only: a lost book forgets reserved allowance, and slot stamps stay in `state`. */
  private readonly book: LeaseBook = emptyLeaseBook();
  private spec: KeyLimitSpec | null = null;
  private seeded = false;
  private readonly prices = new PriceCache();
  private d1Store: SqliteStore | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      const spent = await ctx.storage.get<number>(SPENT_KEY);
      if (spent !== undefined) {
        this.state.spentNanoUsd = spent;
        this.seeded = true;
      }
    });
  }

  /**
   * One call of an isolate's lease client (limits/lease-client.ts): applies the reports it carries
   * (leases given back), then admits one request when
   * `admitNow` (admission null otherwise) and, unless that was refused, grants a lease for `want`
   * when enough of the key's limits is left (limits/lease.ts acquire).
   */
  async acquire(spec: KeyLimitSpec, admitNow: boolean, want: LeaseWant | null, reports: LeaseReport[]): Promise<{ admission: Admission | null; lease: LeaseGrant | null }> {
    await this.seed(spec.keyId);
    this.spec = spec;
    const now = Date.now();
    const spent = reports.length > 0 ? applyReports(this.state, this.book, reports, now) : 0;
    const answer = acquire(this.state, this.book, spec, admitNow, want, now);
    if (spent > 0) await this.ctx.storage.put(SPENT_KEY, this.state.spentNanoUsd, { allowUnconfirmed: true });
    return answer;
  }

  /** An isolate's reports, in order: spend priced there (keys without a TPM limit) and leases given back. */
  async report(keyId: number, reports: LeaseReport[]): Promise<void> {
    await this.seed(keyId);
    const spent = applyReports(this.state, this.book, reports, Date.now());
    // Unconfirmed, as in `settle`.
    if (spent > 0) await this.ctx.storage.put(SPENT_KEY, this.state.spentNanoUsd, { allowUnconfirmed: true });
  }

  /** Counts a finished request's cost and tokens against the key. */
  async settle(keyId: number, record: RequestRecord): Promise<void> {
    await this.seed(keyId);
    const { costNanoUsd, tokens } = spendOf(record, await this.prices.get(this.store(), Date.now()));
    settle(this.state, costNanoUsd, tokens, Date.now(), this.spec?.tpmLimit != null);
    // Unconfirmed: a confirmed write closes the object's output gate, and every `admit` answered
    // meanwhile (the next requests of this key, on their critical path) waited for the write to be
    // durable (a limited key's c1 p50 was ×1.5–1.7 an unlimited one's). Admissions are decided from
    // memory, so they need not wait; a crash before the write lands forgets the spend of the last
    // few requests, which errs towards admitting, as the in-memory RPM window does.
    if (costNanoUsd > 0) await this.ctx.storage.put(SPENT_KEY, this.state.spentNanoUsd, { allowUnconfirmed: true });
  }

  /** The key's limits changed: seed again from the stats, keeping the larger spend (platform.ts KeyLimits.refresh). */
  async refresh(keyId: number): Promise<void> {
    if (!this.seeded) return;
    const usage = await this.store().keyUsage(keyId, 0, Number.MAX_SAFE_INTEGER);
    this.state.spentNanoUsd = Math.max(this.state.spentNanoUsd, usage.costNanoUsd);
    await this.ctx.storage.put(SPENT_KEY, this.state.spentNanoUsd);
  }

  /**
   * A new object starts from the spend already in the stats (a key given a budget after it was
   * used). From then on this object counts every settled request itself, so the two never overlap.
   */
  private async seed(keyId: number): Promise<void> {
    if (this.seeded) return;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.seeded) return;
      const usage = await this.store().keyUsage(keyId, 0, Number.MAX_SAFE_INTEGER);
      this.state.spentNanoUsd += usage.costNanoUsd;
      await this.ctx.storage.put(SPENT_KEY, this.state.spentNanoUsd);
      this.seeded = true;
    });
  }

  /**
   * One store for the object's life: `drizzle(…, { schema })` builds the schema's relational
   * metadata each time it is called, and a settle called it on every request.
   */
  private store(): SqliteStore {
    if (!this.d1Store) {
      const db = drizzle(this.env.DB, { schema });
      this.d1Store = new SqliteStore(db, async (queries) => {
        await db.batch(queries as [never, ...never[]]);
      });
    }
    return this.d1Store;
  }
}
