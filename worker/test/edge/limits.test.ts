/**
 * Client-key limits on the edge: the per-key Durable Object admits requests one at a time, so
 * rate limits hold exactly under concurrent requests and a budget is overshot by at most the
 * requests in flight. Refusals are 429s in the caller's protocol.
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, gateway, login, routeTo, scenario, uid } from './helpers';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json'; // usage: 16 in, 363 out

function chat(key: string, model: string) {
  return gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
}

function messages(key: string, model: string) {
  return gateway('/v1/messages', { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }) });
}

/** The key object's settled spend (nano-USD) and token window, once `settled` requests have been counted. */
async function keyState(keyId: number) {
  const stub = env.KEYS.get(env.KEYS.idFromName(`key:${keyId}`)) as unknown as DurableObjectStub;
  const read = async (obj: unknown) => {
    const state = (obj as { state: { spentNanoUsd: number; tokens: unknown[] } }).state;
    return { spent: state.spentNanoUsd, tokens: state.tokens.length };
  };
  return runInDurableObject(stub, read);
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

async function limitedRoute(limits: object, upstreamModel = `limit-model-${uid()}`, latencyMs = 0) {
  const cookie = await login();
  const up = await scenario({ json: TEXT_JSON, latencyMs });
  const r = await routeTo(cookie, [up], { upstreamModel });
  expect((await admin(cookie, 'PATCH', `/keys/${r.keyId}`, limits)).status).toBe(200);
  return { ...r, cookie, upstreamModel };
}

describe('client key limits', () => {
  it('holds a requests-per-minute limit exactly under 20 concurrent requests, with Retry-After', async () => {
    const r = await limitedRoute({ rpmLimit: 5 });
    const res = await Promise.all(Array.from({ length: 20 }, () => chat(r.clientKey, r.group)));
    const statuses = res.map((x) => x.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const refused = res.find((x) => x.status === 429)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as any;
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(body.error.message).toContain('5 requests per minute');
    await Promise.all(res.filter((x) => x !== refused).map((x) => x.body?.cancel()));
    // The refusal speaks the caller's protocol: Anthropic's error envelope on /v1/messages.
    const anthropic = await messages(r.clientKey, r.group);
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('refuses once the budget is spent, overshooting by no more than the requests in flight', async () => {
    const upstreamModel = `budget-model-${uid()}`;
    const cookie = await login();
    // $1000 per 1M tokens: one request (16 in + 363 out) costs $0.379.
    expect((await admin(cookie, 'PUT', `/prices/${upstreamModel}`, { input: 1000, output: 1000 })).status).toBe(200);
    const perRequest = 379_000_000;
    const r = await limitedRoute({ budgetUsd: 1 }, upstreamModel, 50);

    // 12 clients send back to back until refused: every admission happens while spend < budget.
    let admitted = 0;
    let refusedWith: Response | null = null;
    await Promise.all(Array.from({ length: 12 }, async () => {
      for (;;) {
        const res = await chat(r.clientKey, r.group);
        if (res.status === 429) {
          refusedWith = res;
          return;
        }
        expect(res.status).toBe(200);
        await res.text();
        admitted += 1;
      }
    }));
    const state = await waitFor(() => keyState(r.keyId), (s) => s.spent === admitted * perRequest);
    // Three settled requests reach the budget; beyond them only requests already in flight (≤ 12) ran.
    expect(admitted).toBeGreaterThanOrEqual(3);
    expect(admitted).toBeLessThanOrEqual(3 + 12);
    expect(state.spent).toBeGreaterThanOrEqual(1e9);
    const res = refusedWith as unknown as Response;
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(((await res.json()) as any).error).toMatchObject({ code: 'insufficient_quota' });
    // Raising the budget lets the key through again at once.
    expect((await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { budgetUsd: 100 })).status).toBe(200);
    expect((await chat(r.clientKey, r.group)).status).toBe(200);
  });

  it('admits sequential requests exactly until the budget is reached', async () => {
    const upstreamModel = `budget-seq-${uid()}`;
    const cookie = await login();
    expect((await admin(cookie, 'PUT', `/prices/${upstreamModel}`, { input: 1000, output: 1000 })).status).toBe(200);
    const r = await limitedRoute({ budgetUsd: 1 }, upstreamModel);
    for (let i = 1; i <= 3; i++) {
      const res = await chat(r.clientKey, r.group);
      expect(res.status).toBe(200);
      await res.text();
      await waitFor(() => keyState(r.keyId), (s) => s.spent === i * 379_000_000);
    }
    expect((await chat(r.clientKey, r.group)).status).toBe(429);
  });

  it('counts spend made while a key had no budget once a budget is set again', async () => {
    const upstreamModel = `budget-readd-${uid()}`;
    const cookie = await login();
    expect((await admin(cookie, 'PUT', `/prices/${upstreamModel}`, { input: 1000, output: 1000 })).status).toBe(200);
    const r = await limitedRoute({ budgetUsd: 1 }, upstreamModel);
    for (let i = 1; i <= 3; i++) {
      await (await chat(r.clientKey, r.group)).text();
      await waitFor(() => keyState(r.keyId), (s) => s.spent === i * 379_000_000);
    }
    expect((await chat(r.clientKey, r.group)).status).toBe(429);
    expect((await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { budgetUsd: null })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await chat(r.clientKey, r.group)).status).toBe(200);
    // Those three reach the stats (the group flushes) but not the key object.
    const group = env.GROUPS.get(env.GROUPS.idFromName(`group:${r.groupId}`)) as unknown as DurableObjectStub;
    const buffered = async (_o: unknown, state: DurableObjectState) => (await state.storage.list({ prefix: 'rec:' })).size;
    await waitFor(() => runInDurableObject(group, buffered), (n) => n >= 6);
    expect(await runDurableObjectAlarm(group)).toBe(true);
    // 6 requests × $0.379 = $2.27 spent: a $2 budget is already used up.
    expect((await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { budgetUsd: 2 })).status).toBe(200);
    const res = await chat(r.clientKey, r.group);
    expect(res.status).toBe(429);
    expect(((await res.json()) as any).error.code).toBe('insufficient_quota');
  });

  it('holds a tokens-per-minute limit on finished requests', async () => {
    const r = await limitedRoute({ tpmLimit: 500 });
    const first = await chat(r.clientKey, r.group);
    expect(first.status).toBe(200);
    await first.text();
    await waitFor(() => keyState(r.keyId), (s) => s.tokens === 1);
    // 379 tokens used: one more request is admitted, then the window is full.
    const second = await chat(r.clientKey, r.group);
    expect(second.status).toBe(200);
    await second.text();
    await waitFor(() => keyState(r.keyId), (s) => s.tokens === 2);
    const third = await chat(r.clientKey, r.group);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await third.json()) as any).error.message).toContain('500 tokens per minute');
  });

  it('admits from an isolate lease far from the limits, and gives it back when an admin lowers them', async () => {
    const upstreamModel = `lease-model-${uid()}`;
    const cookie = await login();
    expect((await admin(cookie, 'PUT', `/prices/${upstreamModel}`, { input: 1000, output: 1000 })).status).toBe(200);
    const r = await limitedRoute({ rpmLimit: 1000, budgetUsd: 100 }, upstreamModel);
    for (let i = 0; i < 20; i++) {
      const res = await chat(r.clientKey, r.group);
      expect(res.status).toBe(200);
      await res.text();
    }
    // Every spend reaches the key object (batched), and a lease is out: requests were admitted in the isolate.
    await waitFor(() => keyState(r.keyId), (st) => st.spent === 20 * 379_000_000);
    const stub = env.KEYS.get(env.KEYS.idFromName(`key:${r.keyId}`)) as unknown as DurableObjectStub;
    const leases = async (obj: unknown) => (obj as { book: { leases: Map<number, unknown> } }).book.leases.size;
    expect(await runInDurableObject(stub, leases)).toBeGreaterThanOrEqual(1);
    // Lowered to the 20 already sent: the lease goes back with its real admission times, and the next request is refused.
    expect((await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { rpmLimit: 20 })).status).toBe(200);
    const refused = await chat(r.clientKey, r.group);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error.message).toContain('20 requests per minute');
    expect((await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { rpmLimit: 21 })).status).toBe(200);
    expect((await chat(r.clientKey, r.group)).status).toBe(200);
    expect((await chat(r.clientKey, r.group)).status).toBe(429);
  });

  it('holds a budget admitted from leases under 12 concurrent clients, overshooting by no more than the requests in flight', async () => {
    const upstreamModel = `lease-budget-${uid()}`;
    const cookie = await login();
    expect((await admin(cookie, 'PUT', `/prices/${upstreamModel}`, { input: 1000, output: 1000 })).status).toBe(200);
    const perRequest = 379_000_000;
    // $10: 27 requests reach it; a lease may hold 1/8 of what is left, so the first ones come from leases.
    const r = await limitedRoute({ budgetUsd: 10 }, upstreamModel, 20);
    let admitted = 0;
    await Promise.all(Array.from({ length: 12 }, async () => {
      for (;;) {
        const res = await chat(r.clientKey, r.group);
        if (res.status === 429) {
          expect(((await res.json()) as any).error.code).toBe('insufficient_quota');
          return;
        }
        expect(res.status).toBe(200);
        await res.text();
        admitted += 1;
      }
    }));
    const state = await waitFor(() => keyState(r.keyId), (st) => st.spent === admitted * perRequest);
    expect(admitted).toBeGreaterThanOrEqual(27);
    expect(admitted).toBeLessThanOrEqual(27 + 12);
    expect(state.spent).toBeGreaterThanOrEqual(10e9);
  });

  it('keeps keys without limits off the limits object', async () => {
    const cookie = await login();
    const up = await scenario({ json: TEXT_JSON });
    const r = await routeTo(cookie, [up]);
    expect((await chat(r.clientKey, r.group)).status).toBe(200);
    const stub = env.KEYS.get(env.KEYS.idFromName(`key:${r.keyId}`)) as unknown as DurableObjectStub;
    const seeded = async (obj: unknown) => (obj as { seeded: boolean }).seeded;
    expect(await runInDurableObject(stub, seeded)).toBe(false);
  });
});
