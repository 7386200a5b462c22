/**
 * GET /metrics (Node mode, issue 14 item 9): off without a token, 401 without the right bearer
 * token, and counters that agree with the stats a flush wrote (nothing before the flush, nothing
 * twice), breaker states and buffered records read at scrape time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools } from '../suites/harness';
import { nodeHarness } from './harness';

const TOKEN = 'metrics-token-0123456789';

/** The value of one sample line, e.g. `oe_requests_total{group="g",...}`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** The sum over every sample line of `name` whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string>): number {
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

describe('metrics off', () => {
  const h = nodeHarness('sqlite');
  beforeAll(h.setup);
  afterAll(h.teardown);
  it('answers 404 without a metrics token, even with a bearer', async () => {
    const res = await h.fetch('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.message).toContain('METRICS_TOKEN');
  });
});

describe('metrics on', () => {
  const h = nodeHarness('sqlite', { metricsToken: TOKEN });
  beforeAll(h.setup);
  afterAll(h.teardown);
  const { admin, login, routeTo, scenario, gateway } = tools(h);
  const scrape = async () => {
    const res = await h.fetch('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('refuses a missing or wrong token with 401', async () => {
    expect((await h.fetch('/metrics')).status).toBe(401);
    const wrong = await h.fetch('/metrics', { headers: { authorization: 'Bearer metrics-token-0123456780' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect(await wrong.text()).not.toContain('oe_');
  });

  it('counts what a flush wrote: requests by outcome, attempts, tokens, cost, latency; breakers and buffered records live', async () => {
    const cookie = await login();
    const flaky = await scenario({ status: 500, body: 'down' });
    const good = await scenario({ json: 'openai-chat/vercel__openai-text.json', stream: 'openai-chat/vercel__openai-text.chunks.txt' }); // 16 in, 363 out
    const r = await routeTo(cookie, [flaky, good], { mode: 'failover', settings: { breakerThreshold: 1 } });
    const chat = (body: object) => gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${r.clientKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: r.group, messages: [{ role: 'user', content: 'hi' }], ...body }) });
    expect((await chat({})).status).toBe(200); // flaky fails (breaker opens at 1), good rescues
    expect((await chat({})).status).toBe(200); // flaky's breaker is open: good serves at once
    const s = await chat({ stream: true });
    expect(s.status).toBe(200);
    await s.text();

    // Before the flush: nothing counted yet, three records buffered.
    for (let i = 0; i < 100 && h.gateway().runtime.groups.unflushed(r.groupId) < 3; i++) await new Promise((ok) => setTimeout(ok, 20));
    let text = await scrape();
    expect(total(text, 'oe_requests_total', { group: r.group })).toBe(0);
    expect(sample(text, 'oe_buffered_records', { group: r.group })).toBe(3);
    // The flaky member's breaker is open (2) and the good one's closed (0).
    const channels = (await admin(cookie, 'GET', '/channels')).json;
    const name = (id: number) => (channels.data ?? channels).find((c: any) => c.id === id).name as string;
    expect(text).toContain('oe_breaker_state{');
    expect(sample(text, 'oe_breaker_state', { group: r.group, channel: name(r.channelIds[0]!) })).toBe(2);
    expect(text).toMatch(new RegExp(`oe_breaker_state\\{group="${r.group}",channel="${name(r.channelIds[1]!)}",member="\\d+"\\} 0`));

    expect(await h.flush(r.groupId, 3)).toBe(true);
    text = await scrape();
    expect(total(text, 'oe_requests_total', { group: r.group })).toBe(3);
    expect(total(text, 'oe_requests_total', { group: r.group, outcome: 'rescued' })).toBe(1);
    expect(total(text, 'oe_requests_total', { group: r.group, outcome: 'succeeded' })).toBe(2);
    expect(total(text, 'oe_requests_total', { group: r.group, stream: 'true' })).toBe(1);
    expect(total(text, 'oe_attempts_total', { group: r.group, status: '500' })).toBe(1);
    expect(total(text, 'oe_attempts_total', { group: r.group, status: '200' })).toBe(3);
    expect(total(text, 'oe_tokens_total', { group: r.group, kind: 'input' })).toBe(16 * 3);
    expect(total(text, 'oe_tokens_total', { group: r.group, kind: 'output' })).toBeGreaterThan(0);
    expect(sample(text, 'oe_request_duration_seconds_count', { group: r.group, stream: 'false' })).toBe(2);
    expect(sample(text, 'oe_time_to_first_token_seconds_count', { group: r.group })).toBe(1);
    expect(sample(text, 'oe_buffered_records', { group: r.group })).toBe(0);
    // Agrees with the stats the same flush wrote.
    const stats = await h.query('SELECT sum(requests) AS requests, sum(input_tokens) AS input, sum(cost_nano_usd) AS cost FROM stats_hourly WHERE group_name = ?', r.group);
    expect(Number(stats[0]!.requests)).toBe(3);
    expect(total(text, 'oe_cost_nano_usd_total', { group: r.group })).toBe(Number(stats[0]!.cost ?? 0));

    // A flush with nothing new counts nothing again.
    await h.flush(r.groupId, 0);
    expect(total(await scrape(), 'oe_requests_total', { group: r.group })).toBe(3);
  });
});
