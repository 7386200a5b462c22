/**
 * An upstream error whose body stalls or trickles after its headers must not hold the request (and
 * its failover) until the request deadline: readErrorBody stops waiting after the group's idle
 * limit (at most ERROR_BODY_WAIT_MS) and keeps what arrived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools } from '../suites/harness';
import { nodeHarness } from './harness';

describe('node-sqlite: a stalled or trickled error body', () => {
  const h = nodeHarness('sqlite');
  beforeAll(h.setup);
  afterAll(h.teardown);
  const { admin, gateway, login, received, routeTo, scenario } = tools(h);
  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';

  it('fails over after the idle limit instead of waiting for the deadline', async () => {
    const cookie = await login();
    const errorBody = JSON.stringify({ error: { message: 'upstream overloaded, try later', type: 'server_error' } });
    // Headers and the start of the body, then nothing; and a body of one byte every 300 ms (never idle 1 s).
    const stalled = await scenario({ status: 500, body: errorBody, fault: { kind: 'stall', afterBytes: 20 } });
    const trickled = await scenario({ status: 503, body: errorBody, split: 'byte', gapMs: 300 });
    const good = await scenario({ json: TEXT_JSON });
    // Without the bound each bad member held the request until the deadline (20 s here), which then
    // ended it without reaching the good member.
    const r = await routeTo(cookie, [stalled, trickled, good], {
      mode: 'failover', settings: { idleTimeoutMs: 1_000, deadlineMs: 20_000, breakerThreshold: 100 },
    });
    const res = await gateway('/v1/chat/completions', {
      method: 'POST', headers: { authorization: `Bearer ${r.clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: r.group, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await res.text();
    expect((await received(good.id)).length).toBe(1);

    // Each bad member's attempt is logged with its status and what arrived of its body.
    expect(await h.flush(r.groupId, 1)).toBe(true);
    const [log] = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=1`)).json.data;
    expect(log.attempts.map((a: any) => a.status)).toEqual([500, 503, 200]);
  }, 60_000);
});
