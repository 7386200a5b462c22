/**
 * Testing a channel and listing its models before it is saved (`POST /api/v1/channels/test`,
 * `POST /api/v1/channels/models`, admin/channel-draft.ts) against the fake upstream: what goes out,
 * what comes back, keys redacted, stored keys reused for an edited channel, nothing stored.
 */
import { describe, expect, it } from 'vitest';
import { tools, uid, type Harness } from './harness';

export function channelDraftSuite(h: Harness): void {
  const { admin, gateway, login, received, scenario } = tools(h);
  const DEAD = 'http://127.0.0.1:9/v1';

  const channelCount = async (cookie: string) => ((await admin(cookie, 'GET', '/channels')).json.data as unknown[]).length;

  describe('fetch models of an unsaved channel', () => {
    it('lists the upstream models with the draft key, headers and filter, storing nothing', async () => {
      const cookie = await login();
      const before = await channelCount(cookie);
      const up = await scenario({ models: { object: 'list', data: [{ id: 'gpt-b' }, { id: 'whisper-1' }, { id: 'gpt-a' }] } });
      const res = await admin(cookie, 'POST', '/channels/models', {
        type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: ['sk-draft-models-0001'], headers: { 'X-Org': 'org-7' }, modelFilter: '^gpt-',
      });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ models: ['gpt-a', 'gpt-b'] });
      const sent = await received(up.id);
      expect(sent).toHaveLength(1);
      expect(sent[0].method).toBe('GET');
      expect(sent[0].path).toMatch(/\/v1\/models$/);
      expect(sent[0].headers.authorization).toBe('Bearer sk-draft-models-0001');
      expect(sent[0].headers['x-org']).toBe('org-7');
      expect(await channelCount(cookie)).toBe(before);
    });

    it('answers a bad key as 502 with the upstream status, the key redacted, and a dead upstream with status null', async () => {
      const cookie = await login();
      const secret = 'sk-draft-secret-value-77';
      const up = await scenario({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${secret}` } }) });
      const bad = await admin(cookie, 'POST', '/channels/models', { type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: [secret] });
      expect(bad.status).toBe(502);
      expect(bad.json.error).toMatchObject({ code: 'upstream_error', upstreamStatus: 401 });
      expect(bad.json.error.message).toContain('HTTP 401');
      expect(bad.json.error.message).toContain('Incorrect API key');
      expect(JSON.stringify(bad.json)).not.toContain(secret);

      const dead = await admin(cookie, 'POST', '/channels/models', { type: 'anthropic', baseUrl: DEAD, keys: ['sk-dead-key-12345678'] });
      expect(dead.status).toBe(502);
      expect(dead.json.error).toMatchObject({ code: 'upstream_error', upstreamStatus: null });
    });
  });

  describe('test an unsaved channel', () => {
    it('sends the saved-channel test request in the draft protocol and reports status and latency', async () => {
      const cookie = await login();
      const before = await channelCount(cookie);
      const up = await scenario({ json: 'anthropic/vercel__anthropic-text.json' });
      const res = await admin(cookie, 'POST', '/channels/test', { type: 'anthropic', baseUrl: `${up.baseUrl}/v1`, keys: ['sk-ant-draft-key-123456'], model: 'claude-haiku-4-5' });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ ok: true, status: 200, model: 'claude-haiku-4-5' });
      expect(res.json.latencyMs).toBeGreaterThanOrEqual(0);
      const [sent] = await received(up.id);
      expect(sent.path).toMatch(/\/v1\/messages$/);
      expect(sent.headers['x-api-key']).toBe('sk-ant-draft-key-123456');
      expect(typeof sent.body === 'string' ? JSON.parse(sent.body) : sent.body).toMatchObject({ model: 'claude-haiku-4-5', max_tokens: 16 });
      expect(await channelCount(cookie)).toBe(before);
    });

    it('reports a bad key as not ok with the upstream status and the key redacted, and a dead upstream as status 0', async () => {
      const cookie = await login();
      const secret = 'sk-draft-test-secret-42';
      const up = await scenario({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${secret}`, type: 'invalid_request_error' } }) });
      const bad = await admin(cookie, 'POST', '/channels/test', { type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: [secret], model: 'm1' });
      expect(bad.status).toBe(200);
      expect(bad.json).toMatchObject({ ok: false, status: 401, model: 'm1' });
      expect(bad.json.error).toContain('Incorrect API key');
      expect(bad.json.error).not.toContain(secret);

      const dead = await admin(cookie, 'POST', '/channels/test', { type: 'openai-chat', baseUrl: DEAD, keys: ['sk-dead-key-12345678'], model: 'm1' });
      expect(dead.status).toBe(200);
      expect(dead.json).toMatchObject({ ok: false, status: 0, model: 'm1' });
      expect(dead.json.error).toBeTruthy();
    });
  });

  describe('drafts of a stored channel and bad drafts', () => {
    it('reuses the stored keys when the draft leaves keys out, and tries a new key first', async () => {
      const cookie = await login();
      const stored = `sk-stored-${uid()}-0001`;
      const up = await scenario({ json: 'openai-chat/vercel__openai-text.json', models: { object: 'list', data: [{ id: 'gpt-4.1-nano' }] } });
      const ch = await admin(cookie, 'POST', '/channels', { name: `draft-${uid()}`, type: 'openai-chat', baseUrl: `${DEAD}`, keys: [stored], models: ['gpt-4.1-nano'] });
      expect(ch.status).toBe(201);
      const channelId = ch.json.id as number;
      const base = { channelId, type: 'openai-chat', baseUrl: `${up.baseUrl}/v1` };
      expect((await admin(cookie, 'POST', '/channels/test', { ...base, model: 'gpt-4.1-nano' })).json).toMatchObject({ ok: true, status: 200 });
      expect((await admin(cookie, 'POST', '/channels/models', { ...base, keys: [] })).json).toEqual({ models: ['gpt-4.1-nano'] });
      const keyId = (await admin(cookie, 'GET', `/channels/${channelId}`)).json.keys[0].id as string;
      expect((await admin(cookie, 'POST', '/channels/models', { ...base, keys: ['sk-typed-new-key-0002', { id: keyId }] })).status).toBe(200);
      const auth = (await received(up.id)).map((r) => r.headers.authorization);
      expect(auth).toEqual([`Bearer ${stored}`, `Bearer ${stored}`, 'Bearer sk-typed-new-key-0002']);
      // The stored channel is untouched: still its old base URL and one key.
      expect((await admin(cookie, 'GET', `/channels/${channelId}`)).json).toMatchObject({ baseUrl: DEAD, keys: [{ id: keyId }] });
    });

    it('refuses bad drafts with the admin error format, and needs a session', async () => {
      const cookie = await login();
      const ok = { type: 'openai-chat', baseUrl: DEAD, keys: ['sk-x-12345678'] };
      const cases: [string, unknown, number, RegExp][] = [
        ['/channels/test', ok, 400, /^model:/],
        ['/channels/test', { ...ok, keys: [], model: 'm' }, 400, /^keys:/],
        ['/channels/models', { ...ok, keys: [{ key: 'sk-off-12345678', enabled: false }] }, 400, /^keys:/],
        ['/channels/models', { ...ok, keys: [{ id: 'nope' }] }, 400, /^keys\.0\.id:/],
        ['/channels/models', { ...ok, baseUrl: 'ftp://x' }, 400, /^baseUrl:/],
        ['/channels/models', { ...ok, name: 'x' }, 400, /unknown field/],
        ['/channels/models', { ...ok, channelId: 99_999_999 }, 404, /^channelId:/],
      ];
      // The Worker cannot use an outbound proxy: refused up front, as on channel create (Node: worker/test/node/proxy.test.ts).
      if (h.name === 'edge') cases.push(['/channels/test', { ...ok, proxy: 'http://10.0.0.2:3128', model: 'm' }, 400, /^proxy:/]);
      for (const [path, body, status, message] of cases) {
        const res = await admin(cookie, 'POST', path, body);
        expect([path, res.status]).toEqual([path, status]);
        expect(res.json.error.message).toMatch(message);
      }
      for (const path of ['/channels/test', '/channels/models']) {
        const res = await gateway(`/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...ok, model: 'm' }) });
        expect(res.status).toBe(401);
      }
    });
  });
}
