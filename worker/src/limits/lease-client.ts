/**
 * Admission leases, the isolate's side (issue 11): a limited key's requests are admitted from a
 * lease held in this isolate (limits/lease.ts says what a lease reserves and why the limits stay
 * exact), so in steady state a request makes no call to the key's holder on its critical path.
 *
 * - No usable lease: the request asks the holder itself (one call that admits it and, if no other
 *   request of the key is already asking, asks for a lease sized to the key's recent rate here).
 * - A lease half used (slots, allowance or time): a new one is asked for in the background, so the
 *   next lease is usually here before the current runs out.
 * - A lease exhausted, expired, or granted under limits the key no longer has (an admin edit seen
 *   through the config snapshot): it is given back with its real admission times, batched.
 * - Spend: priced here by the caller; counted at once against the current lease (so this isolate
 *   stops at its allowance exactly as the holder would) and reported in batches. Spend with no
 *   current lease is reported at once: the holder then admits against it one request at a time,
 *   and a late report would let it admit past the budget.
 *
 * Runtime-neutral: the holder is reached through a LeaseRemote (edge/platform.ts: the KeyObject).
 * Units: ms since epoch, nano-USD, requests.
 */
import type { Admission, KeyLimitSpec } from '../platform';
import { LEASE_MAX_SLOTS, LEASE_TTL_MS, leasable, type LeaseGrant, type LeaseReport, type LeaseWant } from './lease';

/** How the isolate reaches the key's holder. Every method is called in the calling request's context. */
export interface LeaseRemote {
  /**
   * Applies `reports` first (leases given back ride on the call, so their slots are free for it),
   * then admits one request when `admitNow` (else admission is null) and grants a lease for `want`
   * if one fits (limits/lease.ts acquire).
   */
  acquire(spec: KeyLimitSpec, admitNow: boolean, want: LeaseWant | null, reports: LeaseReport[]): Promise<{ admission: Admission | null; lease: LeaseGrant | null }>;
  /** Sends reports now, one call. */
  report(keyId: number, reports: LeaseReport[]): Promise<void>;
  /** Queues one report to go with others of the key shortly (a coalescer); the promise is what the request must keep alive. */
  queue(keyId: number, report: LeaseReport): Promise<void>;
}

/** A lease held here. */
interface LocalLease {
  id: number;
  /** Local ms after which it is not used: sent time + ttl, never later than the holder's expiry. */
  expiresAt: number;
  grantedSlots: number | null;
  allowanceNanoUsd: number | null;
  /** Spend counted against it, nano-USD. */
  consumedNanoUsd: number;
  /** This isolate's admissions from it, ms. */
  usedAt: number[];
}

interface KeyEntry {
  keyId: number;
  /** The limits the held leases were granted under. */
  specKey: string;
  current: LocalLease | null;
  next: LocalLease | null;
  /** A call asking for a lease is in flight (at most one per key here). */
  asking: boolean;
  /** Leases given back, to ride on the next call to the holder (or to be queued if none follows at once). */
  returns: LeaseReport[];
  /** Recent mean cost of one request, nano-USD (null until a request was priced). */
  avgCostNanoUsd: number | null;
  /** Admissions counted per 1 s bucket: the rate that sizes the next lease. */
  bucketStart: number;
  bucketCount: number;
  lastBucketCount: number;
}

/** A lease is sized to cover this share of its time to live at the key's recent rate here. */
const LEASE_COVER_MS = LEASE_TTL_MS / 2;
/** Fewest slots asked for. */
const MIN_SLOTS = 2;
/** Allowance asked per slot, over the mean cost (costs vary by request). */
const ALLOWANCE_MARGIN = 1.25;

const specKeyOf = (s: KeyLimitSpec) => `${s.budgetNanoUsd}/${s.rpmLimit}/${s.tpmLimit}`;

