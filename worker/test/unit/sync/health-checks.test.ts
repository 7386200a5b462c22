/** Health check rules (routing/check-state.ts), due times and the bounds of a cron run (sync/health-checks.ts), and routing around a channel down by check. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../upstream/server';
import type { Channel, ChannelCheckResult, ChannelHealthState, Route } from '../../../src/db/types';
import type { Store } from '../../../src/db/store';
import type { KeyVault } from '../../../src/lib/crypto';
import type { UpstreamCall } from '../../../src/relay/upstream';
import { downByCheck, nextHealthState } from '../../../src/routing/check-state';
import { routableMembers } from '../../../src/routing/members';
import { CHECK_CONCURRENCY, MAX_CHECKS_PER_RUN, checkChannel, checkDue, runHealthChecks } from '../../../src/sync/health-checks';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

function channel(id: number, over: Partial<Channel> = {}): Channel {
  return {
    id, name: `c${id}`, type: 'openai-chat', baseUrl: 'http://up.test/v1', models: ['m'], headers: {}, modelFilter: null, enabled: true, createdAt: 0, updatedAt: 0,
    keys: [{ id: `k${id}a`, enc: 'enc-a', hint: '', enabled: true }, { id: `k${id}b`, enc: 'enc-b', hint: '', enabled: true }],
    healthCheck: { enabled: true, intervalMinutes: 5, model: null, failureThreshold: 3 }, healthState: null, ...over,
  };
}

const state = (over: Partial<ChannelHealthState>): ChannelHealthState => ({ failures: 0, down: false, downSince: null, lastAt: NOW, lastOk: true, keyCursor: 0, ...over });

describe('health check state', () => {
  it('goes down at the threshold-th failure in a row, keeps its downSince while failing, and comes back on a pass', () => {
    let s = nextHealthState(null, false, 1, 3, 1);
    expect(s).toEqual({ failures: 1, down: false, downSince: null, lastAt: 1, lastOk: false, keyCursor: 1 });
    s = nextHealthState(s, false, 2, 3, 0);
    expect(s.down).toBe(false);
    s = nextHealthState(s, false, 3, 3, 1);
    expect(s).toMatchObject({ failures: 3, down: true, downSince: 3 });
    s = nextHealthState(s, false, 4, 3, 0);
    expect(s).toMatchObject({ failures: 4, down: true, downSince: 3 });
    s = nextHealthState(s, true, 5, 3, 1);
    expect(s).toEqual({ failures: 0, down: false, downSince: null, lastAt: 5, lastOk: true, keyCursor: 1 });
    expect(nextHealthState(null, false, 9, 1, 0)).toMatchObject({ down: true, downSince: 9 });
  });

  it('counts a channel down only while its check is enabled', () => {
    expect(downByCheck(channel(1, { healthState: state({ down: true }) }))).toBe(true);
    expect(downByCheck(channel(1, { healthState: state({ down: true }), healthCheck: { enabled: false, intervalMinutes: 5, model: null, failureThreshold: 3 } }))).toBe(false);
    expect(downByCheck(channel(1, { healthState: state({ down: true }), healthCheck: null }))).toBe(false);
    expect(downByCheck(channel(1))).toBe(false);
  });

  it('is due when never run or its interval has passed, for enabled channels with a key and an enabled check', () => {
    expect(checkDue(channel(1), NOW)).toBe(true);
    expect(checkDue(channel(1, { healthState: state({ lastAt: NOW - 4 * MIN }) }), NOW)).toBe(false);
    // A cron firing a few seconds early still counts the interval as passed.
    expect(checkDue(channel(1, { healthState: state({ lastAt: NOW - 5 * MIN + 5_000 }) }), NOW)).toBe(true);
    expect(checkDue(channel(1, { enabled: false }), NOW)).toBe(false);
    expect(checkDue(channel(1, { healthCheck: null }), NOW)).toBe(false);
    expect(checkDue(channel(1, { keys: [{ id: 'x', enc: '', hint: '', enabled: false }] }), NOW)).toBe(false);
  });
});

describe('routing around channels down by check', () => {
  const route = (channels: Channel[]): Route => ({
    group: {
      id: 1, name: 'g', mode: 'failover', settings: {}, aliases: [], patterns: [], enabled: true, createdAt: 0, updatedAt: 0,
      members: channels.map((c) => ({ id: c.id * 10, groupId: 1, channelId: c.id, upstreamModel: 'm', priority: c.id, weight: 1, enabled: true })),
    },
    channels: new Map(channels.map((c) => [c.id, c])),
  });
  it('skips their members while another member is up, and keeps them all when every member is down', () => {
    const down = state({ down: true, failures: 3 });
    expect(routableMembers(route([channel(1, { healthState: down }), channel(2)])).map((m) => m.memberId)).toEqual([20]);
    expect(routableMembers(route([channel(1, { healthState: down }), channel(2, { healthState: down })])).map((m) => m.memberId)).toEqual([10, 20]);
    // A member skipped for another reason is not brought back by that rule.
    expect(routableMembers(route([channel(1, { healthState: down }), channel(2, { enabled: false })])).map((m) => m.memberId)).toEqual([10]);
  });
});

describe('a cron run of the checks', () => {
  it('checks the never-checked then the most overdue first, at most MAX_CHECKS_PER_RUN, CHECK_CONCURRENCY at once, round-robin keys, nothing secret recorded', async () => {
    const channels = Array.from({ length: MAX_CHECKS_PER_RUN + 4 }, (_, i) => channel(i + 1, {
      healthState: i === 0 ? state({ lastAt: NOW - 60 * MIN, keyCursor: 1 }) : i === 1 ? state({ lastAt: NOW - 2 * MIN }) : null,
    }));
    const recorded: { result: ChannelCheckResult; state: ChannelHealthState; changed: boolean }[] = [];
    const store = {
      listChannels: async () => channels,
      recordChannelCheck: async (result: ChannelCheckResult, st: ChannelHealthState, opts: { routingChanged: boolean }) => {
        recorded.push({ result, state: st, changed: opts.routingChanged });
        return true;
      },
    } as unknown as Store;
    const vault = { decrypt: async (enc: string) => `sk-secret-${enc}`, encrypt: async (s: string) => s } as unknown as KeyVault;
    let inFlight = 0;
    let most = 0;
    const calls: UpstreamCall[] = [];
    const callUpstream = async (call: UpstreamCall) => {
      calls.push(call);
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((ok) => setTimeout(ok, 5));
      inFlight -= 1;
      // Channel 3 fails, echoing the key as some upstreams do.
      if (call.url.includes('c3')) return { kind: 'network' as const, error: `refused for ${call.headers.authorization}`, timedOut: false };
      const body = JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }] });
      return { kind: 'response' as const, response: new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }) };
    };
    for (const c of channels) c.baseUrl = `http://up.test/c${c.id}/v1`;
    const logger = { info() {}, warn() {}, error() {} };
    const summary = await runHealthChecks({ store, vault, callUpstream, logger }, NOW, { globalProxy: null });
    expect(summary).toMatchObject({ checked: MAX_CHECKS_PER_RUN, failed: 1, deferred: 3 });
    expect(most).toBeLessThanOrEqual(CHECK_CONCURRENCY);
    expect(most).toBeGreaterThan(1);
    // Channel 2 (checked 2 minutes ago, interval 5) is not due; the never-checked go first, by id; channel 1 (60 minutes) waits for the next run.
    expect(calls[0]!.url).toContain('/c3/');
    expect(recorded.some((r) => r.result.channelId === 2)).toBe(false);
    expect(recorded.some((r) => r.result.channelId === 1)).toBe(false);
    expect(calls[0]!.headers.authorization).toBe('Bearer sk-secret-enc-a');
    // Next run, with channel 1 alone due: its cursor was 1, so its second key; the cursor wraps to 0.
    channels.splice(1);
    calls.length = 0;
    await runHealthChecks({ store, vault, callUpstream, logger }, NOW, { globalProxy: null });
    expect(calls[0]!.headers.authorization).toBe('Bearer sk-secret-enc-b');
    expect(recorded.find((r) => r.result.channelId === 1)).toMatchObject({ result: { keyId: 'k1b', ok: true, status: 200 }, state: { keyCursor: 0 } });
    const failed = recorded.find((r) => r.result.channelId === 3)!;
    expect(failed.result).toMatchObject({ ok: false, status: 0, keyId: 'k3a' });
    expect(failed.result.error).not.toContain('sk-secret');
    expect(failed.state).toMatchObject({ failures: 1, down: false, keyCursor: 1 });
    expect(recorded.every((r) => !r.changed)).toBe(true);
  });
});

describe('one check against a real socket', () => {
  let up: FakeUpstream;
  beforeAll(async () => {
    up = await startFakeUpstream({ host: '127.0.0.1' });
  });
  afterAll(async () => {
    await up.close();
  });
  const vault = { decrypt: async () => 'sk-secret-real', encrypt: async (s: string) => s } as unknown as KeyVault;

  it.each([
    ['headers that never come', { latencyMs: 10_000, json: 'openai-chat/vercel__openai-text.json' }],
    ['a body that stalls', { json: 'openai-chat/vercel__openai-text.json', fault: { kind: 'stall', afterBytes: 10 } }],
  ] as const)('gives up on %s after its own timeout and records a failure', async (_what, behavior) => {
    const s = up.addScenario(behavior as never);
    let recorded: ChannelCheckResult | undefined;
    const store = { recordChannelCheck: async (r: ChannelCheckResult) => ((recorded = r), true) } as unknown as Store;
    const started = Date.now();
    // No callUpstream: the runtime's fetch, as on the Worker.
    const out = await checkChannel({ store, vault }, channel(7, { baseUrl: `${s.baseUrl}/v1` }), NOW, { globalProxy: null, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out!.result).toMatchObject({ ok: false, keyId: 'k7a' });
    expect(recorded).toEqual(out!.result);
    expect(out!.state).toMatchObject({ failures: 1, down: false });
  });

  it('passes on a real answer, with its latency', async () => {
    const s = up.addScenario({ json: 'openai-chat/vercel__openai-text.json', latencyMs: 50 });
    const store = { recordChannelCheck: async () => true } as unknown as Store;
    const out = await checkChannel({ store, vault }, channel(8, { baseUrl: `${s.baseUrl}/v1` }), NOW, { globalProxy: null });
    expect(out!.result).toMatchObject({ ok: true, status: 200, error: null, model: 'm' });
    expect(out!.result.latencyMs).toBeGreaterThanOrEqual(40);
    expect(up.requests(s.id)[0]!.headers.authorization).toBe('Bearer sk-secret-real');
  });
});
