/**
 * node/metrics.ts on its own: labels from the names, aggregated refusals counted `count` times,
 * flush failures per group, the breaker gauge values, and a source that cannot load its names
 * still answering the scrape.
 */
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/accounting/records';
import { GatewayMetrics, type MetricsSource } from '../../src/node/metrics';

function source(over: Partial<MetricsSource> = {}): MetricsSource {
  return {
    names: () => ({ group: (id) => (id === 1 ? 'chat' : undefined), channel: (id) => (id === 7 ? 'openai-main' : undefined), memberChannel: (id) => (id === 70 ? 7 : undefined) }),
    refresh: async () => {},
    breakerPhases: async () => [{ groupId: 1, memberId: 70, phase: 'half-open' }, { groupId: 2, memberId: 99, phase: 'open' }],
    unflushedByGroup: () => [{ groupId: 1, records: 4 }],
    ...over,
  };
}

const refused: RequestRecord = {
  id: 'x', time: 0, apiKeyId: 0, groupName: 'chat', channelId: 0, upstreamModel: '', protocolIn: 'anthropic', protocolOut: null, stream: false,
  status: 429, ok: false, attempts: [], usage: null, costNanoUsd: 0, latencyMs: 12, ttftMs: null, error: 'rate limited', count: 4,
};

describe('GatewayMetrics', () => {
  it('counts an aggregated refusal as its count, labels by name, and reads gauges at scrape time', async () => {
    const m = new GatewayMetrics(source());
    m.applied([refused]);
    m.flushFailed(1);
    m.flushFailed(1);
    m.flushFailed(3);
    const { body, contentType } = await m.scrape();
    expect(contentType).toContain('text/plain');
    expect(body).toContain('oe_requests_total{group="chat",channel="(none)",protocol="anthropic",stream="false",status="429",outcome="client_error"} 4');
    expect(body).toContain('oe_request_duration_seconds_count{group="chat",stream="false"} 4');
    expect(body).toContain('oe_flush_failures_total{group="chat"} 2');
    expect(body).toContain('oe_flush_failures_total{group="#3"} 1');
    expect(body).toContain('oe_breaker_state{group="chat",channel="openai-main",member="70"} 1');
    expect(body).toContain('oe_breaker_state{group="#2",channel="(deleted)",member="99"} 2');
    expect(body).toContain('oe_buffered_records{group="chat"} 4');
    expect(body).not.toContain('oe_tokens_total{');
  });

  it('still scrapes when the names cannot be refreshed (database down)', async () => {
    const m = new GatewayMetrics(source({ refresh: async () => { throw new Error('db down'); } }));
    m.applied([refused]);
    expect((await m.scrape()).body).toContain('outcome="client_error"} 4');
  });
});
