/**
 * `GET /api/v1/me`, the key holder's page: authenticated by the client key alone, its own rows
 * only, no bodies or channels, plain answers for disabled, expired and deleted keys, no CORS.
 */
import { describe, expect, it } from 'vitest';
import { tools, uid, type Harness } from './harness';

export function keyholderSuite(h: Harness): void {
  const { admin, gateway, login, routeTo, scenario } = tools(h);
  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';

  const chat = (key: string, model: string) => gateway('/v1/chat/completions', {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'keyholder secret prompt' }] }),
  });
  async function me(headers: Record<string, string>, query = ''): Promise<{ status: number; json: any; text: string; headers: Headers }> {
    const res = await gateway(`/api/v1/me${query}`, { headers });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, text, headers: res.headers };
  }

  describe('key holder page (GET /api/v1/me)', () => {
    it('shows a key its own usage, budget, limits and recent requests, without bodies, channels or other keys', async () => {
      const cookie = await login();
      await admin(cookie, 'PUT', '/settings', { logBodies: true });
      try {
        const good = await scenario({ json: TEXT_JSON });
        const model = `kh-${uid()}`;
        expect((await admin(cookie, 'PUT', `/prices/${model}`, { input: 1000, output: 2000 })).status).toBe(200);
        const a = await routeTo(cookie, [good], { upstreamModel: model });
        const b = await admin(cookie, 'POST', '/keys', { name: `other-${uid()}` });
        expect(b.status).toBe(201);
        const patched = await admin(cookie, 'PATCH', `/keys/${a.keyId}`, { budgetUsd: 50, rpmLimit: 600, tpmLimit: 100_000, allowedGroups: [a.group] });
        expect(patched.status).toBe(200);
        for (let i = 0; i < 2; i++) expect((await chat(a.clientKey, a.group)).status).toBe(200);
        expect((await chat(b.json.key, a.group)).status).toBe(200);
        expect(await h.flush(a.groupId, 3)).toBe(true);

        const mine = await me({ authorization: `Bearer ${a.clientKey}` }, '?range=24h');
        expect(mine.status).toBe(200);
        expect(mine.headers.get('cache-control')).toBe('no-store');
        const v = mine.json;
        expect(v.key).toMatchObject({ name: patched.json.name, state: 'active', allowedGroups: [a.group], expiresAt: null, prefix: a.clientKey.slice(0, 10) });
        expect(v.limits).toEqual({ rpm: 600, tpm: 100_000, budgetUsd: 50 });
        expect(v.total.requests).toBe(2);
        expect(v.total.successes).toBe(2);
        expect(v.total.costUsd).toBeGreaterThan(0);
        expect(v.spent.requests).toBe(2);
        expect(v.spent.allTimeUsd).toBeCloseTo(v.total.costUsd, 9);
        expect(v.spent.remainingUsd).toBeCloseTo(50 - v.spent.allTimeUsd, 9);
        expect(v.byModel.map((m: any) => m.model)).toEqual([model]);
        expect(v.byModel[0].requests).toBe(2);
        expect(v.series.reduce((n: number, s: any) => n + s.requests, 0)).toBe(2);
        expect(v.range.bucket).toBe('hour');
        expect(v.range.to - v.range.from).toBe(86_400_000);

        // Its own two requests, the same ids the admin sees for the key, newest first.
        const adminLogs = (await admin(cookie, 'GET', `/logs?keyId=${a.keyId}`)).json.data as any[];
        expect(v.recent.map((r: any) => r.id)).toEqual(adminLogs.map((l) => l.id));
        expect(v.recent).toHaveLength(2);
        expect(v.recent[0].time).toBeGreaterThanOrEqual(v.recent[1].time);
        expect(v.recent[0]).toMatchObject({ group: a.group, model, status: 200, ok: true });
        expect(v.recent[0].outputTokens).toBeGreaterThan(0);
        expect(Object.keys(v.recent[0]).sort()).toEqual([
          'cacheReadTokens', 'cacheWriteTokens', 'costUsd', 'group', 'id', 'inputTokens', 'latencyMs', 'model', 'ok', 'outputTokens',
          'reasoningTokens', 'status', 'stream', 'time', 'ttftMs',
        ]);
        // Bodies were logged, yet none of them, no channel and no upstream address is in the answer.
        expect((await admin(cookie, 'GET', `/logs/${adminLogs[0].id}`)).json.requestBody).toContain('keyholder secret prompt');
        const channel = (await admin(cookie, 'GET', `/channels/${a.channelIds[0]}`)).json;
        for (const hidden of ['keyholder secret prompt', channel.name, good.baseUrl, '127.0.0.1', 'channel', 'Body', 'attempts']) {
          expect(mine.text).not.toContain(hidden);
        }

        // The other key sees its one request and nothing of the first key's.
        const theirs = await me({ 'x-api-key': b.json.key });
        expect(theirs.status).toBe(200);
        expect(theirs.json.total.requests).toBe(1);
        expect(theirs.json.recent).toHaveLength(1);
        expect(adminLogs.map((l) => l.id)).not.toContain(theirs.json.recent[0].id);
        expect(theirs.json.limits).toEqual({ rpm: null, tpm: null, budgetUsd: null });
        expect(theirs.json.spent.remainingUsd).toBeNull();

        // `recent=0` leaves the list out; a day bucket over 30 days still counts both requests.
        const days = await me({ authorization: `Bearer ${a.clientKey}` }, '?range=30d&bucket=day&recent=0');
        expect(days.status).toBe(200);
        expect(days.json.recent).toEqual([]);
        expect(days.json.total.requests).toBe(2);
      } finally {
        await admin(cookie, 'PUT', '/settings', { logBodies: false });
      }
    });

    it('refuses a missing, unknown or deleted key with 401 in the admin error shape, and never takes the admin cookie', async () => {
      const cookie = await login();
      const none = await me({});
      expect(none.status).toBe(401);
      expect(none.json).toEqual({ error: { code: 'missing_api_key', message: expect.any(String) } });
      const withCookie = await me({ cookie });
      expect(withCookie.status).toBe(401);
      expect(withCookie.json.error.code).toBe('missing_api_key');
      const wrong = await me({ authorization: `Bearer sk-oe-${'x'.repeat(43)}` });
      expect(wrong.status).toBe(401);
      expect(wrong.json).toEqual({ error: { code: 'invalid_api_key', message: 'Invalid API key.' } });
      expect((await me({ authorization: `Bearer ${'k'.repeat(5000)}` })).status).toBe(401);
      // A key in the URL is not read (it would end up in access logs).
      const k = await admin(cookie, 'POST', '/keys', { name: `url-${uid()}` });
      expect((await me({}, `?key=${k.json.key}`)).status).toBe(401);
      expect((await me({ authorization: `Bearer ${k.json.key}` })).status).toBe(200);
      expect((await admin(cookie, 'DELETE', `/keys/${k.json.id}`)).status).toBe(204);
      const gone = await me({ authorization: `Bearer ${k.json.key}` });
      expect(gone.status).toBe(401);
      expect(gone.json.error.code).toBe('invalid_api_key');
    });

    it('says plainly when the key is disabled or expired', async () => {
      const cookie = await login();
      const k = await admin(cookie, 'POST', '/keys', { name: `state-${uid()}` });
      const auth = { authorization: `Bearer ${k.json.key}` };
      expect((await admin(cookie, 'PATCH', `/keys/${k.json.id}`, { enabled: false })).status).toBe(200);
      const off = await me(auth);
      expect(off.status).toBe(403);
      expect(off.json.error.code).toBe('key_disabled');
      expect(off.json.error.message).toContain('disabled');
      expect(off.json.key).toEqual({ name: k.json.name, state: 'disabled', expiresAt: null });
      const past = Date.now() - 60_000;
      expect((await admin(cookie, 'PATCH', `/keys/${k.json.id}`, { enabled: true, expiresAt: past })).status).toBe(200);
      const expired = await me(auth);
      expect(expired.status).toBe(403);
      expect(expired.json.error.code).toBe('key_expired');
      expect(expired.json.error.message).toContain(new Date(past).toISOString());
      expect(expired.json.key).toEqual({ name: k.json.name, state: 'expired', expiresAt: past });
      expect((await admin(cookie, 'PATCH', `/keys/${k.json.id}`, { expiresAt: null })).status).toBe(200);
      expect((await me(auth)).status).toBe(200);
    });

    it('validates its query and sends no CORS headers to other origins', async () => {
      const cookie = await login();
      const k = await admin(cookie, 'POST', '/keys', { name: `q-${uid()}` });
      const auth = { authorization: `Bearer ${k.json.key}` };
      for (const bad of ['?range=1y', '?range=7d&from=1', '?from=10&to=5', '?from=0', '?range=30d&recent=101', '?bucket=week', '?keyId=1']) {
        const r = await me(auth, bad);
        expect(r.status, bad).toBe(400);
        expect(r.json.error.code).toBe('invalid_request');
      }
      const now = Date.now();
      // 120 days is too long for hours, fine for days.
      expect((await me(auth, `?from=${now - 120 * 86_400_000}`)).status).toBe(400);
      expect((await me(auth, `?from=${now - 120 * 86_400_000}&bucket=day`)).status).toBe(200);

      const cross = await me({ ...auth, origin: 'https://evil.example' });
      expect(cross.status).toBe(200);
      expect(cross.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await gateway('/api/v1/me', {
        method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    });
  });
}
