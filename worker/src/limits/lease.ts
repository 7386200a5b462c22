/**
 * Admission leases, the holder's side (issue 11): the one place that holds a key's limits (the
 * KeyObject on the edge) hands an isolate a lease, a number of RPM slots and a spend allowance
 * reserved out of what is left, so the isolate admits that many requests itself, without a call
 * on their critical path. The isolate's side is limits/lease-client.ts.
 *
 * Exactness (never over-admit):
 * - RPM: a lease's slots are recorded in the key's window up front, stamped at the lease's expiry
 *   (the latest moment the isolate may use one), so they count for at least as long as any request
 *   admitted from them would. When the lease comes back, the unused stamps leave and the used ones
 *   are replaced by the real admission times (all earlier, so this only frees slots sooner). A
 *   lease that never comes back (its isolate died) keeps its stamps until they age out: a
 *   reservation is returned by time alone.
 * - Budget: a lease's allowance is reserved against the budget until its isolate reports the spend
 *   it made from it or the lease expires; every admission (leased or not) sees spent + reserved.
 *   Spend made beyond an allowance comes only from requests already in flight, the same bound as
 *   admitting one at a time against settled spend.
 * - Near a limit no lease is granted (fewer than LEASE_FLOOR leases' worth left): the last slots
 *   and dollars are admitted one request at a time, so none is stranded in an idle isolate.
 * - TPM counts finished requests' tokens from every isolate: a key with a TPM limit gets no lease.
 *
 * Pure state transitions on KeyLimitState plus a LeaseBook (no Cloudflare import): unit-tested in
 * Node, driven one call at a time by the Durable Object. Units: ms since epoch, nano-USD, requests.
 */
import type { Admission, KeyLimitSpec } from '../platform';
import { admit, type KeyLimitState } from './key-limiter';

/** How long a lease may be used by its isolate, ms (a dead isolate's allowance returns after this plus LEASE_GRACE_MS). */
export const LEASE_TTL_MS = 4_000;
/** How long past its expiry a lease's allowance stays reserved, for its last report to arrive, ms. */
export const LEASE_GRACE_MS = 2_000;
/** A lease takes at most 1/LEASE_FLOOR of what is left of a limit, so the last of it is never stranded in one isolate; below one request's worth, no lease (admit one at a time). */
export const LEASE_FLOOR = 8;
/** Most slots one lease carries. */
export const LEASE_MAX_SLOTS = 1_000;

/** What an isolate asks for: slots (requests) and an allowance (nano-USD; null when it does not know a request's cost yet). */
export interface LeaseWant {
  slots: number;
  allowanceNanoUsd: number | null;
}

/** A granted lease as the isolate gets it. null fields: the key has no such limit (unbounded locally). */
export interface LeaseGrant {
  id: number;
  /** How long the isolate may admit from it, counted from when it sent the request, ms. */
  ttlMs: number;
  slots: number | null;
  allowanceNanoUsd: number | null;
  /** The limits the lease was granted under: a request whose key now has other limits does not use it. */
  spec: KeyLimitSpec;
}

/** A lease as its holder tracks it. */
interface HeldLease {
  expiresAt: number;
  /** Stamps of value expiresAt still in the window for this lease (slots not yet returned). */
  reservedSlots: number;
  /** Granted allowance, nano-USD (0 for a key without a budget). */
  allowanceNanoUsd: number;
  /** Spend reported against it so far, nano-USD. */
  reportedNanoUsd: number;
  /**
   * Once given back: the spend its isolate had counted against it, nano-USD. The reports of that
   * spend may still be on their way (batched), so that much stays reserved until they arrive.
   */
  returnedConsumedNanoUsd: number | null;
}

/** Allowance a lease still holds, nano-USD: granted (or, once returned, counted) minus reported. */
function outstanding(l: HeldLease): number {
  return Math.max(0, (l.returnedConsumedNanoUsd ?? l.allowanceNanoUsd) - l.reportedNanoUsd);
}

