import { describe, expect, it } from 'vitest';
import { aggregateStats, hourOf, type RequestRecord } from '../../../src/accounting/records';

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
      costNanoUsd: 14, latencyMsTotal: 200, ttftMsTotal: 30,
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
});
