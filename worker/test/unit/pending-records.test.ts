/**
 * The live tail's pure parts: reading unflushed records (accounting/pending.ts newestPending) and
 * filtering them in memory as the database filters its rows (db/log-filter.ts recordMatches).
 */
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/accounting/records';
import { newestPending, PENDING_READ_MAX } from '../../src/accounting/pending';
import { recordMatches } from '../../src/db/log-filter';

function rec(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'r1', time: 1_000, apiKeyId: 3, groupName: 'chat', channelId: 7, upstreamModel: 'gpt-4.1-nano', protocolIn: 'openai-chat',
    protocolOut: 'openai-chat', stream: false, status: 200, ok: true, attempts: [{ channelId: 7, memberId: 1, upstreamModel: 'gpt-4.1-nano', status: 200, ms: 5 }],
    usage: null, costNanoUsd: 0, latencyMs: 10, ttftMs: null, error: null, ...over,
  };
}

describe('newestPending', () => {
  it('merges the sources newest first (time, then id), keeps those since the bound, caps the count and drops bodies', () => {
    const a = [rec({ id: 'a', time: 5 }), rec({ id: 'b', time: 9, requestBody: '{"x":1}', responseBody: 'ok', upstreamRequestBody: 'u' })];
    const b = [rec({ id: 'c', time: 9 }), rec({ id: 'd', time: 2 })];
    const out = newestPending([a, b], 5);
    expect(out.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(out[1]).not.toHaveProperty('requestBody');
    expect(out[1]).not.toHaveProperty('responseBody');
    expect(out[1]).not.toHaveProperty('upstreamRequestBody');
    expect(out.map((r) => r.hasBodies)).toEqual([false, true, false]);
    const many = Array.from({ length: PENDING_READ_MAX + 50 }, (_, i) => rec({ id: `m${i}`, time: i }));
    const capped = newestPending([many], 0);
    expect(capped).toHaveLength(PENDING_READ_MAX);
    expect(capped[0]!.time).toBe(PENDING_READ_MAX + 49);
  });
});

describe('recordMatches', () => {
  it('holds the same filters as the database: group, key, any-attempt channel, statuses, errors, time range, text', () => {
    const failedOver = rec({ channelId: 9, attempts: [{ channelId: 7, memberId: 1, upstreamModel: 'm', status: 500, ms: 1 }, { channelId: 9, memberId: 2, upstreamModel: 'm', status: 200, ms: 1 }] });
    expect(recordMatches(rec(), {})).toBe(true);
    expect(recordMatches(rec(), { groupName: 'chat' })).toBe(true);
    expect(recordMatches(rec(), { groupName: 'cha' })).toBe(false);
    expect(recordMatches(rec(), { apiKeyId: 4 })).toBe(false);
    expect(recordMatches(failedOver, { channelId: 7 })).toBe(true);
    expect(recordMatches(failedOver, { channelId: 8 })).toBe(false);
    expect(recordMatches(rec({ status: 429 }), { statuses: [{ min: 500, max: 599 }, { min: 429, max: 429 }] })).toBe(true);
    expect(recordMatches(rec({ status: 404 }), { statuses: [{ min: 500, max: 599 }] })).toBe(false);
    expect(recordMatches(rec(), { errorsOnly: true })).toBe(false);
    expect(recordMatches(rec({ status: 503 }), { errorsOnly: true })).toBe(true);
    // A stream that broke after its 200: an error all the same.
    expect(recordMatches(rec({ error: 'stream cut' }), { errorsOnly: true })).toBe(true);
    expect(recordMatches(rec({ time: 100 }), { from: 100, to: 101 })).toBe(true);
    expect(recordMatches(rec({ time: 101 }), { from: 100, to: 101 })).toBe(false);
    expect(recordMatches(rec({ time: 99 }), { from: 100 })).toBe(false);
    expect(recordMatches(rec({ id: 'req-1' }), { text: 'req-1' })).toBe(true);
    expect(recordMatches(rec(), { text: 'GPT-4.1' })).toBe(true);
    expect(recordMatches(rec({ error: 'Upstream Exploded' }), { text: 'exploded' })).toBe(true);
    expect(recordMatches(rec(), { text: 'nothing-like-it' })).toBe(false);
  });
});
