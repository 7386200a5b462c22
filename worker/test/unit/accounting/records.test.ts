import { describe, expect, it } from 'vitest';
import { aggregateStats, hourOf, type RequestRecord, type StatsCounters } from '../../../src/accounting/records';
import { breakdownOf, channelSummaryOf } from '../../../src/admin/summary';

const base: RequestRecord = {
  id: 'r', time: Date.UTC(2026, 10, 29, 13, 45), apiKeyId: 1, groupName: 'g', channelId: 2, upstreamModel: 'm2', protocolIn: 'openai-chat',
  protocolOut: 'anthropic', stream: true, status: 200, ok: true, attempts: [{ channelId: 2, memberId: 2, upstreamModel: 'm2', status: 200, ms: 10 }],
  usage: { input: 10, cacheRead: 5, cacheWrite: 1, output: 20, reasoning: 4 }, costNanoUsd: 7, latencyMs: 100, ttftMs: 30, error: null,
};

describe('aggregateStats', () => {
  it('counts a request once on its final channel with its tokens, cost and timings', () => {
    const [row, ...rest] = aggregateStats([base, { ...base, id: 's', ttftMs: null }]);
    expect(rest).toEqual([]);
    expect(row).toEqual({
      hour: Date.UTC(2026, 10, 29, 13), groupName: 'g', channelId: 2, upstreamModel: 'm2', apiKeyId: 1,
      requests: 2, successes: 2, failures: 0, inputTokens: 20, cacheReadTokens: 10, cacheWriteTokens: 2, outputTokens: 40, reasoningTokens: 8,
      costNanoUsd: 14, latencyMsTotal: 200, ttftMsTotal: 30, attempts: 2, failedAttempts: 0, clientErrors: 0, upstreamErrors: 0, rescues: 0,
    });
  });

  it('charges each failed fallback attempt to its own channel row, as a failure only', () => {
    const rec: RequestRecord = {
      ...base,
      attempts: [
        { channelId: 1, memberId: 1, upstreamModel: 'm1', status: 500, ms: 5 },
        { channelId: 3, memberId: 3, upstreamModel: 'm3', status: 0, ms: 5, error: 'timeout' },
        { channelId: 2, memberId: 2, upstreamModel: 'm2', status: 200, ms: 10 },
      ],
    };
    const rows = aggregateStats([rec]);
    expect(rows.map((r) => [r.channelId, r.upstreamModel, r.requests, r.successes, r.failures])).toEqual([[2, 'm2', 1, 1, 0], [1, 'm1', 0, 0, 1], [3, 'm3', 0, 0, 1]]);
  });

  it('separates hours, groups and keys; a failed request counts as a failure', () => {
    const rows = aggregateStats([base, { ...base, time: base.time + 3_600_000 }, { ...base, apiKeyId: 9 }, { ...base, ok: false, status: 503, usage: null }]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ requests: 2, successes: 1, failures: 1 });
    expect(hourOf(Date.UTC(2026, 0, 1, 5, 59, 59, 999))).toBe(Date.UTC(2026, 0, 1, 5));
  });

  it('keeps requests apart from attempts: client errors, upstream faults, absorbed attempts and rescues add up (issue 15 item 2)', () => {
    const a = (channelId: number, status: number) => ({ channelId, memberId: channelId, upstreamModel: `m${channelId}`, status, ms: 5 });
    const req = (id: string, over: Partial<RequestRecord>): RequestRecord => ({ ...base, id, ...over });
    const records: RequestRecord[] = [
      // Channel 1 fails every attempt; failover to channel 2 rescues three requests.
      ...['r1', 'r2', 'r3'].map((id) => req(id, { channelId: 2, attempts: [a(1, 500), a(2, 200)] })),
      // One plain success on channel 2.
      req('ok', { channelId: 2, attempts: [a(2, 200)] }),
      // Both channels fail: the upstream fault reaches the client (two attempts, both failed, one absorbed).
      req('both', { channelId: 2, status: 503, ok: false, usage: null, attempts: [a(1, 502), a(2, 503)] }),
      // A stream that broke after 200: an upstream fault, its one attempt failed.
      req('broken', { channelId: 2, status: 200, ok: false, attempts: [a(2, 200)] }),
      // Refused before any upstream: 5 bad keys (aggregated), an unknown model, a limit, bad input.
      req('badkey', { apiKeyId: 0, groupName: '', channelId: 0, upstreamModel: 'invalid_api_key', status: 401, ok: false, attempts: [], usage: null, count: 5 }),
      req('unknown', { groupName: 'nope', channelId: 0, upstreamModel: '', status: 404, ok: false, attempts: [], usage: null }),
      req('limit', { channelId: 0, upstreamModel: '', status: 429, ok: false, attempts: [], usage: null }),
      req('input', { channelId: 0, upstreamModel: '', status: 400, ok: false, attempts: [], usage: null }),
      // No member available: a 5xx without an attempt is not the client's fault.
      req('nomember', { channelId: 0, upstreamModel: '', status: 503, ok: false, attempts: [], usage: null }),
      // The client went away: neither succeeded nor failed.
      req('closed', { channelId: 2, status: 499, ok: false, attempts: [a(2, 200)] }),
    ];
    const rows = aggregateStats(records);
    const sum = (pick: (r: StatsCounters) => boolean) => {
      const keys = ['requests', 'successes', 'failures', 'attempts', 'failedAttempts', 'clientErrors', 'upstreamErrors', 'rescues'] as const;
      const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<(typeof keys)[number], number>;
      for (const r of rows) if (pick(r)) for (const k of keys) out[k] += r[k];
      return out;
    };
    const all = sum(() => true);
    const b = breakdownOf({ ...all, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costNanoUsd: 0, latencyMsTotal: 0, ttftMsTotal: 0, untrackedRequests: 0, untrackedSuccesses: 0, untrackedFailures: 0 });
    expect(b).toEqual({
      requests: { total: 16, succeeded: 4, rescued: 3, failed: 11, clientErrors: 8, upstreamErrors: 3, clientClosed: 1, untracked: 0 },
      attempts: { total: 11, failed: 6, absorbed: 4 },
    });
    expect(b.requests.total).toBe(b.requests.succeeded + b.requests.failed + b.requests.clientClosed);
    // Channel 1 served nothing and failed all 4 of its attempts: a problem the request counts hide.
    const ch = (id: number) => channelSummaryOf({ ...breakdownFree(sum((r) => (r as { channelId?: number }).channelId === id)), channelId: id });
    expect(ch(1)).toEqual({ channelId: 1, requests: 0, successes: 0, attempts: 4, failedAttempts: 4, everyAttemptFailed: true });
    expect(ch(2)).toMatchObject({ requests: 7, successes: 4, attempts: 7, failedAttempts: 2, everyAttemptFailed: false });
  });
});

function breakdownFree(c: Record<string, number>) {
  return { ...c, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costNanoUsd: 0, latencyMsTotal: 0, ttftMsTotal: 0, untrackedRequests: 0, untrackedSuccesses: 0, untrackedFailures: 0 } as unknown as Parameters<typeof breakdownOf>[0];
}
