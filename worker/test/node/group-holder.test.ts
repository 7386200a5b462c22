/** Node's in-process group holder: the flush protocol over a memory buffer, and routing state saved and loaded. */
import { describe, expect, it } from 'vitest';
import { FlushWriter } from '../../src/accounting/flusher';
import type { RequestRecord } from '../../src/accounting/records';
import type { Store } from '../../src/db/store';
import { GroupHolder, reasoningStateKey, routingStateKey } from '../../src/node/group-holder';
import { EARLY_FLUSH_RECORDS, NodeGroupStates } from '../../src/node/group-states';
import type { PlanInput } from '../../src/routing/types';

function record(i: number): RequestRecord {
  return {
    id: `r-${i}`, time: 1_700_000_000_000 + i, apiKeyId: 1, groupName: 'g', channelId: 1, upstreamModel: 'm', protocolIn: 'openai-chat', protocolOut: 'openai-chat',
    stream: false, status: 200, ok: true, attempts: [], usage: { input: 10, cacheRead: 0, cacheWrite: 0, output: 5, reasoning: 0 }, costNanoUsd: 0, latencyMs: 1, ttftMs: null, error: null,
  };
}

/** A store that keeps applied flushes by id, fails while `down`, and counts overlapping writes. */
function fakeStore() {
  const applied = new Map<string, string[]>();
  const settings = new Map<string, unknown>();
  const state = { down: false, inFlight: 0, maxInFlight: 0, calls: [] as string[] };
  const store = {
    loadPrices: async () => ({ user: new Map(), modelsDev: [] }),
    applyFlush: async (id: string, _at: number, logs: RequestRecord[]) => {
      state.calls.push(id);
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await new Promise((ok) => setTimeout(ok, 5));
      state.inFlight -= 1;
      if (state.down) throw new Error('database down');
      if (applied.has(id)) return 'duplicate' as const;
      applied.set(id, logs.map((l) => l.id));
      return 'applied' as const;
    },
    getSetting: async (key: string) => settings.get(key),
    putSetting: async (key: string, value: unknown) => {
      if (state.down) throw new Error('database down');
      settings.set(key, structuredClone(value));
    },
  } as unknown as Store;
  return { store, applied, settings, state };
}

const input: PlanInput = {
  mode: 'round-robin',
  members: [1, 2].map((id) => ({ memberId: id, channelId: id, priority: 0, weight: 1, keyIds: ['k'] })),
  settings: { breakerThreshold: 1, breakerBaseMs: 60_000, breakerCapMs: 600_000, stickyTtlMs: 0, probeLeaseMs: 30_000 },
};

describe('GroupHolder flush', () => {
  it('keeps a failed flush pending and retries it with the same id, then writes what arrived meanwhile', async () => {
    const { store, applied, state } = fakeStore();
    const h = new GroupHolder(7, store, new FlushWriter());
    for (let i = 0; i < 5; i++) h.record(record(i));
    state.down = true;
    const failed = await h.flush({ force: true });
    expect(failed.ok).toBe(false);
    expect(h.unflushed()).toBe(5);
    for (let i = 5; i < 8; i++) h.record(record(i));
    // Within the back-off a timer tick does nothing; the shutdown flush (force) does not wait.
    expect(await h.flush()).toEqual({ ok: true, flushes: 0 });
    state.down = false;
    const ok = await h.flush({ force: true });
    expect(ok).toEqual({ ok: true, flushes: 2 });
    expect(state.calls[1]).toBe(state.calls[0]); // the retry carried the failed flush's id
    expect([...applied.values()].flat().sort()).toEqual(Array.from({ length: 8 }, (_, i) => `r-${i}`).sort());
    expect(h.unflushed()).toBe(0);
  });

  it('bounds the buffer during an outage: the oldest records go first, counted, the rest are written when the database returns', async () => {
    const { store, applied, state } = fakeStore();
    const h = new GroupHolder(7, store, new FlushWriter(), Date.now, Math.random, 10);
    state.down = true;
    for (let i = 0; i < 4; i++) h.record(record(i));
    expect((await h.flush({ force: true })).ok).toBe(false); // r-0..r-3 now pending
    for (let i = 4; i < 20; i++) h.record(record(i));
    expect(h.dropped).toBe(6); // 16 arrived after the pending batch, cap 10: r-4..r-9 dropped, and counted
    state.down = false;
    expect((await h.flush({ force: true })).ok).toBe(true);
    const written = [...applied.values()].flat();
    expect(written).toEqual(expect.arrayContaining(['r-0', 'r-3', 'r-10', 'r-19']));
    expect(written).not.toContain('r-4');
    expect(written).toHaveLength(4 + 10);
  });

  it('never runs two flushes of one group at once', async () => {
    const { store, applied, state } = fakeStore();
    const h = new GroupHolder(7, store, new FlushWriter());
    for (let i = 0; i < 450; i++) h.record(record(i));
    await Promise.all([h.flush(), h.flush({ force: true }), h.flush()]);
    expect(state.maxInFlight).toBe(1);
    expect([...applied.values()].flat()).toHaveLength(450);
  });
});