/** The holder's leases of one key. */
export interface LeaseBook {
  nextId: number;
  leases: Map<number, HeldLease>;
}

export function emptyLeaseBook(): LeaseBook {
  return { nextId: 1, leases: new Map() };
}

/** One report of an isolate: spend made (optionally against a lease), or a lease given back with its real admission times. */
export type LeaseReport =
  | { kind: 'spend'; leaseId: number | null; costNanoUsd: number; tokens: number }
  | { kind: 'return'; leaseId: number; usedAt: number[]; consumedNanoUsd: number };

/** Whether requests of a key with these limits may be admitted from leases (no TPM: tokens settle in every isolate). */
export function leasable(spec: KeyLimitSpec): boolean {
  return spec.tpmLimit === null && (spec.rpmLimit !== null || spec.budgetNanoUsd !== null);
}

/** Drops leases past expiry + grace: their allowance is free again; their slot stamps age out of the window by themselves. */
export function expireLeases(book: LeaseBook, now: number): void {
  for (const [id, l] of book.leases) if (now > l.expiresAt + LEASE_GRACE_MS) book.leases.delete(id);
}

/** Budget reserved by live leases, nano-USD. */
export function reservedNanoUsd(book: LeaseBook): number {
  let sum = 0;
  for (const l of book.leases.values()) sum += outstanding(l);
  return sum;
}

/**
 * Admits one request against the key's limits counting what live leases hold: their slots are in
 * the window already, their allowance is added to the settled spend. Mutates `state`.
 */
export function admitBesideLeases(state: KeyLimitState, book: LeaseBook, spec: KeyLimitSpec, now: number): Admission {
  expireLeases(book, now);
  const reserved = reservedNanoUsd(book);
  if (reserved === 0) return admit(state, spec, now);
  // Same rules, with the reserved allowance counted as spent; `admits` is shared, so an admission is recorded in `state`.
  const view: KeyLimitState = { ...state, spentNanoUsd: state.spentNanoUsd + reserved };
  return admit(view, spec, now);
}

/**
 * One isolate's call to the holder: admits one request when `admitNow` (admission null otherwise)
 * and, unless that was refused, grants a lease for `want` if one fits. Mutates `state` and `book`.
 */
export function acquire(state: KeyLimitState, book: LeaseBook, spec: KeyLimitSpec, admitNow: boolean, want: LeaseWant | null, now: number): { admission: Admission | null; lease: LeaseGrant | null } {
  const admission = admitNow ? admitBesideLeases(state, book, spec, now) : null;
  if (admission && !admission.ok) return { admission, lease: null };
  return { admission, lease: want ? grantLease(state, book, spec, want, now) : null };
}

function insertSorted(list: number[], t: number, count = 1): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > t) i--;
  list.splice(i, 0, ...Array.from({ length: count }, () => t));
}

/**
 * Grants a lease of `want`, each limit's part capped at 1/LEASE_FLOOR of what is left of it (and
 * slots at LEASE_MAX_SLOTS), or null when that is less than one request (the isolate then admits
 * one request at a time; a request's worth of allowance is want.allowance / want.slots). Budget:
 * an isolate that cannot price a request yet (allowance null) gets no lease. Mutates `state` (slot
 * stamps) and `book`.
 */
