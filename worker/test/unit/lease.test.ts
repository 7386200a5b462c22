/**
 * Admission leases (issue 11): the holder's arithmetic (limits/lease.ts) and the isolate's client
 * (limits/lease-client.ts) against an in-memory holder, with two isolates sharing one key.
 */
import { describe, expect, it } from 'vitest';
import { WINDOW_MS, emptyKeyLimitState, type KeyLimitState } from '../../src/limits/key-limiter';
import {
  LEASE_FLOOR, LEASE_GRACE_MS, LEASE_TTL_MS, acquire, applyReports, emptyLeaseBook, grantLease, reservedNanoUsd,
  type LeaseBook, type LeaseReport,
} from '../../src/limits/lease';
import { LeaseClient, type LeaseRemote } from '../../src/limits/lease-client';
import type { KeyLimitSpec } from '../../src/platform';

const spec = (over: Partial<KeyLimitSpec>): KeyLimitSpec => ({ keyId: 1, budgetNanoUsd: null, rpmLimit: null, tpmLimit: null, ...over });

/** One key's holder in memory; every call lands after a random 0–2 ms (queued reports 3–5 ms), so calls of two isolates interleave. */
function memoryHolder(clock: { t: number }) {
  const state: KeyLimitState = emptyKeyLimitState();
  const book: LeaseBook = emptyLeaseBook();
  const calls = { acquire: 0, report: 0 };
  const later = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
  const remote: LeaseRemote = {
    acquire: async (s, admitNow, want, reports) => {
      await later();
      calls.acquire++;
      applyReports(state, book, reports, clock.t);
      return acquire(state, book, s, admitNow, want, clock.t);
    },
    report: async (_keyId, reports) => {
      await later();
      calls.report++;
      applyReports(state, book, reports, clock.t);
    },
    // As the edge's coalescer does for most items: the caller goes on at once, the report lands a few ms later.
    queue: async (_keyId, report: LeaseReport) => {
      void new Promise((r) => setTimeout(r, 3 + Math.floor(Math.random() * 3))).then(() => applyReports(state, book, [report], clock.t));
    },
  };
  return { state, book, calls, remote };
}

/** A request context's `defer`: collects background work so a test can wait for it. */
function background() {
  const pending: Promise<unknown>[] = [];
  return { defer: (p: Promise<unknown>) => void pending.push(p), drain: async () => { while (pending.length) await pending.shift(); } };
}

