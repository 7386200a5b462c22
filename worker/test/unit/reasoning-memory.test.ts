/** The reasoning memory (routing/reasoning-memory.ts): exact-key recall, TTL, entry and byte bounds, oldest first out. */
import { describe, expect, it } from 'vitest';
import type { ReasoningPart } from '../../src/protocols/canonical';
import { MAX_KEY_CHARS, ReasoningMemory, type ReasoningMemoryLimits } from '../../src/routing/reasoning-memory';

const HOUR = 3_600_000;
const limits: ReasoningMemoryLimits = { maxEntries: 3, maxBytes: 10_000, maxEntryBytes: 4_000, ttlMs: 6 * HOUR };

function thought(text: string, sig = `sig-${text}`): ReasoningPart {
  return { type: 'reasoning', text, signature: { provider: 'anthropic', value: sig } };
}

describe('ReasoningMemory', () => {
  it('recalls a turn only by its exact tool call ids, in order', () => {
    const m = new ReasoningMemory(limits);
    const parts = [thought('a'), { type: 'reasoning', text: '', redacted: { provider: 'anthropic', value: 'ErUB' } } as ReasoningPart];
    expect(m.remember({ toolCallIds: ['t1', 't2'], parts }, 0).stored).not.toBeNull();
    expect(m.recall(['t1', 't2'], 1)).toEqual(parts);
    expect(m.recall(['t2', 't1'], 1)).toBeUndefined();
    expect(m.recall(['t1'], 1)).toBeUndefined();
    expect(m.recall(['t1', 't2', 't3'], 1)).toBeUndefined();
  });

  it('keeps nothing for a turn without tool calls or reasoning, too large, or with too long a key', () => {
    const m = new ReasoningMemory(limits);
    expect(m.remember({ toolCallIds: [], parts: [thought('a')] }, 0).stored).toBeNull();
    expect(m.remember({ toolCallIds: ['t'], parts: [] }, 0).stored).toBeNull();
    expect(m.remember({ toolCallIds: ['t'], parts: [thought('x'.repeat(4_000))] }, 0).stored).toBeNull();
    expect(m.remember({ toolCallIds: ['x'.repeat(MAX_KEY_CHARS + 1)], parts: [thought('a')] }, 0).stored).toBeNull();
    expect(m.size()).toEqual({ entries: 0, bytes: 0 });
  });

  it('forgets an entry after the TTL, and drops expired entries when the next turn comes', () => {
    const m = new ReasoningMemory(limits);
    m.remember({ toolCallIds: ['old'], parts: [thought('a')] }, 0);
    m.remember({ toolCallIds: ['new'], parts: [thought('b')] }, 5 * HOUR);
    expect(m.recall(['old'], 6 * HOUR)).toBeDefined();
    expect(m.recall(['old'], 6 * HOUR + 1)).toBeUndefined();
    const { removed } = m.remember({ toolCallIds: ['newer'], parts: [thought('c')] }, 6 * HOUR + 1);
    expect(removed).toEqual(['old']);
    expect(m.entries().map((e) => e.key)).toEqual(['new', 'newer']);
  });

  it('holds at most maxEntries entries and maxBytes bytes, evicting the oldest first', () => {
    const m = new ReasoningMemory(limits);
    for (const id of ['a', 'b', 'c']) m.remember({ toolCallIds: [id], parts: [thought(id)] }, 0);
    const fourth = m.remember({ toolCallIds: ['d'], parts: [thought('d')] }, 1);
    expect(fourth.removed).toEqual(['a']);
    expect(m.entries().map((e) => e.key)).toEqual(['b', 'c', 'd']);

    const big = (id: string) => ({ toolCallIds: [id], parts: [thought('x'.repeat(3_500), id)] });
    const m2 = new ReasoningMemory(limits);
    m2.remember(big('p'), 0);
    m2.remember(big('q'), 0);
    expect(m2.remember(big('r'), 0).removed).toEqual(['p']);
    expect(m2.size().bytes).toBeLessThanOrEqual(limits.maxBytes);
    expect(m2.entries().map((e) => e.key)).toEqual(['q', 'r']);
  });

  it('replaces a turn remembered again, which becomes the newest', () => {
    const m = new ReasoningMemory(limits);
    m.remember({ toolCallIds: ['a'], parts: [thought('first')] }, 0);
    m.remember({ toolCallIds: ['b'], parts: [thought('b')] }, 0);
    expect(m.remember({ toolCallIds: ['a'], parts: [thought('second')] }, 1).removed).toEqual([]);
    expect(m.entries().map((e) => e.key)).toEqual(['b', 'a']);
    expect(m.recall(['a'], 2)).toEqual([thought('second')]);
    expect(m.size().entries).toBe(2);
  });

  it('comes back from its persisted entries without the expired ones or those beyond its limits', () => {
    const m = new ReasoningMemory(limits);
    for (const [id, at] of [['a', 0], ['b', 5 * HOUR], ['c', 5 * HOUR], ['d', 5 * HOUR]] as const) m.remember({ toolCallIds: [id], parts: [thought(id)] }, at);
    const saved = JSON.parse(JSON.stringify(m.entries()));
    const back = ReasoningMemory.from([...saved, { not: 'an entry' }], 6 * HOUR + 1, { ...limits, maxEntries: 2 });
    expect(back.entries().map((e) => e.key)).toEqual(['c', 'd']);
    expect(back.recall(['d'], 6 * HOUR + 2)).toEqual([thought('d')]);
    expect(back.dirty).toBe(false);
  });
});
