import { describe, expect, it } from 'vitest';
import { channelState } from '../../src/admin/groups-health';
import { describeError, describeMemberProblem, upstreamMessage } from '../../src/routing/plain-error';
import { groupStatus, memberState, type KeyCounts, type MemberVerdict } from '../../src/routing/status';
import type { AttemptOutcome, MemberHealth, PlanSettings, RoutingReport } from '../../src/routing/types';
import { bucketOf, bucketValue, HealthWindows, histPercentile, MemberWindow, mergeHist, SampleKind, WINDOW_MAX_AGE_MS, WINDOW_MAX_MEMBERS, WINDOW_SIZE } from '../../src/routing/window';

const SETTINGS: PlanSettings = { breakerThreshold: 3, breakerBaseMs: 1000, breakerCapMs: 8000, stickyTtlMs: 0, probeLeaseMs: 500 };
const out = (memberId: number, kind: AttemptOutcome['kind'], status: number, ms: number): AttemptOutcome => ({ memberId, channelId: memberId, keyId: 'k', kind, status, ms });
const report = (...outcomes: AttemptOutcome[]): RoutingReport => ({ outcomes, untried: [], settings: SETTINGS });

describe('member window', () => {
  it('keeps the last WINDOW_SIZE attempts and exact nearest-rank percentiles of successes', () => {
    const w = new MemberWindow();
    // 200 successes of 1..200 ms: only the last 128 (73..200) stay.
    for (let i = 1; i <= 200; i++) w.add(1000 + i, SampleKind.Ok, i, i / 2);
    const s = w.summary(2000);
    expect(s.samples).toBe(WINDOW_SIZE);
    expect(s.ok).toBe(WINDOW_SIZE);
    expect(s.latencyP50Ms).toBe(136); // 73 + ceil(0.5·128) - 1
    expect(s.latencyP95Ms).toBe(194); // 73 + ceil(0.95·128) - 1
    expect(s.ttftP50Ms).toBe(68);
    expect(s.last).toBe('ok');
  });

  it('counts failures and 429s apart, leaves their times out of the percentiles, and forgets old attempts', () => {
    const w = new MemberWindow();
    w.add(0, SampleKind.Ok, 5000, null); // older than the window at the read below
    w.add(WINDOW_MAX_AGE_MS + 10, SampleKind.Ok, 100, null);
    w.add(WINDOW_MAX_AGE_MS + 20, SampleKind.Failed, 30_000, null);
    w.add(WINDOW_MAX_AGE_MS + 30, SampleKind.RateLimited, 20, null);
    const s = w.summary(WINDOW_MAX_AGE_MS + 40);
    expect(s).toMatchObject({ samples: 3, ok: 1, failed: 1, rateLimited: 1, last: 'rate-limited', latencyP50Ms: 100, latencyP95Ms: 100, ttftP50Ms: null });
    expect(new MemberWindow().summary(0)).toMatchObject({ samples: 0, last: null, latencyP50Ms: null });
  });

  it('takes earlier attempts off a success\'s latency and TTFT, and skips client faults and aborts', () => {
    const ws = new HealthWindows();
    // Member 1 failed after 300 ms, member 2 served: the request took 1300 ms, its first token came at 500 ms.
    ws.observe(report(out(1, 'channel', 502, 300), out(2, 'ok', 200, 150)), { latencyMs: 1300, ttftMs: 500 }, 10);
    ws.observe(report(out(3, 'client', 400, 5), out(4, 'aborted', 0, 5)), { latencyMs: 10, ttftMs: null }, 10);
    ws.observe(report(out(5, 'channel', 429, 7)), undefined, 10);
    const s = ws.summaries(20);
    expect(s['1']).toMatchObject({ samples: 1, failed: 1, latencyP50Ms: null });
    expect(s['2']).toMatchObject({ samples: 1, ok: 1, latencyP50Ms: 1000, ttftP50Ms: 200 });
    expect(s['3']).toBeUndefined();
    expect(s['4']).toBeUndefined();
    expect(s['5']).toMatchObject({ rateLimited: 1, last: 'rate-limited' });
  });

  it('comes back from a snapshot as it was (a Durable Object after an eviction), skipping what is unreadable', () => {
    const ws = new HealthWindows();
    for (let i = 0; i < WINDOW_SIZE + 20; i++) ws.observe(report(out(1, 'ok', 200, 100 + i)), { latencyMs: 100 + i, ttftMs: 10 }, 1000 + i);
    ws.observe(report(out(2, 'channel', 429, 3)), undefined, 2000);
    const snap = structuredClone(ws.snapshot()); // what storage gives back
    expect(snap.find((m) => m.memberId === 1)!.at).toHaveLength(WINDOW_SIZE);
    const back = HealthWindows.from([...snap, null, { memberId: 3 }, { memberId: 4, at: [1], kind: [9], ms: [1], ttft: [1] }]);
    expect(back.summaries(3000)).toEqual(ws.summaries(3000));
    expect(Object.keys(HealthWindows.from('garbage').summaries(3000))).toEqual([]);
  });

  it('bounds the members tracked per group', () => {
    const ws = new HealthWindows();
    for (let m = 1; m <= WINDOW_MAX_MEMBERS + 3; m++) ws.observe(report(out(m, 'ok', 200, 1)), undefined, 1);
    const s = ws.summaries(2);
    expect(Object.keys(s)).toHaveLength(WINDOW_MAX_MEMBERS);
    expect(s['1']).toBeUndefined(); // the first added left first
    expect(s[String(WINDOW_MAX_MEMBERS + 3)]).toBeDefined();
  });

  it('histograms merge and give percentiles within one bucket (±15 %)', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(10)).toBe(0);
    for (const v of [11, 99, 850, 12_345, 600_000]) {
      const b = bucketOf(v);
      expect(bucketValue(b)).toBeGreaterThanOrEqual(v * 0.999);
      expect(bucketValue(b)).toBeLessThanOrEqual(v * 1.16);
    }
    const a = new MemberWindow();
    const b = new MemberWindow();
    for (let i = 0; i < 50; i++) a.add(1, SampleKind.Ok, 100, null);
    for (let i = 0; i < 50; i++) b.add(1, SampleKind.Ok, 1000, null);
    const merged = mergeHist(a.summary(2).latencyHist, b.summary(2).latencyHist);
    expect(merged.filter((_, k) => k % 2 === 1).reduce((n, c) => n + c, 0)).toBe(100);
    const p50 = histPercentile(merged, 0.5)!;
    const p95 = histPercentile(merged, 0.95)!;
    expect(p50).toBeGreaterThanOrEqual(100);
    expect(p50).toBeLessThan(116);
    expect(p95).toBeGreaterThanOrEqual(1000);
    expect(p95).toBeLessThan(1160);
    expect(histPercentile([], 0.5)).toBeNull();
  });
});