describe('lease arithmetic (holder)', () => {
  it('reserves a lease\'s slots in the window, stamped at its expiry, and swaps them for real times on return', () => {
    const s = emptyKeyLimitState();
    const book = emptyLeaseBook();
    const t0 = 1_000_000;
    const g = grantLease(s, book, spec({ rpmLimit: 100 }), { slots: 5, allowanceNanoUsd: null }, t0)!;
    expect(g).toMatchObject({ slots: 5, allowanceNanoUsd: null, ttlMs: LEASE_TTL_MS });
    expect(s.admits).toEqual(Array(5).fill(t0 + LEASE_TTL_MS));
    // One admitted by the holder meanwhile: it sorts before the stamps.
    expect(acquire(s, book, spec({ rpmLimit: 100 }), true, null, t0 + 15).admission).toEqual({ ok: true });
    expect(s.admits[0]).toBe(t0 + 15);
    // Two used, three given back: the window keeps exactly the three real admissions, in order.
    applyReports(s, book, [{ kind: 'return', leaseId: g.id, usedAt: [t0 + 20, t0 + 10], consumedNanoUsd: 0 }], t0 + 30);
    expect(s.admits).toEqual([t0 + 10, t0 + 15, t0 + 20]);
    expect(book.leases.size).toBe(0);
  });

  it('grants no lease near a limit, nor for a TPM key or an unpriced budget', () => {
    const s = emptyKeyLimitState();
    const book = emptyLeaseBook();
    // A lease takes at most 1/LEASE_FLOOR of the free slots; below one slot, none.
    expect(grantLease(s, book, spec({ rpmLimit: LEASE_FLOOR - 1 }), { slots: 5, allowanceNanoUsd: null }, 0)).toBeNull();
    expect(grantLease(s, book, spec({ rpmLimit: LEASE_FLOOR * 5 - 1 }), { slots: 5, allowanceNanoUsd: null }, 0)).toMatchObject({ slots: 4 });
    expect(grantLease(emptyKeyLimitState(), book, spec({ rpmLimit: LEASE_FLOOR * 50 }), { slots: 5, allowanceNanoUsd: null }, 0)).toMatchObject({ slots: 5 });
    expect(grantLease(emptyKeyLimitState(), emptyLeaseBook(), spec({ rpmLimit: 1000, tpmLimit: 10_000 }), { slots: 5, allowanceNanoUsd: null }, 0)).toBeNull();
    expect(grantLease(emptyKeyLimitState(), emptyLeaseBook(), spec({ budgetNanoUsd: 1e9 }), { slots: 5, allowanceNanoUsd: null }, 0)).toBeNull();
    // Budget: 1000 left of 8000 after 7000 spent: at most 125 per lease; requests of 200 get none.
    const spent = emptyKeyLimitState(7000);
    expect(grantLease(spent, emptyLeaseBook(), spec({ budgetNanoUsd: 8000 }), { slots: 2, allowanceNanoUsd: 400 }, 0)).toBeNull();
    expect(grantLease(spent, emptyLeaseBook(), spec({ budgetNanoUsd: 8000 }), { slots: 4, allowanceNanoUsd: 400 }, 0)).toMatchObject({ allowanceNanoUsd: 125 });
  });

  it('counts reserved allowance as spent for every admission, and frees it by report or expiry', () => {
    const s = emptyKeyLimitState(0);
    const book = emptyLeaseBook();
    const b = spec({ budgetNanoUsd: 1000 });
    const g = grantLease(s, book, b, { slots: 2, allowanceNanoUsd: 100 }, 0)!;
    expect(reservedNanoUsd(book)).toBe(100);
    // 900 settled elsewhere: 900 + 100 reserved reaches the budget.
    applyReports(s, book, [{ kind: 'spend', leaseId: null, costNanoUsd: 900, tokens: 0 }], 1);
    expect(acquire(s, book, b, true, null, 2).admission).toMatchObject({ ok: false, limit: 'budget' });
    // 40 spent from the lease: it releases 40 of its reservation as the spend becomes settled.
    applyReports(s, book, [{ kind: 'spend', leaseId: g.id, costNanoUsd: 40, tokens: 0 }], 3);
    expect(reservedNanoUsd(book)).toBe(60);
    expect(acquire(s, book, b, true, null, 4).admission).toMatchObject({ ok: false });
    // The isolate died: after its ttl and grace the reservation is free again.
    expect(acquire(s, book, b, true, null, LEASE_TTL_MS + LEASE_GRACE_MS).admission).toMatchObject({ ok: false });
    expect(acquire(s, book, b, true, null, LEASE_TTL_MS + LEASE_GRACE_MS + 1).admission).toEqual({ ok: true });
    expect(reservedNanoUsd(book)).toBe(0);
  });

  it('keeps a returned lease\'s unreported spend reserved until its reports land (a return can overtake a batch)', () => {
    const s = emptyKeyLimitState();
    const book = emptyLeaseBook();
    const b = spec({ budgetNanoUsd: 1000 });
    const g = grantLease(s, book, b, { slots: 4, allowanceNanoUsd: 100 }, 0)!;
    // The isolate counted 80 against it; the return arrives before that batch.
    applyReports(s, book, [{ kind: 'return', leaseId: g.id, usedAt: [], consumedNanoUsd: 80 }], 1);
    expect(reservedNanoUsd(book)).toBe(80);
    applyReports(s, book, [{ kind: 'spend', leaseId: g.id, costNanoUsd: 50, tokens: 0 }], 2);
    expect(reservedNanoUsd(book)).toBe(30);
    applyReports(s, book, [{ kind: 'spend', leaseId: g.id, costNanoUsd: 30, tokens: 0 }], 3);
    expect(reservedNanoUsd(book)).toBe(0);
    expect(book.leases.size).toBe(0);
    expect(s.spentNanoUsd).toBe(80);
  });

  it('keeps an unreturned lease\'s slots until they age out, never shorter than a real admission would count', () => {
    const s = emptyKeyLimitState();
    const book = emptyLeaseBook();
    const rpm = spec({ rpmLimit: 80 });
    expect(grantLease(s, book, rpm, { slots: 10, allowanceNanoUsd: null }, 0)).not.toBeNull();
    // 70 free: admissions one by one take them, then refuse while the lost lease's 10 count.
    for (let i = 0; i < 70; i++) expect(acquire(s, book, rpm, true, null, 100).admission).toEqual({ ok: true });
    expect(acquire(s, book, rpm, true, null, 101).admission).toMatchObject({ ok: false, limit: 'rpm' });
    // The 70 leave at 100 + WINDOW; the lease's stamps (at its expiry) leave only at LEASE_TTL_MS + WINDOW.
    expect(acquire(s, book, rpm, true, null, 100 + WINDOW_MS).admission).toEqual({ ok: true });
    expect(s.admits.filter((t) => t === LEASE_TTL_MS)).toHaveLength(10);
    expect(s.admits).toHaveLength(11);
    // Just before the lease's expiry + WINDOW its 10 stamps still count: 69 more fit beside them and the one at 100 + WINDOW.
    for (let i = 0; i < 69; i++) expect(acquire(s, book, rpm, true, null, LEASE_TTL_MS + WINDOW_MS - 1).admission).toEqual({ ok: true });
    expect(acquire(s, book, rpm, true, null, LEASE_TTL_MS + WINDOW_MS - 1).admission).toMatchObject({ ok: false });
    expect(acquire(s, book, rpm, true, null, LEASE_TTL_MS + WINDOW_MS).admission).toEqual({ ok: true });
  });
});

