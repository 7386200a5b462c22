/**
 * Coalesced finishes on the edge (issue 11): GroupObject.finishMany applies a batch of finished
 * requests in order (reports into the breakers, reasoning turns remembered, every record buffered
 * once, even past one storage call's 128 keys), and concurrent requests through the Worker leave
 * exactly one record each in the group's buffer.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/accounting/records';
import type { FinishItem } from '../../src/edge/finish-batch';
import { STORAGE_KEYS_PER_CALL } from '../../src/edge/storage-keys';
import type { AttemptOutcome, PlanSettings } from '../../src/routing/types';
import { uid } from '../suites/harness';
import { gateway, login, routeTo, scenario } from './helpers';

const settings: PlanSettings = { breakerThreshold: 3, breakerBaseMs: 60_000, breakerCapMs: 60_000, stickyTtlMs: 0, probeLeaseMs: 10_000 };

function record(groupName: string, i: number, now: number): RequestRecord {
  return {
    id: `${groupName}-${i}`, time: now + i, apiKeyId: 1, groupName, channelId: 1, upstreamModel: 'gpt-4.1-nano', protocolIn: 'openai-chat',
    protocolOut: 'openai-chat', stream: false, status: 200, ok: true, attempts: [], usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 },
    costNanoUsd: 0, latencyMs: 5, ttftMs: null, error: null, requestBody: null, responseBody: null,
  };
}

const outcome = (memberId: number, kind: AttemptOutcome['kind'], status: number): AttemptOutcome => ({ memberId, channelId: 1, keyId: 'k0', kind, status, ms: 1 });

describe('GroupObject.finishMany', () => {
  it('applies every report in order, remembers the turns and buffers every record once, past one storage call', async () => {
    const groupName = `finish-many-${uid()}`;
    const stub = env.GROUPS.get(env.GROUPS.idFromName(`group:${800_000 + Math.floor(Math.random() * 100_000)}`));
    const now = Date.now();
    const n = STORAGE_KEYS_PER_CALL * 2 + 5;
    const items: FinishItem[] = Array.from({ length: n }, (_, i) => ({ report: { outcomes: [outcome(7, 'ok', 200)], untried: [], settings }, record: record(groupName, i, now) }));
    // Member 8: a success, then three faults in a row (threshold 3: open), in this order.
    items[10]!.report = { outcomes: [outcome(8, 'ok', 200)], untried: [], settings };
    for (const i of [20, 21, 22]) items[i]!.report = { outcomes: [outcome(8, 'channel', 500)], untried: [], settings };
    // Member 9: three faults, then a success (closed again): the order matters.
    for (const i of [30, 31, 32]) items[i]!.report = { outcomes: [outcome(9, 'channel', 502)], untried: [], settings };
    items[33]!.report = { outcomes: [outcome(9, 'ok', 200)], untried: [], settings };
    const part = { type: 'reasoning' as const, text: 'thinking', signature: 'sig' as never };
    items[40]!.reasoning = { owner: 5, toolCallIds: ['call_a'], parts: [part] };
    items[41]!.reasoning = { owner: 5, toolCallIds: ['call_b'], parts: [part] };

    // Production refuses a multi-key put of more than 128 keys; the local runtime does not.
    await runInDurableObject(stub, async (object, state) => {
      const put = state.storage.put.bind(state.storage) as (...a: unknown[]) => Promise<void>;
      state.storage.put = ((...args: unknown[]) => {
        if (typeof args[0] === 'object' && Object.keys(args[0] as object).length > STORAGE_KEYS_PER_CALL) throw new RangeError('put: more than 128 keys');
        return put(...args);
      }) as typeof state.storage.put;
      try {
        await object.finishMany(items);
      } finally {
        state.storage.put = put as typeof state.storage.put;
      }
    });

    const health = (await stub.health()).members;
    expect(health['8']).toMatchObject({ phase: 'open', consecutiveFailures: 3, lastStatus: 500 });
    expect(health['9']).toMatchObject({ phase: 'closed', consecutiveFailures: 0 });
    expect(health['7']).toMatchObject({ phase: 'closed', consecutiveFailures: 0 });
    // The same batch fed the members' recent traffic (routing/window.ts), in memory.
    expect(health['8']!.recent).toMatchObject({ samples: 4, failed: 3, ok: 1, last: 'failed' });
    const plan = await stub.plan({ mode: 'failover', members: [], settings, recall: { owner: 5, toolCallIds: ['call_b'] } } as never);
    expect(plan.reasoning).toEqual([part]);
    await runInDurableObject(stub, async (_o, state) => {
      const recs = await state.storage.list<RequestRecord>({ prefix: 'rec:' });
      expect(recs.size).toBe(n);
      expect(new Set([...recs.values()].map((r) => r.id)).size).toBe(n);
      expect((await state.storage.list({ prefix: 'rsn:' })).size).toBe(2);
      expect((await state.storage.get<any>('routing')).breakers['8']).toMatchObject({ failures: 3 });
      expect(await state.storage.getAlarm()).not.toBeNull();
      // The recent traffic went with the same write, for an object that comes back after an eviction.
      const windows = await state.storage.get<{ memberId: number; kind: Uint8Array }[]>('health-windows');
      expect(windows?.find((w) => w.memberId === 8)?.kind).toHaveLength(4);
    });
  });

  it('takes an empty batch without touching storage', async () => {
    const stub = env.GROUPS.get(env.GROUPS.idFromName(`group:${800_000 + Math.floor(Math.random() * 100_000)}`));
    await stub.finishMany([]);
    await runInDurableObject(stub, async (_o, state) => {
      expect((await state.storage.list()).size).toBe(0);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});

describe('coalesced finishes through the Worker', () => {
  it('leaves exactly one record per request of 40 concurrent ones in the group buffer', async () => {
    const cookie = await login();
    const up = await scenario({ json: 'openai-chat/vercel__openai-text.json' });
    const r = await routeTo(cookie, [up]);
    const answers = await Promise.all(Array.from({ length: 40 }, async () => {
      const res = await gateway('/v1/chat/completions', {
        method: 'POST', headers: { authorization: `Bearer ${r.clientKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: r.group, messages: [{ role: 'user', content: 'hi' }] }),
      });
      await res.text();
      return res.status;
    }));
    expect(answers.every((s) => s === 200)).toBe(true);
    // Only the request that sends a batch (or owns its timer) waits for it: poll the buffer.
    const stub = env.GROUPS.get(env.GROUPS.idFromName(`group:${r.groupId}`));
    const ids = async () => runInDurableObject(stub, async (_o, state) => [...(await state.storage.list<RequestRecord>({ prefix: 'rec:' })).values()].map((x) => x.id));
    let seen: string[] = [];
    for (let i = 0; i < 100 && seen.length < 40; i++) {
      seen = await ids();
      if (seen.length < 40) await new Promise((ok) => setTimeout(ok, 20));
    }
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
  });
});