export function grantLease(state: KeyLimitState, book: LeaseBook, spec: KeyLimitSpec, want: LeaseWant, now: number): LeaseGrant | null {
  if (!leasable(spec) || want.slots < 1) return null;
  expireLeases(book, now);
  // The window as admit() counts it: entries younger than a minute.
  const cutoff = now - 60_000;
  const inWindow = state.admits.filter((t) => t > cutoff).length;
  let slots: number | null = null;
  const wantSlots = Math.min(Math.floor(want.slots), LEASE_MAX_SLOTS);
  if (spec.rpmLimit !== null) {
    slots = Math.min(wantSlots, Math.floor((spec.rpmLimit - inWindow) / LEASE_FLOOR));
    if (slots < 1) return null;
  }
  let allowance: number | null = null;
  if (spec.budgetNanoUsd !== null) {
    if (want.allowanceNanoUsd === null || want.allowanceNanoUsd <= 0) return null;
    const left = spec.budgetNanoUsd - state.spentNanoUsd - reservedNanoUsd(book);
    allowance = Math.min(Math.ceil(want.allowanceNanoUsd), Math.floor(left / LEASE_FLOOR));
    // Less than one request's worth (as the isolate prices them): admit one at a time.
    if (allowance < want.allowanceNanoUsd / wantSlots) return null;
  }
  const id = book.nextId++;
  const expiresAt = now + LEASE_TTL_MS;
  if (slots !== null) insertSorted(state.admits, expiresAt, slots);
  book.leases.set(id, { expiresAt, reservedSlots: slots ?? 0, allowanceNanoUsd: allowance ?? 0, reportedNanoUsd: 0, returnedConsumedNanoUsd: null });
  return { id, ttlMs: LEASE_TTL_MS, slots, allowanceNanoUsd: allowance, spec };
}

/**
 * Applies an isolate's reports in order: spend adds to the settled spend (and releases as much of
 * its lease's allowance); a returned lease swaps its slot stamps for the real admission times
 * (clamped to the lease's expiry, so no slot ever frees later than reserved) and frees its
 * allowance but for the spend counted against it and not yet reported (a return can overtake a
 * batch of spend). Reports about an unknown (expired) lease still count their spend. Mutates
 * `state` and `book`.
 * @returns the total spend counted, nano-USD.
 */
export function applyReports(state: KeyLimitState, book: LeaseBook, reports: LeaseReport[], now: number): number {
  let spent = 0;
  for (const r of reports) {
    const lease = book.leases.get(r.leaseId ?? -1);
    if (r.kind === 'spend') {
      state.spentNanoUsd += r.costNanoUsd;
      spent += r.costNanoUsd;
      if (lease) {
        lease.reportedNanoUsd += r.costNanoUsd;
        if (lease.returnedConsumedNanoUsd !== null && outstanding(lease) === 0) book.leases.delete(r.leaseId!);
      }
      continue;
    }
    if (!lease || lease.returnedConsumedNanoUsd !== null) continue;
    lease.returnedConsumedNanoUsd = r.consumedNanoUsd;
    if (outstanding(lease) === 0) book.leases.delete(r.leaseId);
    const used = r.usedAt.slice(0, lease.reservedSlots);
    let remove = lease.reservedSlots;
    for (let i = state.admits.length - 1; i >= 0 && remove > 0; i--) {
      if (state.admits[i] === lease.expiresAt) {
        state.admits.splice(i, 1);
        remove--;
      }
    }
    // Stamps already pruned with the window need no real time either (every use was earlier).
    const kept = lease.reservedSlots - remove;
    lease.reservedSlots = 0;
    const cutoff = now - 60_000;
    mergeSorted(state.admits, used.slice(0, kept).map((t) => Math.min(t, lease.expiresAt)).filter((t) => t > cutoff));
  }
  return spent;
}

/**
 * Merges `add` into the ascending `list` in place: one pass over the part of `list` later than
 * add's earliest (a lease's uses are recent, so that part is short), not one splice per time.
 */
function mergeSorted(list: number[], add: number[]): void {
  if (add.length === 0) return;
  add.sort((a, b) => a - b);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= add[0]!) lo = mid + 1;
    else hi = mid;
  }
  const tail = list.splice(lo);
  let i = 0;
  let j = 0;
  while (i < tail.length || j < add.length) {
    if (j >= add.length || (i < tail.length && tail[i]! <= add[j]!)) list.push(tail[i++]!);
    else list.push(add[j++]!);
  }
}