/** Whether a lease can admit one more request at `now`. */
function usableAt(l: LocalLease, now: number): boolean {
  return now < l.expiresAt
    && (l.grantedSlots === null || l.usedAt.length < l.grantedSlots)
    && (l.allowanceNanoUsd === null || l.consumedNanoUsd < l.allowanceNanoUsd);
}

/** Whether the next lease should be asked for now: half of the slots, allowance or time is gone. */
function halfGone(l: LocalLease, now: number): boolean {
  return (l.grantedSlots !== null && l.usedAt.length * 2 >= l.grantedSlots)
    || (l.allowanceNanoUsd !== null && l.consumedNanoUsd * 2 >= l.allowanceNanoUsd)
    || l.expiresAt - now <= LEASE_TTL_MS / 2;
}

/** This isolate's leases, one entry per limited key seen here. */
export class LeaseClient {
  private readonly keys = new Map<number, KeyEntry>();

  constructor(private readonly remote: LeaseRemote, private readonly now: () => number = Date.now) {}

  /**
   * Admits one request of a key with limits: from a lease here when one is usable, else by the
   * holder. `defer` keeps the request's background work alive (lease renewals and returns).
   * @throws what the holder's call throws (the relay answers 503).
   */
  async admit(spec: KeyLimitSpec, defer: (p: Promise<unknown>) => void): Promise<Admission> {
    if (!leasable(spec)) return (await this.remote.acquire(spec, true, null, this.forget(spec.keyId))).admission!;
    const e = this.entryFor(spec);
    const now = this.now();
    this.countRate(e, now);
    const lease = this.usable(e, now);
    if (lease) {
      lease.usedAt.push(now);
      // A renewal carries the leases given back; else they are queued.
      if (!e.next && !e.asking && halfGone(lease, now)) defer(this.ask(e, spec, false, defer));
      for (const r of e.returns.splice(0)) defer(this.remote.queue(e.keyId, r));
      return { ok: true };
    }
    return (await this.ask(e, spec, true, defer))!;
  }

  /**
   * Counts a finished request's spend (priced by the caller): against the current lease and in a
   * batched report, or, with no live lease, in a report sent at once.
   * @returns the report's send, for the caller's `defer`.
   */
  settle(keyId: number, costNanoUsd: number, tokens: number): Promise<void> {
    const e = this.keys.get(keyId);
    const now = this.now();
    if (e) e.avgCostNanoUsd = e.avgCostNanoUsd === null ? costNanoUsd : e.avgCostNanoUsd * 0.8 + costNanoUsd * 0.2;
    const lease = e?.current && now < e.current.expiresAt ? e.current : null;
    if (lease) {
      lease.consumedNanoUsd += costNanoUsd;
      const report: LeaseReport = { kind: 'spend', leaseId: lease.id, costNanoUsd, tokens };
      // Within the allowance the holder keeps the spend reserved until the batch lands; past it
      // (requests in flight when it ran out) nothing covers it, so the holder must see it now.
      if (lease.allowanceNanoUsd === null || lease.consumedNanoUsd <= lease.allowanceNanoUsd) return this.remote.queue(keyId, report);
      return this.remote.report(keyId, [report]);
    }
    return this.remote.report(keyId, [{ kind: 'spend', leaseId: null, costNanoUsd, tokens }]);
  }

  /** Whether requests of this key are admitted through leases here (their spend is settled by `settle`). */
  handles(keyId: number): boolean {
    return this.keys.has(keyId);
  }

  /** The key's entry; leases granted under other limits are given back first. */
  private entryFor(spec: KeyLimitSpec): KeyEntry {
    const specKey = specKeyOf(spec);
    let e = this.keys.get(spec.keyId);
    if (e && e.specKey !== specKey) {
      this.giveBack(e, e.current);
      this.giveBack(e, e.next);
      e.current = e.next = null;
      e.specKey = specKey;
    }
    if (!e) {
      e = { keyId: spec.keyId, specKey, current: null, next: null, asking: false, returns: [], avgCostNanoUsd: null, bucketStart: 0, bucketCount: 0, lastBucketCount: 0 };
      this.keys.set(spec.keyId, e);
    }
    return e;
  }

