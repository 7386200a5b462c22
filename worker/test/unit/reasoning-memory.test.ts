/** The reasoning memory (routing/reasoning-memory.ts): exact-key recall, TTL, entry and byte bounds, oldest first out. */
import { describe, expect, it } from 'vitest';
import type { ReasoningPart } from '../../src/protocols/canonical';
import { MAX_KEY_CHARS, ReasoningMemory, type ReasoningMemoryLimits } from '../../src/routing/reasoning-memory';

const HOUR = 3_600_000;
/** The stored key of client key 1's turn with one tool call `id`. */
const K = (id: string) => `1\n${id}`;
const limits: ReasoningMemoryLimits = { maxEntries: 3, maxBytes: 10_000, maxEntryBytes: 4_000, ttlMs: 6 * HOUR };

function thought(text: string, sig = `sig-${text}`): ReasoningPart {
  return { type: 'reasoning', text, signature: { provider: 'anthropic', value: sig } };
}

describe('ReasoningMemory', () => {
  it('recalls a turn only for its client key and its exact tool call ids, in order', () => {
    const m = new ReasoningMemory(limits);
    const parts = [thought('a'), { type: 'reasoning', text: '', redacted: { provider: 'anthropic', value: 'ErUB' } } as ReasoningPart];
    expect(m.remember({ owner: 1, toolCallIds: ['t1', 't2'], parts }, 0).stored).not.toBeNull();
    expect(m.recall(1, ['t1', 't2'], 1)).toEqual(parts);
    expect(m.recall(1, ['t2', 't1'], 1)).toBeUndefined();
    expect(m.recall(1, ['t1'], 1)).toBeUndefined();
    expect(m.recall(1, ['t1', 't2', 't3'], 1)).toBeUndefined();
    // Another client key never gets it, even with the same ids.
    expect(m.recall(2, ['t1', 't2'], 1)).toBeUndefined();
  });

  it('keeps nothing for a turn without tool calls or reasoning, too large, or with too long a key', () => {
    const m = new ReasoningMemory(limits);
    expect(m.remember({ owner: 1, toolCallIds: [], parts: [thought('a')] }, 0).stored).toBeNull();
    expect(m.remember({ owner: 1, toolCallIds: ['t'], parts: [] }, 0).stored).toBeNull();
    expect(m.remember({ owner: 1, toolCallIds: ['t'], parts: [thought('x'.repeat(4_000))] }, 0).stored).toBeNull();
    expect(m.remember({ owner: 1, toolCallIds: ['x'.repeat(MAX_KEY_CHARS + 1)], parts: [thought('a')] }, 0).stored).toBeNull();
    expect(m.size()).toEqual({ entries: 0, bytes: 0 });
  });

  it('forgets an entry after the TTL, and drops expired entries when the next turn comes', () => {
    const m = new ReasoningMemory(limits);
    m.remember({ owner: 1, toolCallIds: ['old'], parts: [thought('a')] }, 0);
    m.remember({ owner: 1, toolCallIds: ['new'], parts: [thought('b')] }, 5 * HOUR);
    expect(m.recall(1, ['old'], 6 * HOUR)).toBeDefined();
    expect(m.recall(1, ['old'], 6 * HOUR + 1)).toBeUndefined();
    const { removed } = m.remember({ owner: 1, toolCallIds: ['newer'], parts: [thought('c')] }, 6 * HOUR + 1);
    expect(removed).toEqual([K('old')]);
    expect(m.entries().map((e) => e.key)).toEqual([K('new'), K('newer')]);
  });

  it('holds at most maxEntries entries and maxBytes bytes, evicting the oldest first', () => {
    const m = new ReasoningMemory(limits);
    for (const id of ['a', 'b', 'c']) m.remember({ owner: 1, toolCallIds: [id], parts: [thought(id)] }, 0);
    const fourth = m.remember({ owner: 1, toolCallIds: ['d'], parts: [thought('d')] }, 1);
    expect(fourth.removed).toEqual([K('a')]);
    expect(m.entries().map((e) => e.key)).toEqual([K('b'), K('c'), K('d')]);

    const big = (id: string) => ({ owner: 1, toolCallIds: [id], parts: [thought('x'.repeat(3_500), id)] });
    const m2 = new ReasoningMemory(limits);
    m2.remember(big('p'), 0);
    m2.remember(big('q'), 0);
    expect(m2.remember(big('r'), 0).removed).toEqual([K('p')]);
    expect(m2.size().bytes).toBeLessThanOrEqual(limits.maxBytes);
    expect(m2.entries().map((e) => e.key)).toEqual([K('q'), K('r')]);
  });

  it('replaces a turn remembered again, which becomes the newest', () => {
    const m = new ReasoningMemory(limits);
    m.remember({ owner: 1, toolCallIds: ['a'], parts: [thought('first')] }, 0);
    m.remember({ owner: 1, toolCallIds: ['b'], parts: [thought('b')] }, 0);
    expect(m.remember({ owner: 1, toolCallIds: ['a'], parts: [thought('second')] }, 1).removed).toEqual([]);
    expect(m.entries().map((e) => e.key)).toEqual([K('b'), K('a')]);
    expect(m.recall(1, ['a'], 2)).toEqual([thought('second')]);
    expect(m.size().entries).toBe(2);
  });

  it('comes back from its persisted entries without the expired ones or those beyond its limits', () => {
    const m = new ReasoningMemory(limits);
    for (const [id, at] of [['a', 0], ['b', 5 * HOUR], ['c', 5 * HOUR], ['d', 5 * HOUR]] as const) m.remember({ owner: 1, toolCallIds: [id], parts: [thought(id)] }, at);
    const saved = JSON.parse(JSON.stringify(m.entries()));
    const back = ReasoningMemory.from([...saved, { not: 'an entry' }], 6 * HOUR + 1, { ...limits, maxEntries: 2 });
    expect(back.entries().map((e) => e.key)).toEqual([K('c'), K('d')]);
    expect(back.recall(1, ['d'], 6 * HOUR + 2)).toEqual([thought('d')]);
    expect(back.dirty).toBe(false);
  });
});
