/** Client-key limits: the pure state transitions and the in-process holder used by Node. */
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/accounting/records';
import type { Store } from '../../src/db/store';
import { InProcessKeyLimits } from '../../src/limits/in-process';
import { WINDOW_MS, admit, emptyKeyLimitState, hasLimits, settle } from '../../src/limits/key-limiter';
import type { KeyLimitSpec } from '../../src/platform';

const spec = (over: Partial<KeyLimitSpec>): KeyLimitSpec => ({ keyId: 1, budgetNanoUsd: null, rpmLimit: null, tpmLimit: null, ...over });

describe('key limiter', () => {
  it('knows when a key has no limits', () => {
    expect(hasLimits(spec({}))).toBe(false);
    expect(hasLimits(spec({ budgetNanoUsd: 0 }))).toBe(true);
  });

  it('admits exactly rpm requests per sliding minute and names when a slot frees', () => {
    const s = emptyKeyLimitState();
    const t0 = 1_000_000;
    expect(admit(s, spec({ rpmLimit: 2 }), t0).ok).toBe(true);
    expect(admit(s, spec({ rpmLimit: 2 }), t0 + 10_000).ok).toBe(true);
    const refused = admit(s, spec({ rpmLimit: 2 }), t0 + 20_000);
    expect(refused).toMatchObject({ ok: false, limit: 'rpm', retryAfterMs: 40_000 });
    // The first admission leaves the window exactly one minute after it happened.
    expect(admit(s, spec({ rpmLimit: 2 }), t0 + WINDOW_MS - 1).ok).toBe(false);
    expect(admit(s, spec({ rpmLimit: 2 }), t0 + WINDOW_MS).ok).toBe(true);
    // A lowered limit applies at once (both admissions in the window must leave), and refusals take no slot.
    expect(admit(s, spec({ rpmLimit: 1 }), t0 + WINDOW_MS + 1)).toMatchObject({ ok: false, retryAfterMs: WINDOW_MS - 1 });
    expect(s.admits).toHaveLength(2);
  });

  it('refuses once settled spend reaches the budget, with no retry time', () => {
    const s = emptyKeyLimitState(400);
    const b = spec({ budgetNanoUsd: 1000 });
    expect(admit(s, b, 0).ok).toBe(true);
    settle(s, 599, 10, 0, false);
    expect(admit(s, b, 1).ok).toBe(true);
    settle(s, 1, 10, 1, false);
    expect(admit(s, b, 2)).toMatchObject({ ok: false, limit: 'budget', retryAfterMs: null });
    expect(s.tokens).toEqual([]);
  });

  it('counts tokens of finished requests in the tpm window and says when enough expire', () => {
    const s = emptyKeyLimitState();
    const t = spec({ tpmLimit: 100 });
    settle(s, 0, 60, 0, true);
    settle(s, 0, 30, 20_000, true);
    expect(admit(s, t, 30_000).ok).toBe(true); // 90 < 100
    settle(s, 0, 30, 30_000, true);
    // 120 used; after the first entry leaves (t = 60 s) 60 remain: retry 30 s from now.
    expect(admit(s, t, 30_000)).toMatchObject({ ok: false, limit: 'tpm', retryAfterMs: 30_000 });
    expect(admit(s, t, 60_001).ok).toBe(true);
  });
});

function fakeStore(spent: number, prices: Map<string, { input: number; output: number; cacheRead: number; cacheWrite: number }>): Store {
  return {
    keyUsage: async () => ({ requests: 0, successes: 0, failures: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costNanoUsd: spent, latencyMsTotal: 0, ttftMsTotal: 0 }),
    loadPrices: async () => ({ user: prices, modelsDev: [] }),
  } as unknown as Store;
}

function record(tokensIn: number, tokensOut: number): RequestRecord {
  return {
    id: crypto.randomUUID(), time: 0, apiKeyId: 1, groupName: 'g', channelId: 1, upstreamModel: 'm', protocolIn: 'openai-chat', protocolOut: 'openai-chat',
    stream: false, status: 200, ok: true, attempts: [], usage: { input: tokensIn, cacheRead: 0, cacheWrite: 0, output: tokensOut, reasoning: 0 },
    costNanoUsd: 0, latencyMs: 1, ttftMs: null, error: null,
  };
}

describe('in-process key limits (Node)', () => {
  it('admits exactly rpm of 50 concurrent requests', async () => {
    const limits = new InProcessKeyLimits(fakeStore(0, new Map()));
    const res = await Promise.all(Array.from({ length: 50 }, () => limits.admit(spec({ rpmLimit: 10 }))));
    expect(res.filter((a) => a.ok)).toHaveLength(10);
  });

  it('starts from the spend in the stats and prices settled requests', async () => {
    // $1 per 1M tokens in and out = 1000 nano-USD per token.
    const limits = new InProcessKeyLimits(fakeStore(5_000, new Map([['m', { input: 1e9, output: 1e9, cacheRead: 1e9, cacheWrite: 1e9 }]])));
    const b = spec({ budgetNanoUsd: 20_000 });
    expect((await limits.admit(b)).ok).toBe(true);
    await limits.settle(1, record(10, 4)); // 14 tokens: 14,000 nano-USD → 19,000 spent
    expect((await limits.admit(b)).ok).toBe(true);
    await limits.settle(1, record(1, 0)); // 20,000 spent
    expect(await limits.admit(b)).toMatchObject({ ok: false, limit: 'budget' });
  });

  it('catches up with spend the stats saw while the key had no budget', async () => {
    let statsSpent = 5_000;
    const store = fakeStore(0, new Map([['m', { input: 1e9, output: 1e9, cacheRead: 1e9, cacheWrite: 1e9 }]]));
    (store as any).keyUsage = async () => ({ costNanoUsd: statsSpent });
    const limits = new InProcessKeyLimits(store);
    const b = spec({ budgetNanoUsd: 20_000 });
    expect((await limits.admit(b)).ok).toBe(true);
    statsSpent = 25_000; // requests made (and flushed) while the budget was removed
    expect((await limits.admit(b)).ok).toBe(true);
    await limits.refresh(1);
    expect(await limits.admit(b)).toMatchObject({ ok: false, limit: 'budget' });
  });
});
