/**
 * Request overrides (README "Request overrides"): a channel's and a member's JSON merge patch on
 * the upstream body and their header edits, on every channel type, whole answers and streams,
 * passed through (same protocol) and converted; what the admin API refuses; credential header
 * values sealed and masked.
 */
import { describe, expect, it } from 'vitest';
import { CLIENTS, type ClientProtocol } from './clients';
import { one, tools, uid, type Harness } from './harness';

/** Recordings the fake upstream answers with, per channel type (whole answer, stream). */
const RECORDINGS: Record<ClientProtocol, { json: string; stream: string }> = {
  'openai-chat': { json: 'openai-chat/vercel__openai-text.json', stream: 'openai-chat/vercel__openai-text.chunks.txt' },
  'openai-responses': { json: 'openai-responses/vercel__openai-web-search-tool.1.json', stream: 'openai-responses/vercel__openai-web-search-tool.1.chunks.txt' },
  anthropic: { json: 'anthropic/vercel__anthropic-text.json', stream: 'anthropic/vercel__anthropic-text.chunks.txt' },
  gemini: { json: 'gemini/vercel__google-text.json', stream: 'gemini/vercel__google-text.chunks.txt' },
};

/**
 * Per channel type: the channel's patch (forces the output cap, adds a field, deletes
 * `temperature`), the member's patch (the cap again: it must win), and how to read them back from
 * the upstream body.
 */
const PATCHES: Record<ClientProtocol, { channel: object; member: object; cap: (b: any) => unknown; added: (b: any) => unknown; temperature: (b: any) => unknown }> = {
  'openai-chat': {
    channel: { max_tokens: 777, reasoning_effort: 'low', temperature: null }, member: { max_tokens: 888 },
    cap: (b) => b.max_tokens, added: (b) => b.reasoning_effort, temperature: (b) => b.temperature,
  },
  'openai-responses': {
    channel: { max_output_tokens: 777, reasoning: { effort: 'low' }, temperature: null }, member: { max_output_tokens: 888 },
    cap: (b) => b.max_output_tokens, added: (b) => b.reasoning?.effort, temperature: (b) => b.temperature,
  },
  anthropic: {
    channel: { max_tokens: 777, metadata: { user_id: 'low' }, temperature: null }, member: { max_tokens: 888 },
    cap: (b) => b.max_tokens, added: (b) => b.metadata?.user_id, temperature: (b) => b.temperature,
  },
  gemini: {
    // Nested: the patch merges into generationConfig instead of replacing it.
    channel: { generationConfig: { maxOutputTokens: 777, temperature: null }, labels: { tier: 'low' } }, member: { generationConfig: { maxOutputTokens: 888 } },
    cap: (b) => b.generationConfig?.maxOutputTokens, added: (b) => b.labels?.tier, temperature: (b) => b.generationConfig?.temperature,
  },
};

/** A client body of `protocol` for `model` that carries `temperature: 0.5` (for the patch to delete). */
function bodyWithTemperature(protocol: ClientProtocol, model: string, stream: boolean): Record<string, unknown> {
  const body = CLIENTS[protocol].body(model, stream);
  return protocol === 'gemini' ? { ...body, generationConfig: { temperature: 0.5, topK: 7 } } : { ...body, temperature: 0.5 };
}

