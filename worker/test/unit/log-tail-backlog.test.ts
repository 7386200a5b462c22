/**
 * The log tail (admin/log-tail.ts) and a client that never reads: its response queue is bounded
 * (TAIL_BACKLOG_MAX_BYTES), then the stream fails and the polling stops, instead of every log of
 * the tail's 30-minute life piling up in memory.
 */
import { describe, expect, it } from 'vitest';
import { logTailResponse, TAIL_BACKLOG_MAX_BYTES } from '../../src/admin/log-tail';
import type { Platform } from '../../src/platform';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** A platform whose database lists 20 new ~10 KB rows at every poll, counting the polls. */
function busyPlatform() {
  let polls = 0;
  let next = 0;
  const warnings: string[] = [];
  const p = {
    now: () => Date.now(),
    store: {
      listGroups: async () => [],
      listLogs: async () => {
        polls++;
        return Array.from({ length: 20 }, () => ({ id: `log-${next++}`, time: Date.now(), costNanoUsd: 0, hasBodies: false, error: 'x'.repeat(10_000) }));
      },
    },
    groups: { pending: async () => [] },
    logger: { warn: (m: string) => warnings.push(m), info: () => undefined, error: () => undefined, debug: () => undefined },
  } as unknown as Platform;
  return { p, polls: () => polls, warnings };
}

describe('log tail: a client that never reads', () => {
  it('stops polling once the unread events pass the backlog cap, and the stream fails', async () => {
    const { p, polls, warnings } = busyPlatform();
    const res = logTailResponse(p, {}, undefined, { pollMs: 1, heartbeatMs: 60_000, maxLifeMs: 60_000 });
    // About 200 KB per poll: the cap is passed within a dozen polls.
    const needed = Math.ceil(TAIL_BACKLOG_MAX_BYTES / 200_000) + 2;
    for (let i = 0; i < 200 && polls() < needed + 5; i++) await sleep(10);
    const settled = polls();
    await sleep(200);
    expect(polls()).toBe(settled);
    expect(settled).toBeLessThan(needed + 5);
    expect(warnings.some((w) => w.includes('not reading'))).toBe(true);
    const reader = res.body!.getReader();
    await expect(reader.read()).rejects.toThrow(/not reading/);
  });
});
