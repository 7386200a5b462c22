/**
 * edge/analytics.ts: one Analytics Engine data point per written record, in the documented layout,
 * and FlushWriter calls the hook only for a flush the database applied (not a duplicate, not a
 * failure).
 */
import { describe, expect, it } from 'vitest';
import { FlushWriter } from '../../src/accounting/flusher';
import type { RequestRecord } from '../../src/accounting/records';
import { analyticsHook } from '../../src/edge/analytics';

function rec(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: `r-${Math.random()}`, time: Date.UTC(2026, 11, 7, 10), apiKeyId: 1, groupName: 'g', channelId: 7, upstreamModel: 'gpt-4.1-nano',
    protocolIn: 'openai-chat', protocolOut: 'openai-chat', stream: true, status: 200, ok: true,
    attempts: [{ channelId: 6, memberId: 1, upstreamModel: 'm', status: 500, ms: 3 }, { channelId: 7, memberId: 2, upstreamModel: 'gpt-4.1-nano', status: 200, ms: 9 }],
    usage: { input: 10, cacheRead: 2, cacheWrite: 1, output: 30, reasoning: 5 }, costNanoUsd: 1234, latencyMs: 250, ttftMs: 40, error: null, ...over,
  };
}

describe('analyticsHook', () => {
  it('writes one data point per record in the documented layout', () => {
    const points: AnalyticsEngineDataPoint[] = [];
    analyticsHook({ writeDataPoint: (p) => void points.push(p!) } as AnalyticsEngineDataset)([
      rec(),
      rec({ groupName: 'h', stream: false, status: 401, ok: false, attempts: [], usage: null, costNanoUsd: 0, ttftMs: null, count: 3, latencyMs: 30, channelId: 0 }),
    ]);
    expect(points).toEqual([
      { indexes: ['g'], blobs: ['g', '7', 'gpt-4.1-nano', 'openai-chat', 'rescued', '200', 'stream'], doubles: [1, 250, 40, 10, 2, 1, 30, 5, 1234, 2, 1] },
      { indexes: ['h'], blobs: ['h', '0', 'gpt-4.1-nano', 'openai-chat', 'client_error', '401', 'unary'], doubles: [3, 30, -1, 0, 0, 0, 0, 0, 0, 0, 0] },
    ]);
  });

  it('never throws when the dataset does', () => {
    const hook = analyticsHook({ writeDataPoint: () => { throw new Error('quota'); } } as unknown as AnalyticsEngineDataset);
    expect(() => hook([rec(), rec()])).not.toThrow();
  });
});

describe('FlushWriter onApplied', () => {
  const store = (result: 'applied' | 'duplicate' | Error) => ({
    loadPrices: async () => ({ user: new Map(), modelsDev: [] }),
    applyFlush: async () => {
      if (result instanceof Error) throw result;
      return result;
    },
  });

  it('hands over the priced records once the database applied them, and only then', async () => {
    const seen: number[] = [];
    const writer = new FlushWriter(() => 0, (records) => seen.push(records.length));
    const flush = { id: 'f1', records: [rec(), rec()], tries: 0 };
    expect(await writer.write(store('applied') as never, flush)).toBe('applied');
    expect(await writer.write(store('duplicate') as never, flush)).toBe('duplicate');
    await expect(writer.write(store(new Error('db down')) as never, flush)).rejects.toThrow('db down');
    expect(seen).toEqual([2]);
  });
});