  /** The key now has a TPM limit: its requests go to the holder one by one. @returns its leases, given back. */
  private forget(keyId: number): LeaseReport[] {
    const e = this.keys.get(keyId);
    if (!e) return [];
    this.giveBack(e, e.current);
    this.giveBack(e, e.next);
    this.keys.delete(keyId);
    return e.returns;
  }

  /** The current lease if it can admit, after giving back spent ones and moving the next one up. */
  private usable(e: KeyEntry, now: number): LocalLease | null {
    for (;;) {
      const c = e.current;
      if (!c) return null;
      if (usableAt(c, now)) return c;
      this.giveBack(e, c);
      e.current = e.next;
      e.next = null;
    }
  }

  /** Puts a lease on the key's returns (the next call to the holder carries them). */
  private giveBack(e: KeyEntry, l: LocalLease | null): void {
    if (l) e.returns.push({ kind: 'return', leaseId: l.id, usedAt: l.usedAt, consumedNanoUsd: l.consumedNanoUsd });
  }

  private countRate(e: KeyEntry, now: number): void {
    if (now - e.bucketStart >= 1_000) {
      e.lastBucketCount = now - e.bucketStart < 2_000 ? e.bucketCount : 0;
      e.bucketStart = now;
      e.bucketCount = 0;
    }
    e.bucketCount++;
  }

  /** The lease to ask for: enough slots for LEASE_COVER_MS at the recent rate, the allowance they would spend. */
  private want(e: KeyEntry, spec: KeyLimitSpec): LeaseWant {
    const perSecond = Math.max(e.lastBucketCount, e.bucketCount);
    const slots = Math.min(LEASE_MAX_SLOTS, Math.max(MIN_SLOTS, Math.ceil((perSecond * LEASE_COVER_MS) / 1_000)));
    const allowanceNanoUsd = spec.budgetNanoUsd === null || e.avgCostNanoUsd === null
      ? null
      // A free request still takes 1 nano-USD per slot, so a key whose requests cost nothing gets a lease.
      : Math.ceil(Math.max(1, e.avgCostNanoUsd) * slots * ALLOWANCE_MARGIN);
    return { slots, allowanceNanoUsd };
  }

  /**
   * One call to the holder: admits a request when `admitNow`, and asks for a lease unless another
   * request of the key is asking already. A granted lease becomes current, or next.
   */
  private async ask(e: KeyEntry, spec: KeyLimitSpec, admitNow: boolean, defer: (p: Promise<unknown>) => void): Promise<Admission | null> {
    const want = e.asking ? null : this.want(e, spec);
    if (want) e.asking = true;
    const sentAt = this.now();
    try {
      const r = await this.remote.acquire(spec, admitNow, want, e.returns.splice(0));
      if (r.lease) this.install(e, r.lease, sentAt, defer);
      return r.admission;
    } finally {
      if (want) e.asking = false;
    }
  }

  private install(e: KeyEntry, g: LeaseGrant, sentAt: number, defer: (p: Promise<unknown>) => void): void {
    const lease: LocalLease = { id: g.id, expiresAt: sentAt + g.ttlMs, grantedSlots: g.slots, allowanceNanoUsd: g.allowanceNanoUsd, consumedNanoUsd: 0, usedAt: [] };
    // Limits changed while it was asked for, or two leases are held already: give it straight back.
    if (this.keys.get(e.keyId) !== e || e.specKey !== specKeyOf(g.spec) || (e.current && e.next)) {
      defer(this.remote.queue(e.keyId, { kind: 'return', leaseId: lease.id, usedAt: [], consumedNanoUsd: 0 }));
      return;
    }
    if (!e.current) e.current = lease;
    else e.next = lease;
  }
}