export function overridesSuite(h: Harness): void {
  const { gateway, login, admin, scenario, received } = tools(h);

  /** A channel of `type` over a new scenario answering `behaviour`, one group over it, and a key. */
  async function setup(cookie: string, type: ClientProtocol, behaviour: object, channelExtra: object = {}, memberExtra: object = {}) {
    const up = await scenario(behaviour);
    const ch = await admin(cookie, 'POST', '/channels', { name: `ov-${uid()}`, type, baseUrl: `${up.baseUrl}/v1`, keys: [`sk-upstream-${uid()}`], ...channelExtra });
    if (ch.status !== 201) throw new Error(`channel: ${JSON.stringify(ch.json)}`);
    const group = `ov-model-${uid()}`;
    const g = await admin(cookie, 'POST', '/groups', { name: group, members: [{ channelId: ch.json.id, upstreamModel: 'up-model', ...memberExtra }] });
    if (g.status !== 201) throw new Error(`group: ${JSON.stringify(g.json)}`);
    const k = await admin(cookie, 'POST', '/keys', { name: `ov-key-${uid()}` });
    return { up, channel: ch.json, group, groupId: g.json.id as number, key: k.json.key as string };
  }

  async function call(protocol: ClientProtocol, key: string, group: string, stream: boolean, body: object): Promise<Response> {
    const c = CLIENTS[protocol];
    return gateway(c.path(group, stream), { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers(key) }, body: JSON.stringify(body) });
  }

  describe('request overrides', () => {
    for (const type of Object.keys(PATCHES) as ClientProtocol[]) {
      for (const stream of [false, true]) {
        // Passed through (same protocol) and converted (another client protocol).
        for (const client of [type, type === 'openai-chat' ? 'anthropic' : 'openai-chat'] as ClientProtocol[]) {
          it(`${type} channel, ${client} client, ${stream ? 'stream' : 'whole answer'}: channel patch, then member patch; headers set and removed`, async () => {
            const cookie = await login();
            const p = PATCHES[type];
            const s = await setup(cookie, type, stream ? { stream: RECORDINGS[type].stream } : { json: RECORDINGS[type].json },
              { headers: { 'x-extra': 'from-headers', 'x-kept': 'kept' }, overrides: { body: p.channel, headers: { 'X-Chan': 'c', 'x-both': 'channel', 'x-extra': null } } },
              { overrides: { body: p.member, headers: { 'x-both': 'member' } } });
            const res = await call(client, s.key, s.group, stream, bodyWithTemperature(client, s.group, stream));
            expect(res.status).toBe(200);
            const text = await res.text();
            expect(text.length).toBeGreaterThan(50);

            const [seen] = await received(s.up.id);
            expect(p.cap(seen.json)).toBe(888); // the member's patch came after the channel's
            expect(p.added(seen.json)).toBe('low');
            expect(p.temperature(seen.json)).toBeUndefined();
            if (type === 'gemini') expect(seen.json.generationConfig.topK ?? 7).toBe(7);
            else expect(seen.json.model).toBe('up-model');
            if (type === 'openai-chat' && stream) expect(seen.json.stream_options?.include_usage).toBe(true);
            if (type !== 'gemini') expect(Boolean(seen.json.stream)).toBe(stream);
            expect(seen.headers['x-chan']).toBe('c');
            expect(seen.headers['x-both']).toBe('member');
            expect(seen.headers['x-extra']).toBeUndefined();
            expect(seen.headers['x-kept']).toBe('kept');
            const auth = seen.headers.authorization ?? seen.headers['x-api-key'] ?? seen.headers['x-goog-api-key'];
            expect(auth).toMatch(/sk-upstream-/);
          });
        }
      }
    }

    it('header overrides alone leave a passed-through body byte for byte as sent', async () => {
      const cookie = await login();
      const s = await setup(cookie, 'gemini', { json: RECORDINGS.gemini.json }, { overrides: { headers: { 'x-org': 'org-1' } } });
      const sent = JSON.stringify(bodyWithTemperature('gemini', s.group, false));
      const res = await gateway(CLIENTS.gemini.path(s.group, false), { method: 'POST', headers: { 'content-type': 'application/json', ...CLIENTS.gemini.headers(s.key) }, body: sent });
      expect(res.status).toBe(200);
      const [seen] = await received(s.up.id);
      expect(seen.body).toBe(sent);
      expect(seen.headers['x-org']).toBe('org-1');
    });

    it('an override set, changed and cleared through PATCH applies to the next request', async () => {
      const cookie = await login();
      const s = await setup(cookie, 'openai-chat', { json: RECORDINGS['openai-chat'].json });
      const send = () => call('openai-chat', s.key, s.group, false, CLIENTS['openai-chat'].body(s.group, false));
      const patched = await admin(cookie, 'PATCH', `/channels/${s.channel.id}`, { overrides: { body: { max_tokens: 5 } } });
      expect(patched.status).toBe(200);
      expect(patched.json.overrides).toEqual({ body: { max_tokens: 5 } });
      expect((await send()).status).toBe(200);
      const cleared = await admin(cookie, 'PATCH', `/channels/${s.channel.id}`, { overrides: null });
      expect(cleared.json.overrides).toBeNull();
      expect((await send()).status).toBe(200);
      const [first, second] = await received(s.up.id);
      expect(first.json.max_tokens).toBe(5);
      expect(second.json.max_tokens).toBeUndefined();
    });

    it('the channel test sends the channel\'s overrides too', async () => {
      const cookie = await login();
      const s = await setup(cookie, 'anthropic', { json: RECORDINGS.anthropic.json }, { overrides: { body: { max_tokens: 3, metadata: { user_id: 'probe' } }, headers: { 'x-org': 'org-2' } } });
      const t = await admin(cookie, 'POST', `/channels/${s.channel.id}/test`, { model: 'up-model' });
      expect(t.json.ok).toBe(true);
      const [seen] = await received(s.up.id);
      expect(seen.json.max_tokens).toBe(3);
      expect(seen.json.metadata).toEqual({ user_id: 'probe' });
      expect(seen.headers['x-org']).toBe('org-2');
    });

    it('an upstream that echoes an override credential gets it redacted, the channel\'s and the member\'s', async () => {
      const cookie = await login();
      const chan = `sk-ov-chan-${uid()}-0001`;
      const mem = `sk-ov-member-${uid()}-0002`;
      const s = await setup(cookie, 'openai-chat', { status: 400, body: `{"error":{"message":"bad keys: ${chan} and ${mem}","type":"invalid_request_error","param":null,"code":null}}` },
        { overrides: { headers: { 'x-second-key': chan } } }, { overrides: { headers: { 'x-member-token': mem } } });
      const res = await call('openai-chat', s.key, s.group, false, CLIENTS['openai-chat'].body(s.group, false));
      const text = await res.text();
      expect(res.status).toBe(400);
      expect(text).not.toContain(chan);
      expect(text).not.toContain(mem);
      expect(text).toContain('[redacted]');
    });

    it('the model-list sync sends the channel\'s header overrides', async () => {
      const cookie = await login();
      const s = await setup(cookie, 'openai-chat', { json: RECORDINGS['openai-chat'].json, models: { object: 'list', data: [{ id: 'listed-model', object: 'model' }] } },
        { headers: { 'x-extra': 'e' }, overrides: { headers: { 'x-org': 'org-3', 'x-extra': null } } });
      const r = await admin(cookie, 'POST', `/channels/${s.channel.id}/sync-models`);
      expect(r.status).toBe(200);
      expect(r.json.added).toEqual(['listed-model']);
      const [seen] = await received(s.up.id);
      expect(seen.headers['x-org']).toBe('org-3');
      expect(seen.headers['x-extra']).toBeUndefined();
    });

    it('refuses what the gateway relies on, with a 400 naming the field', async () => {
      const cookie = await login();
      const base = { name: `ov-bad-${uid()}`, type: 'openai-chat', baseUrl: 'https://example.com/v1', keys: ['sk-x'] };
      const cases: [object, RegExp][] = [
        [{ body: { stream: false } }, /^overrides.body.stream: cannot be overridden/],
        [{ body: { stream_options: { include_usage: false } } }, /^overrides.body.stream_options: cannot be overridden/],
        [{ body: { model: 'other' } }, /^overrides.body.model: cannot be overridden/],
        [{ headers: { Authorization: 'Bearer x' } }, /^overrides.headers.Authorization: cannot be set or removed/],
        [{ headers: { 'x-goog-api-key': null } }, /^overrides.headers.x-goog-api-key: cannot be set or removed/],
        [{ headers: { 'content-length': '1' } }, /cannot be set or removed/],
        [{ headers: { 'x-a': 'a\nb' } }, /^overrides.headers.x-a: must not contain line breaks/],
        [{ headers: { 'bad name': 'v' } }, /must be a header name/],
        [{ body: [1] }, /^overrides.body: must be a JSON object/],
        [{ body: { big: 'x'.repeat(17_000) } }, /at most 16384 characters/],
      ];
      for (const [overrides, message] of cases) {
        const r = await admin(cookie, 'POST', '/channels', { ...base, overrides });
        expect(r.status, JSON.stringify(overrides).slice(0, 80)).toBe(400);
        expect(r.json.error.message).toMatch(message);
      }
      const ch = await admin(cookie, 'POST', '/channels', base);
      const g = await admin(cookie, 'POST', '/groups', { name: `ov-bad-${uid()}`, members: [{ channelId: ch.json.id, upstreamModel: 'm', overrides: { headers: { 'x-api-key': 'k' } } }] });
      expect(g.status).toBe(400);
      expect(g.json.error.message).toMatch(/^members.0.overrides.headers.x-api-key: cannot be set or removed/);
      const patch = await admin(cookie, 'PATCH', `/channels/${ch.json.id}`, { overrides: { body: { stream: true } } });
      expect(patch.status).toBe(400);
    });

    it('a credential header value is stored sealed, shown as a hint, kept when the hint comes back, sent in clear', async () => {
      const cookie = await login();
      const secret = `sk-second-${uid()}-wxyz`;
      const s = await setup(cookie, 'anthropic', { json: RECORDINGS.anthropic.json }, { overrides: { headers: { 'x-second-key': secret } } }, { overrides: { headers: { 'x-member-token': `${secret}-m` } } });
      expect(s.channel.overrides).toEqual({ headers: { 'x-second-key': '…wxyz' } });
      const row = await one(h, 'SELECT overrides FROM channels WHERE id = ?', s.channel.id);
      expect(row!.overrides).not.toContain(secret);
      const g = await admin(cookie, 'GET', `/groups/${s.groupId}`);
      expect(g.json.members[0].overrides).toEqual({ headers: { 'x-member-token': '…yz-m' } });
      const memberRow = await one(h, 'SELECT overrides FROM group_members WHERE group_id = ?', s.groupId);
      expect(memberRow!.overrides).not.toContain(secret);
      // The form sent back unchanged (hints) keeps the secrets.
      expect((await admin(cookie, 'PATCH', `/channels/${s.channel.id}`, { overrides: s.channel.overrides })).status).toBe(200);
      expect((await admin(cookie, 'PATCH', `/groups/${s.groupId}`, { members: g.json.members.map((m: any) => ({ channelId: m.channelId, upstreamModel: m.upstreamModel, overrides: m.overrides })) })).status).toBe(200);
      const res = await call('anthropic', s.key, s.group, false, CLIENTS.anthropic.body(s.group, false));
      expect(res.status).toBe(200);
      const [seen] = await received(s.up.id);
      expect(seen.headers['x-second-key']).toBe(secret);
      expect(seen.headers['x-member-token']).toBe(`${secret}-m`);
    });
  });
}
