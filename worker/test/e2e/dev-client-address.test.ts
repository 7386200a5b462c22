/**
 * `npm start` (scripts/dev.mjs: the front proxy, then wrangler dev) keys the admin login throttle on
 * the socket's address: a client rotating CF-Connecting-IP is still throttled, one spoofing a
 * victim's address locks only itself out, and wrangler's own loopback port believes no header.
 * Also: a stream relayed through the proxy arrives event by event (no buffering on the way).
 * Different client addresses come from binding the client socket to 127.0.0.2, 127.0.0.3… (Linux
 * routes all of 127.0.0.0/8 to loopback).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevGateway, type DevGateway } from '../dev-gateway';
import { startFakeUpstream, type FakeUpstream } from '../upstream/server';

const PASSWORD = 'dev-address-admin-password';
let gw: DevGateway;
let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startFakeUpstream({ host: '127.0.0.1' });
  gw = await launchDevGateway({ ADMIN_PASSWORD: PASSWORD, ENCRYPTION_KEY: 'dev-address-encryption-key-0123' }, { tmpPrefix: 'oe-devaddr-' });
});
afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

/** POST /api/v1/auth/login from the socket address `from` to `base`, with extra headers; resolves with status and Set-Cookie. */
function login(base: string, from: string, password: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string }> {
  const body = JSON.stringify({ password });
  return new Promise((ok, fail) => {
    const req = request(`${base}/api/v1/auth/login`, {
      method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => ok({ status: res.statusCode ?? 0, cookie: (res.headers['set-cookie']?.[0] ?? '').split(';')[0]! }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('npm start: the client address is the socket, not a header', () => {
  it('a client rotating CF-Connecting-IP is throttled after 5 failures', async () => {
    for (let i = 0; i < 5; i++) expect((await login(gw.url, '127.0.0.2', 'wrong', { 'cf-connecting-ip': `10.40.0.${i}` })).status).toBe(401);
    expect((await login(gw.url, '127.0.0.2', PASSWORD, { 'cf-connecting-ip': '10.40.1.1' })).status).toBe(429);
  });

  it('spoofing a victim\'s address locks out only the spoofer', async () => {
    for (let i = 0; i < 6; i++) await login(gw.url, '127.0.0.3', 'wrong', { 'cf-connecting-ip': '127.0.0.4' });
    expect((await login(gw.url, '127.0.0.3', PASSWORD, { 'cf-connecting-ip': '127.0.0.4' })).status).toBe(429);
    expect((await login(gw.url, '127.0.0.4', PASSWORD)).status).toBe(200);
  });

  it('wrangler\'s internal port, reached directly, believes no address header', async () => {
    const internal = /wrangler's own (127\.0\.0\.1:\d+) is internal/.exec(gw.output())?.[1];
    expect(internal).toBeDefined();
    const direct = `http://${internal}`;
    for (let i = 0; i < 5; i++) expect((await login(direct, '127.0.0.1', 'wrong', { 'cf-connecting-ip': `10.50.0.${i}`, 'x-octopus-dev-proxy': `guess-${i}` })).status).toBe(401);
    expect((await login(direct, '127.0.0.1', PASSWORD, { 'cf-connecting-ip': '10.50.1.1' })).status).toBe(429);
    // Through the proxy, 127.0.0.5 is its own address and unaffected.
    expect((await login(gw.url, '127.0.0.5', PASSWORD, { 'cf-connecting-ip': '10.50.1.1' })).status).toBe(200);
  });

  it('streams a relayed response through the proxy event by event', async () => {
    const { cookie } = await login(gw.url, '127.0.0.6', PASSWORD);
    const admin = async (path: string, body: unknown) => {
      const r = await fetch(`${gw.url}/api/v1${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(201);
      return r.json() as Promise<any>;
    };
    const s = upstream.addScenario({ stream: 'openai-chat/vercel__azure-model-router.1.chunks.txt', gapMs: 300 });
    const ch = await admin('/channels', { name: 'ch-devaddr', type: 'openai-chat', baseUrl: `${s.baseUrl}/v1`, keys: ['sk-upstream-devaddr-0000'] });
    await admin('/groups', { name: 'devaddr', members: [{ channelId: ch.id, upstreamModel: 'gpt-4.1-nano' }] });
    const key = await admin('/keys', { name: 'key-devaddr' });
    const started = Date.now();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'devaddr', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const arrivals: number[] = [];
    const decoder = new TextDecoder();
    let body = '';
    for await (const chunk of res.body!) {
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      body += text;
      for (let n = text.split('data: ').length - 1; n > 0; n--) arrivals.push(Date.now() - started);
    }
    expect(body).toContain('data: [DONE]');
    // With 300 ms between upstream writes, events must arrive spread out, not all at the end.
    expect(arrivals.length).toBeGreaterThan(3);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(300 * (arrivals.length - 2) * 0.5);
  });
});