describe('NodeGroupStates early flush', () => {
  const logger = { info: () => {}, warn: () => {}, error: () => {} };

  it('flushes a group before the interval once EARLY_FLUSH_RECORDS wait in memory, and not before', async () => {
    const { store, applied } = fakeStore();
    const groups = new NodeGroupStates(store, logger, { flushIntervalMs: 3_600_000 });
    for (let i = 0; i < EARLY_FLUSH_RECORDS - 1; i++) await groups.record(7, record(i));
    await new Promise((ok) => setTimeout(ok, 50));
    expect(applied.size).toBe(0);
    expect(groups.unflushed(7)).toBe(EARLY_FLUSH_RECORDS - 1);
    await groups.record(7, record(EARLY_FLUSH_RECORDS - 1));
    const deadline = Date.now() + 10_000;
    while (groups.unflushed(7) > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    expect([...applied.values()].flat()).toHaveLength(EARLY_FLUSH_RECORDS);
    await groups.close();
  });

  it('leaves a group in its back-off alone: a database outage is not hammered by early flushes', async () => {
    const { store, state } = fakeStore();
    const groups = new NodeGroupStates(store, logger, { flushIntervalMs: 3_600_000 });
    state.down = true;
    for (let i = 0; i < EARLY_FLUSH_RECORDS; i++) await groups.record(8, record(i));
    const deadline = Date.now() + 10_000;
    while (state.calls.length === 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    await new Promise((ok) => setTimeout(ok, 100));
    for (let i = 0; i < 3 * EARLY_FLUSH_RECORDS; i++) await groups.record(8, record(EARLY_FLUSH_RECORDS + i));
    await new Promise((ok) => setTimeout(ok, 200));
    expect(state.calls).toHaveLength(1);
    expect(groups.unflushed(8)).toBe(4 * EARLY_FLUSH_RECORDS);
  });
});

describe('GroupHolder routing state', () => {
  it('loads the saved state on first use and saves it only when it changed', async () => {
    const { store, settings } = fakeStore();
    const a = new GroupHolder(3, store, new FlushWriter());
    await a.plan(input);
    await a.plan(input);
    await a.persist();
    expect((settings.get(routingStateKey(3)) as any).strategy.cursor).toBe(2);
    settings.delete(routingStateKey(3));
    await a.persist(); // unchanged: not written again
    expect(settings.has(routingStateKey(3))).toBe(false);

    settings.set(routingStateKey(3), { strategy: { cursor: 5, weights: {} } }); // an older shape: missing fields filled in
    const b = new GroupHolder(3, store, new FlushWriter());
    const plan = await b.plan(input);
    expect(plan.candidates.map((c) => c.memberId)).toEqual([2, 1]);
    expect(await b.health()).toEqual({ members: {}, keys: {} });
  });
});

describe('GroupHolder reasoning memory', () => {
  const signed = { type: 'reasoning' as const, text: 'Let me call the tool.', signature: { provider: 'anthropic' as const, value: 'sig-second' } };

  it('returns remembered reasoning with the plan, and it survives a restart (persist, then a new holder)', async () => {
    const { store, settings } = fakeStore();
    let now = 1_000;
    const a = new GroupHolder(4, store, new FlushWriter(), () => now);
    await a.remember({ owner: 9, toolCallIds: ['toolu_1'], parts: [signed] });
    expect((await a.plan({ ...input, recall: { owner: 9, toolCallIds: ['toolu_1'] } })).reasoning).toEqual([signed]);
    expect((await a.plan({ ...input, recall: { owner: 9, toolCallIds: ['toolu_2'] } })).reasoning).toBeUndefined();
    expect((await a.plan(input)).reasoning).toBeUndefined();
    await a.persist();
    expect(settings.get(reasoningStateKey(4))).toHaveLength(1);

    const b = new GroupHolder(4, store, new FlushWriter(), () => now);
    expect((await b.plan({ ...input, recall: { owner: 9, toolCallIds: ['toolu_1'] } })).reasoning).toEqual([signed]);
    // Six hours later it is gone, and the next persist writes it out of the settings row.
    now += 6 * 3_600_000 + 1;
    expect((await b.plan({ ...input, recall: { owner: 9, toolCallIds: ['toolu_1'] } })).reasoning).toBeUndefined();
    await b.persist();
    expect(settings.get(reasoningStateKey(4))).toEqual([]);
  });

  it('writes the memory only when it changed, and keeps it dirty when the write fails', async () => {
    const { store, settings, state } = fakeStore();
    const h = new GroupHolder(5, store, new FlushWriter(), () => 1_000);
    await h.remember({ owner: 9, toolCallIds: ['t'], parts: [signed] });
    state.down = true;
    await expect(h.persist()).rejects.toThrow('database down');
    state.down = false;
    await h.persist();
    expect(settings.get(reasoningStateKey(5))).toHaveLength(1);
    settings.delete(reasoningStateKey(5));
    await h.persist();
    expect(settings.has(reasoningStateKey(5))).toBe(false);
  });
});
