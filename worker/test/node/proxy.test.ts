/**
 * Outbound proxies in Node mode (issue 14.7, README "Outbound proxy"), on SQLite: a channel's
 * HTTP CONNECT or SOCKS5 proxy with credentials, the global one from the settings, which wins, a
 * dead proxy failing over, the model-list and price syncs and the channel test through the proxy,
 * and the admin API never showing a proxy password. The proxies are local (local-proxies.ts) and
 * count the tunnels they open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { one, tools, uid } from '../suites/harness';
import { nodeHarness } from './harness';
import { startConnectProxy, startSocks5Proxy, type LocalProxy } from './local-proxies';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
const HTTP_AUTH = { user: 'proxy-user', pass: 'http-pass-9f3k2x' };
const SOCKS_AUTH = { user: 'socks-user', pass: 'socks-pass-7q1w8e' };

/** A local port nothing listens on (a dead proxy). */
async function deadPort(): Promise<number> {
  const s = createServer();
  const port = await new Promise<number>((ok) => s.listen(0, '127.0.0.1', () => ok((s.address() as { port: number }).port)));
  await new Promise((ok) => s.close(ok));
  return port;
}

describe('node-sqlite outbound proxy', () => {
  const h = nodeHarness('sqlite');
  const { admin, gateway, login, received, routeTo, scenario } = tools(h);
  let httpProxy: LocalProxy;
  let socksProxy: LocalProxy;
  let cookie: string;

  beforeAll(async () => {
    await h.setup();
    httpProxy = await startConnectProxy(HTTP_AUTH);
    socksProxy = await startSocks5Proxy(SOCKS_AUTH);
    cookie = await login();
  });
  afterAll(async () => {
    await httpProxy?.close();
    await socksProxy?.close();
    await h.teardown();
  });

  const chat = (key: string, model: string) => gateway('/v1/chat/completions', {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const upstreamHost = () => new URL(h.upstreamUrl()).host;

  /** Runs `body` with the global proxy set to `url`, then clears it (other tests expect none). */
  async function withGlobal(url: string, body: () => Promise<void>): Promise<void> {
    expect((await admin(cookie, 'PUT', '/settings', { proxy: url })).status).toBe(200);
    try {
      await body();
    } finally {
      expect((await admin(cookie, 'PUT', '/settings', { proxy: null })).status).toBe(200);
    }
  }

  it('sends a channel with an HTTP proxy only through it, with Proxy-Authorization; a channel without goes direct', async () => {
    const up = await scenario({ json: TEXT_JSON });
    const r = await routeTo(cookie, [up]);
    expect((await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { proxy: httpProxy.url })).status).toBe(200);
    const before = httpProxy.tunnels;
    const res = await chat(r.clientKey, r.group);
    expect(res.status).toBe(200);
    expect(httpProxy.tunnels).toBe(before + 1);
    expect(httpProxy.targets.at(-1)).toBe(upstreamHost());
    expect((await received(up.id)).length).toBe(1);
    // Kept-alive: more calls reuse the tunnel (one dispatcher per proxy URL).
    for (let i = 0; i < 3; i++) expect((await chat(r.clientKey, r.group)).status).toBe(200);
    expect(httpProxy.tunnels).toBe(before + 1);

    const direct = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
    const seen = httpProxy.tunnels + httpProxy.refused + socksProxy.tunnels + socksProxy.refused;
    expect((await chat(direct.clientKey, direct.group)).status).toBe(200);
    expect(httpProxy.tunnels + httpProxy.refused + socksProxy.tunnels + socksProxy.refused).toBe(seen);
  });

  it('sends through a SOCKS5 proxy with username and password', async () => {
    const up = await scenario({ json: TEXT_JSON });
    const r = await routeTo(cookie, [up]);
    expect((await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { proxy: socksProxy.url })).status).toBe(200);
    const before = socksProxy.tunnels;
    expect((await chat(r.clientKey, r.group)).status).toBe(200);
    expect(socksProxy.tunnels).toBe(before + 1);
    expect(socksProxy.targets.at(-1)).toBe(upstreamHost());
    expect(socksProxy.refused).toBe(0);
  });

  it('wrong proxy credentials are a channel fault, and the password never shows in the error', async () => {
    const up = await scenario({ json: TEXT_JSON });
    const backup = await scenario({ json: TEXT_JSON });
    const r = await routeTo(cookie, [up, backup], { mode: 'failover' });
    const wrong = `socks5://${SOCKS_AUTH.user}:not-the-password-123@${socksProxy.bareUrl.slice('socks5://'.length)}`;
    expect((await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { proxy: wrong })).status).toBe(200);
    const refusedBefore = socksProxy.refused;
    expect((await chat(r.clientKey, r.group)).status).toBe(200);
    expect(socksProxy.refused).toBeGreaterThan(refusedBefore);
    expect((await received(up.id)).length).toBe(0);
    expect((await received(backup.id)).length).toBe(1);
    await h.flush(r.groupId);
    const log = await one(h, 'SELECT attempts FROM request_logs WHERE group_name = ? ORDER BY id DESC', r.group);
    expect(log).toBeDefined();
    expect(JSON.stringify(log)).not.toContain('not-the-password-123');
  });

  it('a dead proxy is a channel fault: failover to the next member', async () => {
    const up = await scenario({ json: TEXT_JSON });
    const backup = await scenario({ json: TEXT_JSON });
    const r = await routeTo(cookie, [up, backup], { mode: 'failover' });
    expect((await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { proxy: `http://127.0.0.1:${await deadPort()}` })).status).toBe(200);
    const res = await chat(r.clientKey, r.group);
    expect(res.status).toBe(200);
    expect((await received(up.id)).length).toBe(0);
    expect((await received(backup.id)).length).toBe(1);
  });

  it('uses the global proxy for a channel without one, and the channel\'s own over the global one', async () => {
    // Fresh proxies: a kept-alive tunnel from an earlier test would be reused, not counted.
    const global = await startConnectProxy(HTTP_AUTH);
    const socks = await startSocks5Proxy(SOCKS_AUTH);
    try {
      const up = await scenario({ json: TEXT_JSON });
      const plain = await routeTo(cookie, [up]);
      const own = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
      expect((await admin(cookie, 'PATCH', `/channels/${own.channelIds[0]}`, { proxy: socks.url })).status).toBe(200);
      await withGlobal(global.url, async () => {
        expect((await chat(plain.clientKey, plain.group)).status).toBe(200);
        expect(global.tunnels).toBe(1);
        expect(socks.tunnels).toBe(0);
        expect((await chat(own.clientKey, own.group)).status).toBe(200);
        expect(socks.tunnels).toBe(1);
        expect(global.tunnels).toBe(1);
      });
      // The global proxy removed: the plain channel goes direct.
      expect((await chat(plain.clientKey, plain.group)).status).toBe(200);
      expect(global.tunnels).toBe(1);
      expect((await received(up.id)).length).toBe(2);
    } finally {
      await global.close();
      await socks.close();
    }
  });

  it('the global proxy carries the models.dev price sync; the channel proxy the model-list sync and the channel test', async () => {
    const socks = await startSocks5Proxy(SOCKS_AUTH);
    try {
      await withGlobal(socks.url, async () => {
        const res = await admin(cookie, 'POST', '/sync/prices');
        expect(res.status).toBe(200);
        expect(socks.tunnels).toBe(1);
      });
    } finally {
      await socks.close();
    }
    const up = await scenario({ json: TEXT_JSON, models: { object: 'list', data: [{ id: 'listed-model', object: 'model' }] } });
    const r = await routeTo(cookie, [up]);
    // A fresh proxy of its own, so every tunnel counted is this channel's.
    const own = await startConnectProxy(HTTP_AUTH);
    try {
      expect((await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { proxy: own.url })).status).toBe(200);
      const sync = await admin(cookie, 'POST', `/channels/${r.channelIds[0]}/sync-models`);
      expect(sync.status).toBe(200);
      expect(sync.json.added).toEqual(['listed-model']);
      expect(own.tunnels).toBeGreaterThanOrEqual(1);
      const afterSync = own.tunnels;
      const test = await admin(cookie, 'POST', `/channels/${r.channelIds[0]}/test`);
      expect(test.json).toMatchObject({ ok: true });
      // The channel test uses the relay's transport: the sync's fetch and the test may share no pool.
      expect(own.tunnels).toBeGreaterThanOrEqual(afterSync);
      expect(own.tunnels + own.refused).toBeGreaterThan(0);
      expect((await received(up.id)).length).toBe(2);
      expect(own.targets.every((t) => t === upstreamHost())).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('tests and lists models of an unsaved channel through its proxy; an edited one keeps its stored proxy password from the hint', async () => {
    const up = await scenario({ json: TEXT_JSON, models: { object: 'list', data: [{ id: 'draft-listed', object: 'model' }] } });
    const own = await startConnectProxy(HTTP_AUTH);
    try {
      const draft = { type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: [`sk-draft-proxy-${uid()}`], proxy: own.url };
      expect((await admin(cookie, 'POST', '/channels/models', draft)).json).toEqual({ models: ['draft-listed'] });
      expect((await admin(cookie, 'POST', '/channels/test', { ...draft, model: 'm' })).json).toMatchObject({ ok: true, status: 200 });
      expect(own.tunnels).toBeGreaterThanOrEqual(1);
      expect(own.targets.every((t) => t === upstreamHost())).toBe(true);
      expect((await received(up.id)).length).toBe(2);
      expect(own.refused).toBe(0);

      // A stored channel behind the proxy: the shown proxy (password as a hint) sent back keeps the stored password.
      const r = await routeTo(cookie, [up]);
      const shown = (await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { proxy: own.url })).json.proxy as string;
      expect(shown).not.toContain(HTTP_AUTH.pass);
      const kept = await admin(cookie, 'POST', '/channels/test', { channelId: r.channelIds[0], type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, proxy: shown, model: 'm' });
      expect(kept.json).toMatchObject({ ok: true, status: 200 });
      expect(own.refused).toBe(0);

      // Wrong credentials: not ok, and the password typed never comes back.
      const wrongPass = 'wrong-pass-5d8c1v';
      const bad = await admin(cookie, 'POST', '/channels/test', { ...draft, proxy: own.url.replace(HTTP_AUTH.pass, wrongPass), model: 'm' });
      expect(bad.json).toMatchObject({ ok: false });
      expect(own.refused).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(bad.json)).not.toContain(wrongPass);
    } finally {
      await own.close();
    }
  });

  it('never shows a proxy password: hint in the API, sealed in the database; the hint sent back keeps it', async () => {
    const up = await scenario({ json: TEXT_JSON });
    const r = await routeTo(cookie, [up]);
    const id = r.channelIds[0];
    const patched = await admin(cookie, 'PATCH', `/channels/${id}`, { proxy: httpProxy.url });
    const shown = patched.json.proxy as string;
    expect(shown).toBe(`http://${HTTP_AUTH.user}:…${HTTP_AUTH.pass.slice(-4)}@${httpProxy.bareUrl.slice('http://'.length)}`);
    for (const view of [patched.json, (await admin(cookie, 'GET', `/channels/${id}`)).json, (await admin(cookie, 'GET', '/channels')).json]) {
      expect(JSON.stringify(view)).not.toContain(HTTP_AUTH.pass);
    }
    const row = await one(h, 'SELECT proxy FROM channels WHERE id = ?', id);
    expect(row!.proxy).not.toContain(HTTP_AUTH.pass);
    // The form sent back unchanged (password as its hint) keeps working credentials.
    expect((await admin(cookie, 'PATCH', `/channels/${id}`, { name: `kept-${uid()}`, proxy: shown })).json.proxy).toBe(shown);
    const refused0 = httpProxy.refused;
    expect((await chat(r.clientKey, r.group)).status).toBe(200);
    expect(httpProxy.refused).toBe(refused0);

    await withGlobal(socksProxy.url, async () => {
      const s = await admin(cookie, 'GET', '/settings');
      expect(s.json.proxy).toBe(`socks5://${SOCKS_AUTH.user}:…${SOCKS_AUTH.pass.slice(-4)}@${socksProxy.bareUrl.slice('socks5://'.length)}`);
      expect(JSON.stringify(s.json)).not.toContain(SOCKS_AUTH.pass);
      const stored = await one(h, 'SELECT value FROM settings WHERE "key" = ?', 'gateway');
      expect(stored!.value).not.toContain(SOCKS_AUTH.pass);
      // Another setting saved with the shown proxy keeps it.
      expect((await admin(cookie, 'PUT', '/settings', { logRetentionDays: 31, proxy: s.json.proxy })).json.proxy).toBe(s.json.proxy);
    });
    // A proxy removed: the channel goes direct again.
    expect((await admin(cookie, 'PATCH', `/channels/${id}`, { proxy: null })).json.proxy).toBeNull();
  });

  it('refuses malformed proxy URLs with a 400 that names the field', async () => {
    const r = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
    for (const bad of ['ftp://127.0.0.1:21', 'http://127.0.0.1:3128/path', 'http://127.0.0.1:3128?x=1', 'not a url', 'socks5://']) {
      const res = await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { proxy: bad });
      expect(res.status, bad).toBe(400);
      expect(JSON.stringify(res.json), bad).toContain('proxy');
      expect((await admin(cookie, 'PUT', '/settings', { proxy: bad })).status, bad).toBe(400);
    }
    for (const ok of ['socks5h://proxy.internal:1080', 'https://proxy.internal', 'socks4://10.0.0.1:1080', '']) {
      expect((await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { proxy: ok })).status, ok).toBe(200);
    }
  });
});
