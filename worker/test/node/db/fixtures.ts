/** Builders for store inputs used by the conformance suite. Times ~1.8e12 ms, money in nano-USD. */
import type { RequestRecord, StatsDelta } from '../../../src/accounting/records';
import type { NewApiKey, NewChannel, NewGroup } from '../../../src/db/types';

/** 2027-01-05T00:00:00Z: a UTC day start, ~1.8e12 ms. */
export const DAY = Date.UTC(2027, 0, 5);
export const HOUR = 3_600_000;

export function channel(name: string, over: Partial<NewChannel> = {}): NewChannel {
  return {
    name, type: 'openai-chat', baseUrl: 'https://api.example.com/v1',
    keys: [{ id: 'k1', enc: 'ciphertext==', hint: 'abcd', enabled: true }],
    models: ['gpt-4o', 'gpt-4o-mini'], headers: { 'x-team': 'core' }, modelFilter: null, enabled: true, ...over,
  };
}

export function group(name: string, channelIds: number[], over: Partial<NewGroup> = {}): NewGroup {
  return {
    name, mode: 'failover', settings: { maxAttempts: 3, deadlineMs: 60_000 }, enabled: true,
    members: channelIds.map((channelId, i) => ({ channelId, upstreamModel: `model-${i}`, priority: i, weight: i + 1, enabled: true })),
    ...over,
  };
}

export function apiKey(name: string, over: Partial<NewApiKey> = {}): NewApiKey {
  return {
    name, keyHash: `hash-${name}`.padEnd(64, '0'), keyPrefix: 'sk-oct', expiresAt: null, allowedGroups: null,
    budgetNanoUsd: null, rpmLimit: null, tpmLimit: null, enabled: true, ...over,
  };
}

export function record(id: string, time: number, over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id, time, apiKeyId: 1, groupName: 'g', channelId: 1, upstreamModel: 'gpt-4o', protocolIn: 'openai-chat',
    protocolOut: 'anthropic', stream: true, status: 200, ok: true,
    attempts: [{ channelId: 1, memberId: 1, upstreamModel: 'gpt-4o', status: 200, ms: 120 }],
    usage: { input: 10, cacheRead: 2, cacheWrite: 3, output: 20, reasoning: 5 },
    costNanoUsd: 1_234, latencyMs: 450, ttftMs: 90, error: null, requestBody: null, responseBody: null, upstreamRequestBody: null, ...over,
  };
}

export function delta(hour: number, over: Partial<StatsDelta> = {}): StatsDelta {
  return {
    hour, groupName: 'g', channelId: 1, upstreamModel: 'gpt-4o', apiKeyId: 1,
    requests: 1, successes: 1, failures: 0, inputTokens: 100, cacheReadTokens: 10, cacheWriteTokens: 5,
    outputTokens: 50, reasoningTokens: 7, costNanoUsd: 1_000, latencyMsTotal: 400, ttftMsTotal: 80,
    attempts: 1, failedAttempts: 0, clientErrors: 0, upstreamErrors: 0, rescues: 0, ...over,
  };
}

/** The counters of a delta (what statsSeries/keyUsage rows carry). */
export function counters(d: StatsDelta) {
  const { hour: _h, groupName: _g, channelId: _c, upstreamModel: _m, apiKeyId: _k, ...rest } = d;
  return rest;
}
