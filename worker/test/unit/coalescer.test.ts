/**
 * edge/coalescer.ts and edge/finish-batch.ts: finishes of one isolate go to their group's object
 * in batches (by delay, size cap or urgency); the request that sends a batch (or whose timer does)
 * waits for that send, the others do not; a failed send is reported once per item and never retried.
 */
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/edge/coalescer';
import { finishIsUrgent, type FinishItem } from '../../src/edge/finish-batch';

/** A coalescer over a fake send and manual timers. */
function harness(opts: { maxItems?: number; fail?: boolean } = {}) {
  const sends: { id: string; items: number[] }[] = [];
  const timers: (() => void)[] = [];
  const releases: (() => void)[] = [];
  const lost: unknown[] = [];
  const c = new Coalescer<number>({
    send: (id, items) => {
      sends.push({ id, items: [...items] });
      return new Promise<void>((ok, fail) => releases.push(() => (opts.fail ? fail(new Error('rpc down')) : ok())));
    },
    urgent: (n) => n < 0,
    onLost: (err) => lost.push(err),
    maxItems: opts.maxItems ?? 64,
    delayMs: 15,
    setTimer: (fn) => timers.push(fn),
  });
  return { c, sends, timers, releases, lost };
}

/** Whether `p` has settled (after the microtasks queued so far). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('Coalescer', () => {
  it('sends the items queued before the delay as one batch per target, in order; the owner waits for the send', async () => {
    const { c, sends, timers, releases } = harness();
    const a = [c.add('g1', 1), c.add('g1', 2), c.add('g2', 3), c.add('g1', 4)];
    expect(sends).toEqual([]);
    // One timer per open batch, set by the request that opened it.
    expect(timers).toHaveLength(2);
    // The other requests of a batch do not wait (nothing keeps them alive on Workers).
    expect(await settled(a[1]!)).toBe(true);
    expect(await settled(a[3]!)).toBe(true);
    expect(await settled(a[0]!)).toBe(false);
    timers.forEach((t) => t());
    expect(sends).toEqual([{ id: 'g1', items: [1, 2, 4] }, { id: 'g2', items: [3] }]);
    // The owner waits for the send that carries the batch, not less.
    expect(await settled(a[0]!)).toBe(false);
    releases[0]!();
    expect(await settled(a[0]!)).toBe(true);
    expect(await settled(a[2]!)).toBe(false);
    releases[1]!();
    await Promise.all(a);
  });

  it('sends a batch at once when it reaches the size cap, the filling request waits for it; the next item opens a new batch', async () => {
    const { c, sends, timers, releases } = harness({ maxItems: 3 });
    const a = [1, 2, 3, 4].map((i) => c.add('g', i));
    expect(sends).toEqual([{ id: 'g', items: [1, 2, 3] }]);
    expect(c.queued('g')).toBe(1);
    expect(await settled(a[2]!)).toBe(false);
    releases[0]!();
    expect(await settled(a[2]!)).toBe(true);
    // The first batch's owner finds it sent at its timer and resolves; the second's timer sends item 4.
    expect(await settled(a[0]!)).toBe(false);
    timers[0]!();
    expect(await settled(a[0]!)).toBe(true);
    expect(sends).toHaveLength(1);
    timers[1]!();
    expect(sends).toEqual([{ id: 'g', items: [1, 2, 3] }, { id: 'g', items: [4] }]);
  });

  it('sends an urgent item at once, with whatever waited before it, and sets no timer for a batch it opens', () => {
    const { c, sends, timers } = harness();
    void c.add('g', 1);
    void c.add('g', -2);
    expect(sends).toEqual([{ id: 'g', items: [1, -2] }]);
    void c.add('h', -3);
    expect(sends).toEqual([{ id: 'g', items: [1, -2] }, { id: 'h', items: [-3] }]);
    expect(timers).toHaveLength(1);
    timers[0]!();
    expect(sends).toHaveLength(2);
  });

  it('on a failed send rejects the waiting request and reports each other item once; never sends it again', async () => {
    const h = harness({ fail: true });
    const a = [h.c.add('g', 1), h.c.add('g', 2), h.c.add('g', 3)];
    h.timers[0]!();
    h.releases[0]!();
    await expect(a[0]!).rejects.toThrow('rpc down');
    await expect(a[1]!).resolves.toBeUndefined();
    expect(h.lost).toHaveLength(2);
    expect(String(h.lost[0])).toContain('rpc down');
    expect(h.sends).toHaveLength(1);
  });

  it('rejects the waiting request when send throws synchronously', async () => {
    const timers: (() => void)[] = [];
    const c = new Coalescer<number>({ send: () => { throw new Error('no stub'); }, maxItems: 8, delayMs: 15, setTimer: (fn) => timers.push(fn) });
    const p = c.add('g', 1);
    timers[0]!();
    await expect(p).rejects.toThrow('no stub');
  });
});

describe('finishIsUrgent', () => {
  const settings = {} as FinishItem['report']['settings'];
  const record = {} as FinishItem['record'];
  const outcome = (kind: 'ok' | 'channel' | 'client' | 'aborted') => ({ memberId: 1, channelId: 1, keyId: 'k', kind, status: kind === 'ok' ? 200 : 500, ms: 1 });

  it('lets plain successes wait and sends failures, aborts, client faults and reasoning at once', () => {
    expect(finishIsUrgent({ report: { outcomes: [outcome('ok')], untried: [2], settings }, record })).toBe(false);
    expect(finishIsUrgent({ report: { outcomes: [], untried: [], settings }, record })).toBe(false);
    expect(finishIsUrgent({ report: { outcomes: [outcome('channel'), outcome('ok')], untried: [], settings }, record })).toBe(true);
    expect(finishIsUrgent({ report: { outcomes: [outcome('client')], untried: [], settings }, record })).toBe(true);
    expect(finishIsUrgent({ report: { outcomes: [outcome('aborted')], untried: [], settings }, record })).toBe(true);
    expect(finishIsUrgent({ report: { outcomes: [outcome('ok')], untried: [], settings }, record, reasoning: { owner: 'o', toolCallIds: ['t'], parts: [] } as never })).toBe(true);
  });
});