describe('lease client (isolate)', () => {
  it('never admits past an RPM limit across two isolates under concurrency, and admits without a call in steady state', async () => {
    const clock = { t: 5_000_000 };
    const h = memoryHolder(clock);
    const isolates = [new LeaseClient(h.remote, () => clock.t), new LeaseClient(h.remote, () => clock.t)];
    const rpm = spec({ rpmLimit: 2_000 });
    const bg = background();
    let admitted = 0;
    let refused = 0;
    // 8 concurrent senders per isolate, 200 requests each, the clock moving 1 ms per request: all inside one minute.
    await Promise.all(isolates.flatMap((iso) => Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 200; i++) {
        clock.t += 1;
        const a = await iso.admit(rpm, bg.defer);
        if (a.ok) admitted++;
        else refused++;
      }
    })));
    await bg.drain();
    expect(admitted + refused).toBe(3_200);
    expect(admitted).toBeLessThanOrEqual(2_000);
    // Leases near the end: per-request fallback takes the last free slots, so few are left unused.
    expect(admitted).toBeGreaterThanOrEqual(2_000 - 2 * LEASE_FLOOR * 4);
    // Every refusal asked the holder; admissions mostly did not: they came from leases.
    expect(h.calls.acquire - refused).toBeLessThan(admitted / 5);
    // Every lease given back or used: the window holds exactly the admissions.
    expect(h.book.leases.size).toBeLessThanOrEqual(2);
  });

  it('never spends past a budget by more than the requests in flight, across two isolates', async () => {
    const clock = { t: 9_000_000 };
    const h = memoryHolder(clock);
    const isolates = [new LeaseClient(h.remote, () => clock.t), new LeaseClient(h.remote, () => clock.t)];
    const cost = 1_000;
    const budget = spec({ budgetNanoUsd: 400 * cost });
    const bg = background();
    let admitted = 0;
    const senders = 6;
    await Promise.all(isolates.flatMap((iso) => Array.from({ length: senders }, async () => {
      for (;;) {
        clock.t += 1;
        const a = await iso.admit(budget, bg.defer);
        if (!a.ok) return;
        admitted++;
        // The request runs a moment, then its spend is counted (a queued report only lands later).
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 2)));
        await iso.settle(1, cost, 10);
      }
    })));
    await bg.drain();
    await new Promise((r) => setTimeout(r, 20));
    // 400 requests exhaust the budget; beyond them only requests in flight (≤ 12 senders) may run.
    expect(admitted).toBeGreaterThanOrEqual(400);
    expect(admitted).toBeLessThanOrEqual(400 + 2 * senders);
    expect(h.state.spentNanoUsd).toBe(admitted * cost);
    expect(h.calls.acquire).toBeLessThan(admitted / 2);
  });

  it('admits one request at a time through the holder near a small limit', async () => {
    const clock = { t: 1_000 };
    const h = memoryHolder(clock);
    const iso = new LeaseClient(h.remote, () => clock.t);
    const bg = background();
    const results = [];
    for (let i = 0; i < 12; i++) results.push((await iso.admit(spec({ rpmLimit: 10 }), bg.defer)).ok);
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(h.calls.acquire).toBe(12);
    expect(h.book.leases.size).toBe(0);
  });

  it('gives a lease back when the key\'s limits change, and stops using an expired one', async () => {
    const clock = { t: 50_000 };
    const h = memoryHolder(clock);
    const iso = new LeaseClient(h.remote, () => clock.t);
    const bg = background();
    const before = spec({ rpmLimit: 1_000 });
    expect((await iso.admit(before, bg.defer)).ok).toBe(true);
    await bg.drain();
    expect(h.book.leases.size).toBe(1);
    const calls = h.calls.acquire;
    expect((await iso.admit(before, bg.defer)).ok).toBe(true);
    expect(h.calls.acquire).toBe(calls);
    await bg.drain();
    // A lowered limit (admin edit): the old lease goes back with its one use; the holder decides again.
    const after = spec({ rpmLimit: 3 });
    expect((await iso.admit(after, bg.defer)).ok).toBe(true);
    await bg.drain();
    expect(h.book.leases.size).toBe(0);
    // 1 first admission + 1 from the lease + 1 now: the window holds three, the limit.
    expect(h.state.admits).toHaveLength(3);
    expect((await iso.admit(after, bg.defer)).ok).toBe(false);
    // Expiry: a lease is not used past its ttl.
    const h2 = memoryHolder(clock);
    const iso2 = new LeaseClient(h2.remote, () => clock.t);
    await iso2.admit(before, bg.defer);
    await bg.drain();
    clock.t += LEASE_TTL_MS;
    const n = h2.calls.acquire;
    await iso2.admit(before, bg.defer);
    expect(h2.calls.acquire).toBe(n + 1);
    await bg.drain();
  });
});
