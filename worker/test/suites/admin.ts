/** The admin API: session and login throttle, channels, groups and client keys (CRUD, validation, secrets never shown). */
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, one, tools, uid, type Harness } from './harness';

export function adminSuite(h: Harness): void {
  const { admin, gateway, login, scenario } = tools(h);

  async function sha256Hex(s: string): Promise<string> {
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
    return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  function loginAs(ip: string, password: string, headers: Record<string, string> = {}) {
    return gateway('/api/v1/auth/login', {
      method: 'POST', headers: { 'content-type': 'application/json', ...h.from(ip), ...headers }, body: JSON.stringify({ password }),
    });
  }

  describe('admin session', () => {
    it('sets an HttpOnly, Secure, SameSite=Strict cookie on login and accepts it afterwards', async () => {
      // Behind a TLS proxy; over plain HTTP at a LAN address the cookie cannot be Secure (unit-tested).
      const res = await loginAs('10.0.0.1', ADMIN_PASSWORD, { 'x-forwarded-proto': 'https' });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^oe_session=[A-Za-z0-9]{43};/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const session = await gateway('/api/v1/auth/session', { headers: { cookie: cookie.split(';')[0]! } });
      expect(session.status).toBe(200);
      expect(await session.json()).toMatchObject({ authenticated: true });
      const anonymous = await gateway('/api/v1/auth/session');
      expect(anonymous.status).toBe(200);
      expect(await anonymous.json()).toEqual({ authenticated: false });
      // Only the hash of the token is stored.
      const token = cookie.split(';')[0]!.split('=')[1]!;
      const rows = await h.query('SELECT token_hash FROM admin_sessions');
      expect(rows.map((r) => r.token_hash)).toContain(await sha256Hex(token));
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('counts parallel guesses atomically: 40 at once get at most 5 password checks', async () => {
      const results = await Promise.all(Array.from({ length: 40 }, () => loginAs('10.0.7.7', 'wrong')));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    });

    it('rejects a wrong password with 401 and locks the address after 5 failures', async () => {
      const ip = '10.0.0.2';
      for (let i = 0; i < 5; i++) {
        const res = await loginAs(ip, 'wrong');
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: { code: 'invalid_password', message: 'Wrong password.' } });
      }
      const locked = await loginAs(ip, ADMIN_PASSWORD);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(((await locked.json()) as any).error.code).toBe('too_many_attempts');
      // Another address is not affected.
      expect((await loginAs('10.0.0.3', ADMIN_PASSWORD)).status).toBe(200);
    });

    it('guards every admin endpoint and forgets the session on logout', async () => {
      expect((await gateway('/api/v1/channels')).status).toBe(401);
      expect((await gateway('/api/v1/groups')).status).toBe(401);
      expect((await gateway('/api/v1/keys')).status).toBe(401);
      const cookie = await login();
      expect((await admin(cookie, 'GET', '/channels')).status).toBe(200);
      const out = await gateway('/api/v1/auth/logout', { method: 'POST', headers: { cookie } });
      expect(out.status).toBe(200);
      expect((await admin(cookie, 'GET', '/channels')).status).toBe(401);
    });

    it('changes the password, ending every other session', async () => {
      const other = await login();
      const cookie = await login();
      const bad = await admin(cookie, 'PUT', '/auth/password', { currentPassword: 'nope', newPassword: 'a-new-password-123' });
      expect(bad.status).toBe(400);
      const short = await admin(cookie, 'PUT', '/auth/password', { currentPassword: ADMIN_PASSWORD, newPassword: 'short' });
      expect(short.status).toBe(400);
      expect(short.json.error.message).toMatch(/^newPassword:/);
      const res = await gateway('/api/v1/auth/password', {
        method: 'PUT', headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: ADMIN_PASSWORD, newPassword: 'a-new-password-123' }),
      });
      expect(res.status).toBe(200);
      const fresh = res.headers.get('set-cookie')!.split(';')[0]!;
      expect((await admin(other, 'GET', '/channels')).status).toBe(401);
      expect((await admin(fresh, 'GET', '/channels')).status).toBe(200);
      expect((await loginAs('10.0.0.4', ADMIN_PASSWORD)).status).toBe(401);
      expect((await loginAs('10.0.0.4', 'a-new-password-123')).status).toBe(200);
      // Put the original back for the other tests of this file.
      await h.exec('DELETE FROM admin');
    });

    it('counts password changes with the login throttle: 5 wrong current passwords lock the address for both', async () => {
      const cookie = await login();
      const ip = '10.0.8.8';
      const change = (currentPassword: string, from = ip) => gateway('/api/v1/auth/password', {
        method: 'PUT', headers: { cookie, 'content-type': 'application/json', ...h.from(from) },
        body: JSON.stringify({ currentPassword, newPassword: 'never-set-password-123' }),
      });
      for (let i = 0; i < 5; i++) expect((await change(`guess-${i}`)).status).toBe(400);
      // The right password no longer helps, through either door.
      const locked = await change(ADMIN_PASSWORD);
      // Without the throttle the change went through: put the original password back for the other tests.
      if (locked.status === 200) await h.exec('DELETE FROM admin');
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(((await locked.json()) as any).error.code).toBe('too_many_attempts');
      expect((await loginAs(ip, ADMIN_PASSWORD)).status).toBe(429);
      // Failed logins count toward password changes too.
      const ip2 = '10.0.8.9';
      for (let i = 0; i < 5; i++) expect((await loginAs(ip2, 'wrong')).status).toBe(401);
      expect((await change(ADMIN_PASSWORD, ip2)).status).toBe(429);
      // The password was never changed, and another address still logs in.
      expect(await one(h, 'SELECT COUNT(*) AS n FROM admin')).toMatchObject({ n: 0 });
      expect((await loginAs('10.0.8.10', ADMIN_PASSWORD)).status).toBe(200);
    });
  });

  describe('cross-origin requests (CSRF)', () => {
    it('refuses every state-changing admin request from another origin with 403, changing nothing', async () => {
      const cookie = await login();
      const ch = await admin(cookie, 'POST', '/channels', { name: `csrf-${uid()}`, type: 'openai-chat', baseUrl: 'http://127.0.0.1:9/v1', keys: ['sk-csrf-1'] });
      expect(ch.status).toBe(201);
      const id = ch.json.id as number;
      const sibling = new URL(h.origin());
      sibling.port = String((Number(sibling.port) || 80) + 1);
      const foreign: Record<string, string>[] = [
        { 'sec-fetch-site': 'same-site', origin: sibling.origin }, // another port or subdomain of the same site
        { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
        { 'sec-fetch-site': 'none' },
        { origin: 'https://evil.example' }, // a browser without Fetch Metadata
        { origin: sibling.origin },
        { origin: 'null' },
      ];
      const json = JSON.stringify({});
      const routes: [string, string, string?][] = [
        ['POST', '/sync/prices'], ['POST', `/channels/${id}/sync-models`], ['POST', '/auth/logout'], ['POST', `/channels/${id}/test`],
        ['POST', '/channels/test', json], ['POST', '/channels/models', json],
        ['POST', '/auth/login', JSON.stringify({ password: ADMIN_PASSWORD })],
        ['PUT', '/auth/password', JSON.stringify({ currentPassword: ADMIN_PASSWORD, newPassword: 'csrf-password-123' })],
        ['POST', '/channels', JSON.stringify({ name: `csrf-${uid()}`, type: 'openai-chat', baseUrl: 'http://127.0.0.1:9/v1', keys: ['sk-x'] })],
        ['PATCH', `/channels/${id}`, JSON.stringify({ enabled: false })], ['DELETE', `/channels/${id}`],
        ['POST', '/groups', json], ['DELETE', '/groups/1'], ['POST', '/keys', JSON.stringify({ name: 'csrf' })], ['DELETE', '/keys/1'],
        ['PUT', '/settings', json], ['PUT', '/prices/csrf-model', json], ['DELETE', '/prices/csrf-model'],
      ];
      const seen: { method: string; path: string; headers: Record<string, string>; status: number; code: string }[] = [];
      for (const headers of foreign) {
        for (const [method, path, body] of routes) {
          const res = await gateway(`/api/v1${path}`, {
            method, body, headers: { cookie, ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
          });
          const text = await res.text();
          let code: string;
          try {
            code = JSON.parse(text)?.error?.code;
          } catch {
            code = text.slice(0, 40);
          }
          seen.push({ method, path, headers, status: res.status, code });
        }
      }
      // A forged password change that went through would break the other tests: undo it first.
      await h.exec('DELETE FROM admin');
      expect(seen.filter((r) => r.status !== 403 || r.code !== 'cross_origin')).toEqual([]);
      // Nothing happened: the session lives, the channel is there and enabled, the password is the same.
      const still = await admin(cookie, 'GET', `/channels/${id}`);
      expect(still.status).toBe(200);
      expect(still.json.enabled).toBe(true);
      expect(await one(h, "SELECT COUNT(*) AS n FROM channels WHERE name LIKE 'csrf-%' AND id <> ?", id)).toMatchObject({ n: 0 });
    });

    it('accepts the dashboard (same origin) and clients that send neither header', async () => {
      const cookie = await login();
      const ch = await admin(cookie, 'POST', '/channels', { name: `csrf-ok-${uid()}`, type: 'openai-chat', baseUrl: 'http://127.0.0.1:9/v1', keys: ['sk-csrf-2'] });
      expect(ch.status).toBe(201);
      const patch = (headers: Record<string, string>, enabled: boolean) => gateway(`/api/v1/channels/${ch.json.id}`, {
        method: 'PATCH', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ enabled }),
      });
      // A current browser on the dashboard: Fetch Metadata and Origin.
      expect((await patch({ 'sec-fetch-site': 'same-origin', origin: h.origin() }, false)).status).toBe(200);
      // An older browser: Origin only.
      expect((await patch({ origin: h.origin() }, true)).status).toBe(200);
      // Safe methods are never checked.
      expect((await gateway(`/api/v1/channels/${ch.json.id}`, { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
      // curl or a script: no browser headers.
      expect((await patch({}, false)).status).toBe(200);
      const out = await gateway('/api/v1/auth/logout', { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin', origin: h.origin() } });
      expect(out.status).toBe(200);
      expect((await admin(cookie, 'GET', '/channels')).status).toBe(401);
    });
  });

  describe('channels', () => {
    it('creates, reads, updates and deletes a channel, never returning or storing a key in clear', async () => {
      const cookie = await login();
      const name = `openai-${uid()}`;
      const created = await admin(cookie, 'POST', '/channels', {
        name, type: 'openai-chat', baseUrl: 'https://api.example.com/v1', keys: ['sk-secret-aaaa1111', { key: 'sk-secret-bbbb2222', enabled: false }],
        models: ['gpt-4o'], headers: { 'x-team': 'a' },
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ name, type: 'openai-chat', baseUrl: 'https://api.example.com/v1', models: ['gpt-4o'], headers: { 'x-team': 'a' }, enabled: true, modelFilter: null });
      expect(created.json.keys).toEqual([
        { id: expect.any(String), hint: '…1111', enabled: true },
        { id: expect.any(String), hint: '…2222', enabled: false },
      ]);
      expect(JSON.stringify(created.json)).not.toContain('sk-secret');
      const stored = await one(h, 'SELECT "keys" FROM channels WHERE id = ?', created.json.id);
      expect(stored!.keys).not.toContain('sk-secret');

      const id = created.json.id;
      const got = await admin(cookie, 'GET', `/channels/${id}`);
      expect(got.json).toEqual(created.json);

      // Keep the first key by id, drop the second, add a third.
      const keep = created.json.keys[0].id;
      const patched = await admin(cookie, 'PATCH', `/channels/${id}`, { keys: [{ id: keep }, 'sk-secret-cccc3333'], enabled: false });
      expect(patched.status).toBe(200);
      expect(patched.json.enabled).toBe(false);
      expect(patched.json.keys.map((k: any) => k.hint)).toEqual(['…1111', '…3333']);
      expect(patched.json.keys[0].id).toBe(keep);

      const list = await admin(cookie, 'GET', '/channels');
      expect(list.json.data.map((c: any) => c.id)).toContain(id);

      expect((await admin(cookie, 'DELETE', `/channels/${id}`)).status).toBe(204);
      expect((await admin(cookie, 'GET', `/channels/${id}`)).status).toBe(404);
      expect((await admin(cookie, 'DELETE', `/channels/${id}`)).status).toBe(404);
    });

    it('answers bad input with 400 naming the field, 409 on a duplicate name, 415 without JSON', async () => {
      const cookie = await login();
      const base = { name: `c-${uid()}`, type: 'openai-chat', baseUrl: 'https://x.example/v1', keys: ['k-123456789'] };
      const badUrl = await admin(cookie, 'POST', '/channels', { ...base, baseUrl: 'not a url' });
      expect(badUrl.status).toBe(400);
      expect(badUrl.json.error).toEqual({ code: 'invalid_request', message: expect.stringMatching(/^baseUrl:/) });
      const badType = await admin(cookie, 'POST', '/channels', { ...base, type: 'cohere' });
      expect(badType.json.error.message).toMatch(/^type:/);
      const noKeys = await admin(cookie, 'POST', '/channels', { ...base, keys: [] });
      expect(noKeys.json.error.message).toMatch(/^keys:/);
      const unknown = await admin(cookie, 'POST', '/channels', { ...base, colour: 'red' });
      expect(unknown.status).toBe(400);
      expect(unknown.json.error.message).toMatch(/colour/);
      const badRegex = await admin(cookie, 'POST', '/channels', { ...base, modelFilter: '(' });
      expect(badRegex.json.error.message).toMatch(/^modelFilter:/);
      const creds = await admin(cookie, 'POST', '/channels', { ...base, baseUrl: 'https://user:pass@x.example/v1' });
      expect(creds.json.error.message).toMatch(/^baseUrl: must not carry credentials/);
      const crlf = await admin(cookie, 'POST', '/channels', { ...base, headers: { 'X-A': 'v\r\nInjected: 1' } });
      expect(crlf.json.error.message).toMatch(/^headers\.X-A: must not contain line breaks/);
      // Names are stored lower-case; a credential header's value is shown only as a hint.
      const lower = await admin(cookie, 'POST', '/channels', { ...base, name: `c-${uid()}`, headers: { 'Api-Key': 'k', 'X-Team': 'Blue' } });
      expect(lower.json.headers).toEqual({ 'api-key': '…', 'x-team': 'Blue' });
      const huge = await gateway('/api/v1/channels', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ ...base, models: ['x'.repeat(1100 * 1024)] }) });
      expect(huge.status).toBe(413);

      expect((await admin(cookie, 'POST', '/channels', base)).status).toBe(201);
      const dup = await admin(cookie, 'POST', '/channels', base);
      expect(dup.status).toBe(409);
      expect(dup.json.error.code).toBe('conflict');

      const form = await gateway('/api/v1/channels', { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x' });
      expect(form.status).toBe(415);
      const broken = await gateway('/api/v1/channels', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"name":' });
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as any).error.code).toBe('invalid_json');
      expect((await admin(cookie, 'GET', '/channels/abc')).status).toBe(404);
      expect((await admin(cookie, 'PATCH', '/channels/999999', { enabled: true })).status).toBe(404);
    });
  });

  describe('groups', () => {
    it('takes an outbound proxy in Node mode only: the Worker refuses one in plain words, for a channel and globally', async () => {
      const cookie = await login();
      const proxy = 'socks5://user:proxy-secret-5y7u@127.0.0.1:1080';
      const created = await admin(cookie, 'POST', '/channels', { name: `px-${uid()}`, type: 'openai-chat', baseUrl: 'https://a.example/v1', keys: ['k-aaaaaaaaa'], proxy });
      const settings = await admin(cookie, 'PUT', '/settings', { proxy });
      if (h.name === 'edge') {
        for (const res of [created, settings]) {
          expect(res.status).toBe(400);
          expect(res.json.error.message).toContain('Outbound proxies work only in Node mode; Cloudflare Workers cannot use one');
        }
        // No proxy (null or '') is fine on the Worker.
        expect((await admin(cookie, 'PUT', '/settings', { proxy: '' })).status).toBe(200);
        expect((await admin(cookie, 'GET', '/settings')).json.proxy).toBeNull();
      } else {
        expect(created.status).toBe(201);
        expect(created.json.proxy).toBe('socks5://user:…5y7u@127.0.0.1:1080');
        expect(JSON.stringify(created.json)).not.toContain('proxy-secret');
        expect(settings.status).toBe(200);
        expect(settings.json.proxy).toBe('socks5://user:…5y7u@127.0.0.1:1080');
        expect((await admin(cookie, 'PUT', '/settings', { proxy: null })).json.proxy).toBeNull();
      }
    });

    it('creates a group with members, replaces members on update, and deletes it', async () => {
      const cookie = await login();
      const ch1 = await admin(cookie, 'POST', '/channels', { name: `a-${uid()}`, type: 'openai-chat', baseUrl: 'https://a.example/v1', keys: ['k-aaaaaaaaa'] });
      const ch2 = await admin(cookie, 'POST', '/channels', { name: `b-${uid()}`, type: 'anthropic', baseUrl: 'https://b.example/v1', keys: ['k-bbbbbbbbb'] });
      const name = `gpt-${uid()}`;
      const g = await admin(cookie, 'POST', '/groups', {
        name, mode: 'failover', settings: { firstByteTimeoutMs: 30_000 },
        members: [{ channelId: ch1.json.id, upstreamModel: 'gpt-4o', priority: 1 }, { channelId: ch2.json.id, upstreamModel: 'claude-sonnet-4-5', weight: 3 }],
      });
      expect(g.status).toBe(201);
      expect(g.json).toMatchObject({ name, mode: 'failover', enabled: true, settings: { firstByteTimeoutMs: 30_000 } });
      expect(g.json.members).toEqual([
        expect.objectContaining({ channelId: ch1.json.id, upstreamModel: 'gpt-4o', priority: 1, weight: 1, enabled: true }),
        expect.objectContaining({ channelId: ch2.json.id, upstreamModel: 'claude-sonnet-4-5', priority: 0, weight: 3, enabled: true }),
      ]);

      const upd = await admin(cookie, 'PATCH', `/groups/${g.json.id}`, { mode: 'weighted', members: [{ channelId: ch2.json.id, upstreamModel: 'claude-opus-4-1', enabled: false }] });
      expect(upd.status).toBe(200);
      expect(upd.json.mode).toBe('weighted');
      expect(upd.json.members).toHaveLength(1);
      expect(upd.json.members[0]).toMatchObject({ upstreamModel: 'claude-opus-4-1', enabled: false });

      // Deleting a channel removes the members that point at it.
      await admin(cookie, 'DELETE', `/channels/${ch2.json.id}`);
      expect((await admin(cookie, 'GET', `/groups/${g.json.id}`)).json.members).toEqual([]);

      expect((await admin(cookie, 'GET', `/groups/${g.json.id}/health`)).json).toEqual({ status: 'down', reason: 'no enabled member', members: {} });
      expect((await admin(cookie, 'DELETE', `/groups/${g.json.id}`)).status).toBe(204);
      expect((await admin(cookie, 'GET', `/groups/${g.json.id}`)).status).toBe(404);
    });

    it('names the bad field and refuses unknown channels and duplicate names', async () => {
      const cookie = await login();
      const missing = await admin(cookie, 'POST', '/groups', { name: `g-${uid()}`, members: [{ channelId: 987654, upstreamModel: 'x' }] });
      expect(missing.status).toBe(400);
      expect(missing.json.error.message).toBe('members.0.channelId: no channel with id 987654');
      const badWeight = await admin(cookie, 'POST', '/groups', { name: `g-${uid()}`, members: [{ channelId: 1, upstreamModel: 'x', weight: 0 }] });
      expect(badWeight.json.error.message).toMatch(/^members\.0\.weight:/);
      const badName = await admin(cookie, 'POST', '/groups', { name: 'has space' });
      expect(badName.json.error.message).toMatch(/^name:/);
      const badMode = await admin(cookie, 'POST', '/groups', { name: `g-${uid()}`, mode: 'fastest' });
      expect(badMode.json.error.message).toMatch(/^mode:/);
      const name = `g-${uid()}`;
      expect((await admin(cookie, 'POST', '/groups', { name })).status).toBe(201);
      expect((await admin(cookie, 'POST', '/groups', { name })).status).toBe(409);
    });

    it('keeps listing and routing past the bound-value limit of one statement (D1: 100): 100+ groups, 60 members', async () => {
      const cookie = await login();
      const up = await scenario({ json: 'openai-chat/vercel__openai-text.json' });
      const ch = await admin(cookie, 'POST', '/channels', { name: `wide-${uid()}`, type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: ['sk-wide-aaaa'] });
      const members = (n: number) => Array.from({ length: n }, (_, i) => ({ channelId: ch.json.id, upstreamModel: `m-${i}` }));
      const wide = await admin(cookie, 'POST', '/groups', { name: `wide-${uid()}`, members: members(60) });
      expect(wide.status).toBe(201);
      expect(wide.json.members).toHaveLength(60);
      const upd = await admin(cookie, 'PATCH', `/groups/${wide.json.id}`, { members: members(70) });
      expect(upd.status).toBe(200);
      expect(upd.json.members.map((m: any) => m.upstreamModel)).toEqual(members(70).map((m) => m.upstreamModel));
      // More than 100 groups, written behind the gateway's back (fast), then one more through the API.
      const have = Number((await one(h, 'SELECT COUNT(*) AS n FROM "groups"'))!.n);
      for (let i = have; i <= 101; i++) {
        await h.exec('INSERT INTO "groups" (name, mode, settings, enabled, created_at, updated_at) VALUES (?, ?, ?, TRUE, ?, ?)', `bulk-${uid()}`, 'round-robin', '{}', Date.now(), Date.now());
      }
      const last = await admin(cookie, 'POST', '/groups', { name: `last-${uid()}`, members: [{ channelId: ch.json.id, upstreamModel: 'gpt-4.1-nano' }] });
      expect(last.status).toBe(201);
      const list = await admin(cookie, 'GET', '/groups');
      expect(list.status).toBe(200);
      expect(list.json.data.length).toBeGreaterThan(101);
      expect(list.json.data.find((g: any) => g.id === wide.json.id).members).toHaveLength(70);
      const key = await admin(cookie, 'POST', '/keys', { name: `k-${uid()}` });
      const res = await gateway('/v1/chat/completions', {
        method: 'POST', headers: { authorization: `Bearer ${key.json.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: last.json.name, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    });
  });

  describe('client API keys', () => {
    it('shows the secret once, stores only its SHA-256, and updates and revokes keys', async () => {
      const cookie = await login();
      // Limits are validated: a negative budget or a fractional rate is refused with the field named.
      for (const [field, value] of [['budgetUsd', -1], ['rpmLimit', 1.5], ['tpmLimit', 0]] as const) {
        const refused = await admin(cookie, 'POST', '/keys', { name: 'x', [field]: value });
        expect(refused.status).toBe(400);
        expect(refused.json.error.message).toMatch(new RegExp(`^${field}: `));
      }
      const created = await admin(cookie, 'POST', '/keys', { name: 'laptop', allowedGroups: ['gpt-4o'], budgetUsd: null, expiresAt: Date.now() + 86_400_000 });
      expect(created.status).toBe(201);
      const secret: string = created.json.key;
      expect(secret).toMatch(/^sk-oe-[A-Za-z0-9]{43}$/);
      expect(created.json).toMatchObject({ name: 'laptop', allowedGroups: ['gpt-4o'], budgetUsd: null, enabled: true, keyPrefix: secret.slice(0, 10) });
      expect(created.json).not.toHaveProperty('keyHash');

      const row = await one(h, 'SELECT key_hash FROM api_keys WHERE id = ?', created.json.id);
      expect(row!.key_hash).toBe(await sha256Hex(secret));

      const listed = await admin(cookie, 'GET', '/keys');
      expect(JSON.stringify(listed.json)).not.toContain(secret);
      expect(JSON.stringify(listed.json)).not.toContain(row!.key_hash);

      const upd = await admin(cookie, 'PATCH', `/keys/${created.json.id}`, { enabled: false, allowedGroups: null, budgetUsd: null });
      expect(upd.json).toMatchObject({ enabled: false, allowedGroups: null, budgetUsd: null });
      expect((await admin(cookie, 'PATCH', `/keys/${created.json.id}`, { key: 'x' })).status).toBe(400);
      expect((await admin(cookie, 'DELETE', `/keys/${created.json.id}`)).status).toBe(204);
      expect((await admin(cookie, 'GET', `/keys/${created.json.id}`)).status).toBe(404);
    });
  });

  describe('OpenAPI document', () => {
    it('is served without a session at GET /api/v1/openapi.json, naming admin and relay paths', async () => {
      const res = await gateway('/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths['/api/v1/channels/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
      expect(doc.paths['/v1/chat/completions']!.post).toBeDefined();
      expect(doc.paths['/v1beta/models/{model}:generateContent']!.post).toBeDefined();
      expect(doc.paths['/api/v1/openapi.json']!.get).toBeDefined();
      // Nothing stored leaks into it: no client key secret, no channel key.
      expect(JSON.stringify(doc)).not.toMatch(/sk-oe-[A-Za-z0-9]{20}/);
    });
  });
}