const closed = (over: Partial<MemberHealth> = {}): MemberHealth => ({ phase: 'closed', consecutiveFailures: 0, cooldownUntil: 0, lastStatus: 200, lastError: null, lastAt: 1, ...over });
const recent = (ok: number, failed: number, rateLimited: number, last: 'ok' | 'failed' | 'rate-limited' = 'ok') => ({
  samples: ok + failed + rateLimited, ok, failed, rateLimited, last, latencyP50Ms: null, latencyP95Ms: null, ttftP50Ms: null, ttftP95Ms: null, latencyHist: [], ttftHist: [],
});
const keys = (total = 1, rateLimited = 0, unauthorised = 0): KeyCounts => ({ total, rateLimited, unauthorised });
const NOW = 1_000_000;

describe('member state', () => {
  it('follows the documented rule, first match wins', () => {
    const st = (health: MemberHealth | undefined, k = keys(), enabled = true) => memberState({ enabled, health, keys: k, now: NOW });
    expect(st(closed(), keys(), false)).toMatchObject({ state: 'disabled', routable: false });
    expect(st(closed({ phase: 'open', cooldownUntil: NOW + 5000, consecutiveFailures: 5 }))).toMatchObject({ state: 'down', routable: false });
    expect(st(undefined, keys(0))).toMatchObject({ state: 'down', routable: false });
    expect(st(closed(), keys(2, 0, 2))).toMatchObject({ state: 'down', routable: false });
    // A 429-ing member is never green: a cooling key, or a last attempt that was a 429.
    expect(st(closed({ recent: recent(9, 0, 0) }), keys(2, 1))).toMatchObject({ state: 'rate-limited', routable: true });
    expect(st(closed({ recent: recent(0, 0, 3, 'rate-limited') }), keys(1, 1))).toMatchObject({ state: 'rate-limited', routable: false, reason: 'rate limited on every key' });
    expect(st(closed({ recent: recent(5, 0, 1, 'rate-limited') }), keys(1))).toMatchObject({ state: 'rate-limited', routable: true });
    expect(st(closed({ phase: 'half-open' }))).toMatchObject({ state: 'degraded', routable: true });
    expect(st(closed({ consecutiveFailures: 2 }))).toMatchObject({ state: 'degraded', reason: '2 failures in a row' });
    expect(st(closed(), keys(3, 0, 1))).toMatchObject({ state: 'degraded' });
    expect(st(closed({ recent: recent(8, 2, 0) }))).toMatchObject({ state: 'degraded', reason: '80% of recent attempts succeeded' });
    // Too few attempts to judge a rate: one failure out of two, then a success.
    expect(st(closed({ recent: recent(1, 1, 0) }))).toMatchObject({ state: 'healthy' });
    expect(st(closed({ recent: recent(19, 1, 0) }))).toMatchObject({ state: 'healthy', reason: '95% of recent attempts succeeded' });
    expect(st(undefined)).toMatchObject({ state: 'idle', routable: true });
  });

  it('gives the group down / degraded / healthy', () => {
    const v = (state: MemberVerdict['state'], routable = true): MemberVerdict => ({ state, routable, reason: '' });
    expect(groupStatus([])).toMatchObject({ status: 'down', reason: 'no enabled member' });
    expect(groupStatus([v('disabled', false)]).status).toBe('down');
    expect(groupStatus([v('down', false), v('rate-limited', false)])).toMatchObject({ status: 'down', reason: 'none of 2 members can take requests (1 rate limited)' });
    expect(groupStatus([v('down', false)])).toMatchObject({ status: 'down', reason: 'its only member cannot take requests' });
    expect(groupStatus([v('down', false), v('healthy')])).toMatchObject({ status: 'degraded', reason: '1 of 2 members healthy' });
    expect(groupStatus([v('rate-limited'), v('healthy')]).status).toBe('degraded');
    expect(groupStatus([v('healthy'), v('idle'), v('disabled', false)])).toMatchObject({ status: 'healthy', reason: 'all 2 members healthy' });
  });

  it('rolls a channel up from its members in every group', () => {
    const v = (state: MemberVerdict['state'], routable = true): MemberVerdict => ({ state, routable, reason: '' });
    expect(channelState([]).state).toBe('idle');
    expect(channelState([v('disabled', false)]).state).toBe('disabled');
    expect(channelState([v('down', false), v('down', false)]).state).toBe('down');
    expect(channelState([v('rate-limited', false)]).state).toBe('rate-limited');
    expect(channelState([v('healthy'), v('rate-limited')]).state).toBe('rate-limited');
    expect(channelState([v('healthy'), v('down', false)]).state).toBe('degraded');
    expect(channelState([v('idle'), v('idle')]).state).toBe('idle');
    expect(channelState([v('idle'), v('healthy')]).state).toBe('healthy');
  });
});

