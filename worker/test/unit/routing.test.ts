import { describe, expect, it } from 'vitest';
import type { Channel, GroupMode, Route } from '../../src/db/types';
import { admit, closedBreaker, cooldownMs, onFailure, onSuccess, parseRetryAfter, phaseOf } from '../../src/routing/breaker';
import { classifyStatus } from '../../src/routing/faults';
import { applyReport, healthView } from '../../src/routing/health';
import { routableMembers } from '../../src/routing/members';
import { planRequest } from '../../src/routing/plan';
import { DEFAULT_GROUP_SETTINGS, resolveGroupSettings } from '../../src/routing/settings';
import { orderMembers } from '../../src/routing/strategies';
import { emptyRoutingState, type AttemptOutcome, type MemberRef, type PlanSettings, type RoutingState } from '../../src/routing/types';

const member = (id: number, over: Partial<MemberRef> = {}): MemberRef => ({ memberId: id, channelId: id, priority: 0, weight: 1, keyIds: [`k${id}`], ...over });
const SETTINGS: PlanSettings = { breakerThreshold: 3, breakerBaseMs: 1000, breakerCapMs: 8000, stickyTtlMs: 0, probeLeaseMs: 500 };

/** A seeded PRNG (LCG), deterministic across runs. */
function seeded(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function plans(n: number, mode: GroupMode, members: MemberRef[], state: RoutingState = emptyRoutingState(), now = 0) {
  const out: number[][] = [];
  const rnd = seeded(7);
  for (let i = 0; i < n; i++) {
    const r = planRequest(state, { mode, members, settings: SETTINGS }, now, rnd);
    out.push(r.plan.candidates.map((c) => c.memberId));
    state = r.state;
  }
  return { out, state };
}

const fault = (memberId: number, status: number, extra: Partial<AttemptOutcome> = {}): AttemptOutcome => ({
  memberId, channelId: memberId, keyId: `k${memberId}`, kind: 'channel', status, ms: 1, error: `HTTP ${status}`, ...extra,
});
const ok = (memberId: number, keyId = `k${memberId}`): AttemptOutcome => ({ memberId, channelId: memberId, keyId, kind: 'ok', status: 200, ms: 1 });
const report = (outcomes: AttemptOutcome[], extra: object = {}) => ({ outcomes, untried: [], settings: SETTINGS, ...extra });

describe('balancing modes', () => {
  it('round-robin starts one member further each request and lists every member', () => {
    expect(plans(4, 'round-robin', [member(1), member(2), member(3)]).out).toEqual([[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 2, 3]]);
  });

  it('failover orders by priority, then id, every time', () => {
    const ms = [member(3, { priority: 1 }), member(1, { priority: 2 }), member(2, { priority: 1 })];
    expect(plans(3, 'failover', ms).out).toEqual([[2, 3, 1], [2, 3, 1], [2, 3, 1]]);
  });

  it('weighted picks each member exactly its weight per cycle, spread smoothly', () => {
    const ms = [member(1, { weight: 5 }), member(2, { weight: 1 }), member(3, { weight: 1 })];
    const { out } = plans(70, 'weighted', ms);
    const firsts = out.map((p) => p[0]);
    expect(firsts.slice(0, 7)).toEqual([1, 1, 2, 1, 3, 1, 1]); // smooth: never five 1s in a row
    for (let cycle = 0; cycle < 10; cycle++) {
      const window = firsts.slice(cycle * 7, cycle * 7 + 7);
      expect(window.filter((x) => x === 1)).toHaveLength(5);
      expect(window.filter((x) => x === 2)).toHaveLength(1);
      expect(window.filter((x) => x === 3)).toHaveLength(1);
    }
    for (const p of out) expect([...p].sort()).toEqual([1, 2, 3]);
  });

  it('random puts every member first, roughly evenly, and always lists them all', () => {
    const { out } = plans(3000, 'random', [member(1), member(2), member(3)]);
    const counts = [1, 2, 3].map((id) => out.filter((p) => p[0] === id).length);
    for (const c of counts) expect(c).toBeGreaterThan(850);
    for (const p of out) expect([...p].sort()).toEqual([1, 2, 3]);
  });

  it('orders an empty list as empty and keeps state pure', () => {
    const state = { cursor: 4, weights: {} };
    expect(orderMembers('round-robin', [], state, Math.random)).toEqual({ order: [], state });
    const s = emptyRoutingState();
    planRequest(s, { mode: 'round-robin', members: [member(1)], settings: SETTINGS }, 0, Math.random);
    expect(s).toEqual(emptyRoutingState());
  });
});

describe('channel keys', () => {
  it('rotate once per request that starts on the channel; fallbacks take the current key', () => {
    const ms = [member(1, { channelId: 10, keyIds: ['a', 'b'] }), member(2, { channelId: 20, keyIds: ['c'] })];
    let state = emptyRoutingState();
    const keys: string[] = [];
    let second: unknown;
    for (let i = 0; i < 6; i++) {
      const r = planRequest(state, { mode: 'round-robin', members: ms, settings: SETTINGS }, 0, Math.random);
      keys.push(r.plan.candidates[0]!.keyId);
      if (i === 1) second = r.plan.candidates[1];
      state = r.state;
    }
    expect(keys).toEqual(['a', 'c', 'b', 'c', 'a', 'c']);
    expect(second).toEqual({ memberId: 1, channelId: 10, keyId: 'b' });
  });

  it('a 429 cools one key down alone; the channel goes on with its other key; all cooled leaves the member out', () => {
    const m = member(1, { keyIds: ['a', 'b'] });
    let state = applyReport(emptyRoutingState(), report([fault(1, 429, { keyId: 'a', retryAfterMs: 5000 })]), 1000);
    expect(state.breakers['1']!.failures).toBe(0); // the member is not blamed for its key
    const used = plans(4, 'round-robin', [m], state, 2000).out;
    expect(used.every((p) => p[0] === 1)).toBe(true);
    const r = planRequest(state, { mode: 'round-robin', members: [m], settings: SETTINGS }, 2000, Math.random);
    expect(r.plan.candidates[0]!.keyId).toBe('b');
    state = applyReport(state, report([fault(1, 401, { keyId: 'b' })]), 2000);
    const none = planRequest(state, { mode: 'round-robin', members: [m], settings: SETTINGS }, 2500, Math.random);
    expect(none.plan.candidates).toEqual([]);
    expect(none.plan.retryAfterMs).toBe(3500); // key a comes back at 6000
    expect(planRequest(state, { mode: 'round-robin', members: [m], settings: SETTINGS }, 6000, Math.random).plan.candidates[0]!.keyId).toBe('a');
  });

  it('an empty plan is a rate limit only when every member waits on keys cooling after a 429', () => {
    const plan = (state: RoutingState, members: MemberRef[]) => planRequest(state, { mode: 'failover', members, settings: SETTINGS }, 1500, Math.random).plan;
    const limited = applyReport(emptyRoutingState(), report([fault(1, 429, { keyId: 'a' }), fault(2, 429)]), 1000);
    const both = plan(limited, [member(1, { keyIds: ['a'] }), member(2)]);
    expect(both).toEqual({ candidates: [], retryAfterMs: 59_500, rateLimited: true });
    expect(limited.keyCooldownCauses).toEqual({ '1:a': 429, '2:k2': 429 });
    // One key cooling after a 401, or one member open after failures: an outage, not a rate limit.
    const auth = applyReport(limited, report([fault(3, 401)]), 1000);
    expect(plan(auth, [member(1, { keyIds: ['a'] }), member(3)]).rateLimited).toBeUndefined();
    const open = applyReport(limited, report([fault(4, 500), fault(4, 500), fault(4, 500)]), 1000);
    expect(plan(open, [member(1, { keyIds: ['a'] }), member(4)]).rateLimited).toBeUndefined();
    // A plan with a candidate never says so; causes leave with their cooldowns.
    expect(plan(limited, [member(1, { keyIds: ['a'] }), member(5)]).rateLimited).toBeUndefined();
    expect(applyReport(limited, report([]), 100_000).keyCooldownCauses).toEqual({});
  });
});

describe('circuit breaker', () => {
  const s = { threshold: 3, baseMs: 1000, capMs: 8000 };

  it('opens after the threshold, lets one half-open probe through, closes on success', () => {
    let b = closedBreaker();
    b = onFailure(b, 0, s, 500, 'x');
    b = onFailure(b, 0, s, 500, 'x');
    expect(phaseOf(b, 0)).toBe('closed');
    b = onFailure(b, 10, s, 502, 'y');
    expect(phaseOf(b, 10)).toBe('open');
    expect(b.until).toBe(1010);
    expect(admit(b, 500, 100).ok).toBe(false);
    const probe = admit(b, 1010, 100);
    expect(probe.ok).toBe(true);
    expect(phaseOf(probe.state, 1010)).toBe('half-open');
    expect(admit(probe.state, 1050, 100).ok).toBe(false); // one probe at a time
    expect(admit(probe.state, 1111, 100).ok).toBe(true); // a lost report does not block forever
    b = onSuccess(probe.state, 1020, 200);
    expect(phaseOf(b, 1020)).toBe('closed');
    expect(b.failures).toBe(0);
  });

  it('doubles the cooldown on each re-opening up to the cap; a failed probe re-opens at once', () => {
    expect([1, 2, 3, 4, 5].map((n) => cooldownMs(n, s))).toEqual([1000, 2000, 4000, 8000, 8000]);
    let b = closedBreaker();
    for (let i = 0; i < 3; i++) b = onFailure(b, 0, s, 500, null);
    expect(b.until).toBe(1000);
    b = admit(b, 1000, 100).state;
    b = onFailure(b, 1001, s, 500, null); // the probe failed
    expect(b.until).toBe(1001 + 2000);
  });

  it('takes the cooldown from Retry-After when the upstream gives one', () => {
    const b = onFailure(closedBreaker(), 0, s, 503, null, 4500);
    expect(phaseOf(b, 4499)).toBe('open');
    expect(phaseOf(b, 4500)).toBe('half-open');
    expect(onFailure(closedBreaker(), 0, s, 503, null, 999_999).until).toBe(8000); // capped
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-29T12:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('in a plan: open members are left out, a 503 with Retry-After comes when all are open', () => {
    let state = emptyRoutingState();
    state = applyReport(state, report([fault(1, 500), fault(1, 500), fault(1, 500)]), 0);
    expect(plans(1, 'failover', [member(1), member(2)], state, 10).out[0]).toEqual([2]);
    state = applyReport(state, report([fault(2, 503, { retryAfterMs: 400 })]), 0);
    const r = planRequest(state, { mode: 'failover', members: [member(1), member(2)], settings: SETTINGS }, 10, Math.random);
    expect(r.plan.candidates).toEqual([]);
    expect(r.plan.retryAfterMs).toBe(390);
    // At 400 member 2 is half-open: exactly one request probes it.
    const p1 = planRequest(state, { mode: 'failover', members: [member(1), member(2)], settings: SETTINGS }, 400, Math.random);
    expect(p1.plan.candidates.map((c) => c.memberId)).toEqual([2]);
    const p2 = planRequest(p1.state, { mode: 'failover', members: [member(1), member(2)], settings: SETTINGS }, 401, Math.random);
    expect(p2.plan.candidates).toEqual([]);
    // A planned-but-untried member gives its lease back.
    const released = applyReport(p1.state, report([], { untried: [2] }), 402);
    expect(planRequest(released, { mode: 'failover', members: [member(2)], settings: SETTINGS }, 403, Math.random).plan.candidates).toHaveLength(1);
  });

  it('client faults neither count nor close; health shows phase, failures and cooldown', () => {
    let state = applyReport(emptyRoutingState(), report([fault(7, 500), fault(7, 502)]), 100);
    state = applyReport(state, report([{ ...fault(7, 400), kind: 'client' }]), 200);
    expect(healthView(state, 300).members['7']).toEqual({ phase: 'closed', consecutiveFailures: 2, cooldownUntil: 0, lastStatus: 502, lastError: 'HTTP 502', lastAt: 100 });
    state = applyReport(state, report([ok(7)]), 400);
    expect(healthView(state, 500).members['7']).toMatchObject({ phase: 'closed', consecutiveFailures: 0, lastStatus: 200 });
  });
});

describe('sticky sessions', () => {
  const sticky = { ...SETTINGS, stickyTtlMs: 60_000 };
  const ms = [member(1), member(2), member(3)];

  it('keeps a session on the member that served it, until the TTL ends', () => {
    let state = applyReport(emptyRoutingState(), report([ok(2)], { session: 's1', settings: sticky }), 0);
    for (let i = 0; i < 5; i++) {
      const r = planRequest(state, { mode: 'round-robin', members: ms, settings: sticky, session: 's1' }, 1000, Math.random);
      expect(r.plan.candidates[0]!.memberId).toBe(2);
      expect(r.plan.candidates).toHaveLength(3);
      state = r.state;
    }
    const other = planRequest(state, { mode: 'round-robin', members: ms, settings: sticky, session: 's2' }, 1000, Math.random);
    expect(other.plan.candidates[0]!.memberId).not.toBe(undefined);
    const late = planRequest(state, { mode: 'failover', members: ms, settings: sticky, session: 's1' }, 61_000, Math.random);
    expect(late.plan.candidates[0]!.memberId).toBe(1);
  });

  it('never blocks failover: a sticky member that is open is skipped at once', () => {
    let state = applyReport(emptyRoutingState(), report([ok(2)], { session: 's1', settings: sticky }), 0);
    state = applyReport(state, report([fault(2, 500), fault(2, 500), fault(2, 500)], { settings: sticky }), 10);
    const r = planRequest(state, { mode: 'failover', members: ms, settings: sticky, session: 's1' }, 20, Math.random);
    expect(r.plan.candidates.map((c) => c.memberId)).toEqual([1, 3]);
  });
});

describe('routable members', () => {
  const ch = (id: number, over: Partial<Channel> = {}): Channel => ({
    id, name: `c${id}`, type: 'openai-chat', baseUrl: 'http://x', models: [], headers: {}, modelFilter: null, enabled: true, createdAt: 0, updatedAt: 0,
    keys: [{ id: `k${id}`, enc: '', hint: '', enabled: true }], ...over,
  });
  it('skips disabled members, disabled or missing channels and channels without enabled keys', () => {
    const route: Route = {
      group: {
        id: 1, name: 'g', mode: 'round-robin', settings: {}, aliases: [], patterns: [], enabled: true, createdAt: 0, updatedAt: 0,
        members: [1, 2, 3, 4, 5].map((i) => ({ id: i, groupId: 1, channelId: i, upstreamModel: 'm', priority: 0, weight: i === 1 ? 0 : 2, enabled: i !== 2 })),
      },
      channels: new Map([[1, ch(1)], [2, ch(2)], [3, ch(3, { enabled: false })], [5, ch(5, { keys: [{ id: 'x', enc: '', hint: '', enabled: false }] })]]),
    };
    expect(routableMembers(route)).toEqual([{ memberId: 1, channelId: 1, priority: 0, weight: 1, keyIds: ['k1'] }]);
  });
});

describe('fault classes', () => {
  it.each([
    [200, 'ok'], [201, 'ok'], [0, 'channel'], [401, 'channel'], [402, 'channel'], [403, 'channel'], [404, 'channel'],
    [408, 'channel'], [409, 'channel'], [425, 'channel'], [429, 'channel'], [500, 'channel'], [503, 'channel'], [529, 'channel'],
    [400, 'client'], [413, 'client'], [422, 'client'], [405, 'client'], [451, 'client'],
  ] as const)('%i is %s', (status, cls) => {
    expect(classifyStatus(status)).toBe(cls);
  });
});

describe('group settings', () => {
  it('fills absent fields from the defaults and ignores junk', () => {
    expect(resolveGroupSettings(undefined)).toEqual(DEFAULT_GROUP_SETTINGS);
    const s = resolveGroupSettings({ firstByteTimeoutMs: 5000, maxAttempts: Number.NaN, unknown: 3 } as never);
    expect(s.firstByteTimeoutMs).toBe(5000);
    expect(s.maxAttempts).toBe(DEFAULT_GROUP_SETTINGS.maxAttempts);
    expect(s).not.toHaveProperty('unknown');
  });
});