describe('last error in plain words', () => {
  it('names the status and keeps the upstream\'s message as the detail', () => {
    const openai = '{ "error": { "message": "Incorrect API key provided: sk-ab***yz. You can find your API key at https://platform.openai.com.", "type": "invalid_request_error" } }';
    expect(describeError(401, openai)).toEqual({ text: 'upstream returned 401: invalid key', detail: 'Incorrect API key provided: sk-ab***yz. You can find your API key at https://platform.openai.com.' });
    expect(describeError(429, '{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}'))
      .toEqual({ text: 'upstream returned 429: rate limited', detail: 'Number of requests has exceeded your rate limit' });
    // A body cut short (the relay keeps 300 characters) still gives its message.
    expect(upstreamMessage('{"error":{"code":503,"message":"The model is overloaded. Please try \\"later')).toBe('The model is overloaded. Please try "later');
    expect(describeError(599, 'x').text).toBe('upstream returned 599: server error');
    expect(describeError(418, '').text).toBe('upstream returned 418: request refused');
    expect(describeError(200, 'the upstream answered 2xx with a body that is not a openai-chat answer').text).toBe('upstream answered 200 with an unusable body');
  });

  it('says timeouts, stalls and connection failures without the raw text', () => {
    expect(describeError(0, 'no response within 30000 ms')).toEqual({ text: 'timed out after 30 s', detail: 'no response within 30000 ms' });
    expect(describeError(0, 'stream failed before any content: no data from the upstream for 1500 ms').text).toBe('stream stalled for 1.5 s');
    expect(describeError(0, 'fetch failed: connect ECONNREFUSED 127.0.0.1:9').text).toBe('connection refused by the upstream');
    expect(describeError(0, 'getaddrinfo ENOTFOUND api.example').text).toBe('could not resolve the upstream host');
    expect(describeError(0, 'channel 3: key k1 cannot be decrypted (was ENCRYPTION_KEY changed?)').text).toMatch(/^stored credentials cannot be decrypted/);
    expect(describeError(0, null)).toEqual({ text: 'no answer from the upstream', detail: null });
    const long = 'x'.repeat(200);
    expect(describeError(0, long).text).toHaveLength(80);
    expect(describeError(0, long).detail).toBe(long);
  });

  it('says an open breaker as a pause with its retry time, the breaker terms only in the detail', () => {
    const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const at = Date.UTC(2026, 0, 1, 14, 5);
    const h = closed({ phase: 'open', cooldownUntil: at, consecutiveFailures: 5, lastStatus: 503, lastError: '{"error":{"message":"overloaded"}}' });
    const p = describeMemberProblem(h, at - 60_000, clock)!;
    expect(p.text).toBe('paused: 5 failures in a row, retrying at 14:05');
    expect(p.text).not.toMatch(/breaker|circuit|half-open/);
    expect(p.detail).toContain('breaker open until 2026-01-01T14:05:00.000Z');
    expect(p.detail).toContain('upstream returned 503: unavailable');
    expect(describeMemberProblem({ ...h, consecutiveFailures: 1 }, at - 60_000, clock)!.text).toBe('paused: 1 failure, retrying at 14:05');
    expect(describeMemberProblem({ ...h, cooldownUntil: at - 1 }, at, clock)!.text).toBe('upstream returned 503: unavailable'); // the pause is over
    expect(describeMemberProblem(closed(), at, clock)).toBeNull();
    expect(describeMemberProblem(undefined, at, clock)).toBeNull();
    expect(describeMemberProblem(closed({ lastStatus: 429, lastError: 'slow down' }), at, clock)).toEqual({ text: 'upstream returned 429: rate limited', detail: 'slow down' });
  });
});
