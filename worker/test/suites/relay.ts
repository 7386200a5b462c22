/** The relay: same-protocol passthrough (stream and not), client errors, fall-through, round-robin, /v1/models. */
import { describe, expect } from 'vitest';
import { tools, uid, until, type Harness } from './harness';
import { describeFor, itFor, type SuitePart } from './part';

export function relaySuite(h: Harness, part: SuitePart = 'all'): void {
  const wireIt = itFor(part, 'wire');
  const storeIt = itFor(part, 'store');
  const wireDescribe = describeFor(part, 'wire');
  const { admin, gateway, login, received, routeTo, scenario } = tools(h);

  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
  const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt';

  function chat(clientKey: string, body: unknown, headers: Record<string, string> = {}) {
    return gateway('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** The exact bytes the fake upstream sends for a behaviour, fetched directly (no gateway). */
  async function directBytes(behaviour: object, body: object): Promise<Uint8Array> {
    const s = await scenario(behaviour);
    const res = await fetch(`${s.baseUrl}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) });
    return new Uint8Array(await res.arrayBuffer());
  }

  wireDescribe('POST /v1/chat/completions, same protocol', () => {
    wireIt('passes a non-stream reply through byte for byte and rewrites only model and auth on the way up', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up], { upstreamModel: 'gpt-4.1-nano' });
      const request = { model: r.group, messages: [{ role: 'user', content: 'Invent a holiday' }], temperature: 0.5, user: 'u-1' };
      const res = await chat(r.clientKey, request);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes).toEqual(await directBytes({ json: TEXT_JSON }, {}));

      const [seen] = await received(up.id);
      expect(seen.path).toBe('/v1/chat/completions');
      expect(seen.json).toEqual({ ...request, model: 'gpt-4.1-nano' });
      expect(seen.headers.authorization).toMatch(/^Bearer sk-upstream-/);
      expect(JSON.stringify(seen.headers)).not.toContain(r.clientKey);
    });

    wireIt('streams an SSE reply through unchanged, in random writes or one byte at a time', async () => {
      const cookie = await login();
      for (const [stream, split, min] of [[TEXT_STREAM, 'random', 90_000], ['openai-compatible/vercel__anthropic-fallback-tool-call.sse', 'byte', 1500]] as const) {
        const up = await scenario({ stream, split, protocol: 'openai-chat' });
        const r = await routeTo(cookie, [up]);
        // The client asks for usage, so nothing is withheld: the bytes must be the upstream's exactly.
        const res = await chat(r.clientKey, { model: r.group, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect(bytes.length).toBeGreaterThan(min);
        expect(bytes).toEqual(await directBytes({ stream, protocol: 'openai-chat' }, { stream: true }));
        // Exactly as sent: one recording even lacks the final blank line after [DONE].
        expect(new TextDecoder().decode(bytes)).toMatch(/data: \[DONE\]\n\n?$/);
        const [seen] = await received(up.id);
        expect(seen.headers.accept).toBe('text/event-stream');
        expect(seen.json.stream_options).toEqual({ include_usage: true });
      }
    }, 30_000);

    wireIt('asks the upstream for usage even when the client did not, and withholds that usage chunk', async () => {
      const cookie = await login();
      const up = await scenario({ stream: TEXT_STREAM });
      const r = await routeTo(cookie, [up]);
      const res = await chat(r.clientKey, { model: r.group, stream: true, messages: [{ role: 'user', content: 'hi' }] });
      const text = await res.text();
      expect((await received(up.id))[0].json.stream_options).toEqual({ include_usage: true });
      const chunks = text.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)));
      expect(chunks.length).toBeGreaterThan(100);
      expect(chunks.some((c) => Array.isArray(c.choices) && c.choices.length === 0)).toBe(false);
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    wireIt('answers browsers with CORS headers (preflight and request) and SDKs without them', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const origin = 'https://app.example';
      const preflight = await gateway('/v1/chat/completions', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('*');
      expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
      const browser = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] }, { origin });
      expect(browser.status).toBe(200);
      expect(browser.headers.get('access-control-allow-origin')).toBe('*');
      expect(browser.headers.get('access-control-expose-headers')).toMatch(/retry-after/);
      await browser.arrayBuffer();
      const refused = await chat('sk-not-a-key', { model: r.group, messages: [] }, { origin });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-allow-origin')).toBe('*');
      await refused.arrayBuffer();
      const sdk = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
      expect(sdk.status).toBe(200);
      expect(sdk.headers.get('access-control-allow-origin')).toBeNull();
      await sdk.arrayBuffer();
    });

    wireIt('sends custom channel headers upstream', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { headers: { 'x-org': 'team-a' } });
      expect((await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
      expect((await received(up.id))[0].headers['x-org']).toBe('team-a');
    });
  });

  wireDescribe('client errors in OpenAI shape', () => {
    wireIt('401 without a key, with an unknown key, a disabled key or an expired key', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const none = await gateway('/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: r.group }) });
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'missing_api_key' } });
      const bad = await chat('sk-oe-not-a-key', { model: r.group });
      expect(bad.status).toBe(401);
      expect(((await bad.json()) as any).error.code).toBe('invalid_api_key');

      // x-api-key is accepted as well as Bearer.
      const viaHeader = await gateway('/v1/chat/completions', { method: 'POST', headers: { 'x-api-key': r.clientKey }, body: JSON.stringify({ model: r.group, messages: [{ role: 'user', content: 'hi' }] }) });
      expect(viaHeader.status).toBe(200);

      await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { expiresAt: Date.now() - 1000 });
      const expired = await chat(r.clientKey, { model: r.group });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as any).error.code).toBe('expired_api_key');
      await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { expiresAt: null, enabled: false });
      expect((await chat(r.clientKey, { model: r.group })).status).toBe(401);
      expect(await received(up.id)).toHaveLength(1);
    });

    wireIt('404 for an unknown model or a group the key may not use (alike), 400 for bad JSON or a missing model', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const unknown = await chat(r.clientKey, { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: { message: expect.stringContaining('no-such-model'), type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });

      await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { allowedGroups: ['some-other-group'] });
      const denied = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
      expect(denied.status).toBe(404);
      expect(((await denied.json()) as any).error.code).toBe('model_not_found');
      const long = await chat(r.clientKey, { model: 'm'.repeat(100_000), messages: [{ role: 'user', content: 'hi' }] });
      expect(long.status).toBe(404);
      expect(((await long.json()) as any).error.message.length).toBeLessThan(200);
      await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { allowedGroups: [r.group] });

      const broken = await chat(r.clientKey, '{"model": ');
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as any).error.code).toBe('invalid_json');
      const noModel = await chat(r.clientKey, { messages: [{ role: 'user', content: 'hi' }] });
      expect(noModel.status).toBe(400);
      expect(((await noModel.json()) as any).error.param).toBe('model');
      expect(await received(up.id)).toHaveLength(0);

      const wrongPath = await gateway('/v1/nothing-here', { method: 'POST' });
      expect(wrongPath.status).toBe(404);
      expect(((await wrongPath.json()) as any).error.type).toBe('invalid_request_error');
    });

    wireIt('never shows the channel key an upstream echoes, in the reply or in member health', async () => {
      const cookie = await login();
      const up = await scenario({ steps: [{ status: 400, body: { error: { message: 'Incorrect API key provided: KEYPLACEHOLDER.', type: 'invalid_request_error' } } }] });
      const r = await routeTo(cookie, [up]);
      const ch = (await admin(cookie, 'GET', `/channels/${r.channelIds[0]}`)).json;
      // Give the channel a key we know, then make the fake upstream echo exactly that key.
      await admin(cookie, 'PATCH', `/channels/${ch.id}`, { keys: ['sk-secret-echo-0123456789'] });
      const echo = await scenario({ status: 400, body: { error: { message: 'Incorrect API key provided: sk-secret-echo-0123456789.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } });
      await admin(cookie, 'PATCH', `/channels/${ch.id}`, { baseUrl: `${echo.baseUrl}/v1` });
      const res = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).not.toContain('sk-secret-echo');
      expect(JSON.parse(text).error.message).toBe('Incorrect API key provided: [redacted].');
      const html = await scenario({ status: 422, body: '<html>bad sk-secret-echo-0123456789</html>', headers: { 'content-type': 'text/html' } });
      await admin(cookie, 'PATCH', `/channels/${ch.id}`, { baseUrl: `${html.baseUrl}/v1` });
      const translated = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
      expect(translated.status).toBe(422);
      const body = (await translated.json()) as any;
      expect(body.error).toMatchObject({ type: 'invalid_request_error' });
      expect(JSON.stringify(body)).not.toContain('sk-secret-echo');
      const dead = await scenario({ status: 401, body: 'invalid key sk-secret-echo-0123456789' });
      await admin(cookie, 'PATCH', `/channels/${ch.id}`, { baseUrl: `${dead.baseUrl}/v1` });
      await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
      await new Promise((ok) => setTimeout(ok, 100));
      const health = JSON.stringify((await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json);
      expect(health).toContain('[redacted]');
      expect(health).not.toContain('sk-secret-echo');
    });

    wireIt('returns an upstream client fault (400) as is, without trying another channel', async () => {
      const cookie = await login();
      const bad = await scenario({ status: 400, json: 'openai-chat/vercel__reasoning-model-legacy-parameter-error.json' });
      const other = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [bad, other]);
      const res = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.param).toBe('max_tokens');
      expect(await received(other.id)).toHaveLength(0);
    });
  });

  wireDescribe('falling through to the next candidate', () => {
    wireIt('tries the next channel after a 5xx, a 429, a dropped connection and a first-byte timeout', async () => {
      const cookie = await login();
      const failing = [
        await scenario({ status: 500, body: { error: { message: 'boom' } } }),
        await scenario({ status: 429, json: 'openai-responses/vercel__openai-error.1.json', headers: { 'retry-after': '3' } }),
        await scenario({ fault: { kind: 'drop' } }),
        await scenario({ json: TEXT_JSON, latencyMs: 3000 }),
      ];
      for (const f of failing) {
        const good = await scenario({ json: TEXT_JSON });
        const r = await routeTo(cookie, [f, good], { settings: { firstByteTimeoutMs: 1000 } });
        const res = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
        expect(res.status).toBe(200);
        expect(((await res.json()) as any).object).toBe('chat.completion');
        expect(await received(f.id)).toHaveLength(1);
        expect(await received(good.id)).toHaveLength(1);
      }
    });

    wireIt('answers the last upstream error in OpenAI shape when every candidate fails, and records member health', async () => {
      const cookie = await login();
      const a = await scenario({ status: 503, body: { error: { message: 'overloaded' } } });
      const b = await scenario({ status: 502, body: 'bad gateway, key sk-upstream-secret-0123456789' });
      const r = await routeTo(cookie, [a, b], { mode: 'failover' });
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[1]}`, { keys: ['sk-upstream-secret-0123456789'] });
      const res = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
      // The last member's status and words (a text body, so in the gateway's OpenAI shape), its key redacted.
      expect(res.status).toBe(502);
      const body = (await res.json()) as any;
      expect(body.error).toMatchObject({ type: 'server_error', code: 'upstream_error', message: 'bad gateway, key [redacted]' });
      // Reports run after the response (waitUntil); poll the health endpoint briefly.
      let health: any = {};
      // Every member is listed at once: wait until both have a reported status.
      const reported = () => Object.values(health).filter((h: any) => h.lastStatus > 0).length;
      for (let i = 0; i < 50 && reported() < 2; i++) {
        health = (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members;
        if (reported() < 2) await new Promise((ok) => setTimeout(ok, 20));
      }
      const entries = Object.values(health) as any[];
      expect(entries.map((h) => h.lastStatus).sort()).toEqual([502, 503]);
      expect(entries.every((h) => h.consecutiveFailures === 1)).toBe(true);
    });

    wireIt('answers 503 at once for a group with no usable member', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { enabled: false });
      const res = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.message).toMatch(/no available member/);
      expect(await received(up.id)).toHaveLength(0);
    });
  });

  wireDescribe('round-robin', () => {
    wireIt('spreads requests evenly over members and over a channel\'s keys, skipping disabled ones', async () => {
      const cookie = await login();
      const ups = [await scenario({ json: TEXT_JSON }), await scenario({ json: TEXT_JSON }), await scenario({ json: TEXT_JSON })];
      const r = await routeTo(cookie, ups);
      for (let i = 0; i < 6; i++) expect((await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
      for (const u of ups) expect(await received(u.id)).toHaveLength(2);

      // Disable the third member; give the first channel two keys.
      const g = (await admin(cookie, 'GET', `/groups/${r.groupId}`)).json;
      await admin(cookie, 'PATCH', `/groups/${r.groupId}`, {
        members: g.members.map((m: any, i: number) => ({ channelId: m.channelId, upstreamModel: m.upstreamModel, enabled: i < 2 })),
      });
      const ch = (await admin(cookie, 'GET', `/channels/${r.channelIds[0]}`)).json;
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { keys: [{ id: ch.keys[0].id }, 'sk-second-key-0000'] });
      for (let i = 0; i < 8; i++) expect((await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
      expect(await received(ups[2]!.id)).toHaveLength(2);
      const first = (await received(ups[0]!.id)).slice(2);
      expect(first).toHaveLength(4);
      const keys = first.map((q) => q.headers.authorization);
      expect(new Set(keys).size).toBe(2);
      expect(keys.filter((k) => k === 'Bearer sk-second-key-0000')).toHaveLength(2);
      expect(await received(ups[1]!.id)).toHaveLength(6);
    });
  });

  wireDescribe('GET /v1/models', () => {
    wireIt('lists the enabled groups the key may use, in OpenAI shape', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const hidden = `hidden-${uid()}`;
      await admin(cookie, 'POST', '/groups', { name: hidden, enabled: false });
      const res = await gateway('/v1/models', { headers: { authorization: `Bearer ${r.clientKey}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.object).toBe('list');
      const mine = body.data.find((m: any) => m.id === r.group);
      expect(mine).toEqual({ id: r.group, object: 'model', created: expect.any(Number), owned_by: 'octopus-edge' });
      expect(body.data.some((m: any) => m.id === hidden)).toBe(false);

      await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { allowedGroups: [r.group] });
      const only = (await (await gateway('/v1/models', { headers: { authorization: `Bearer ${r.clientKey}` } })).json()) as any;
      expect(only.data.map((m: any) => m.id)).toEqual([r.group]);
      expect((await gateway('/v1/models')).status).toBe(401);
    });
  });

  describe('durable routing state', () => {
    storeIt('keeps the round-robin cursor in the group state storage', async () => {
      const cookie = await login();
      const ups = [await scenario({ json: TEXT_JSON }), await scenario({ json: TEXT_JSON })];
      const r = await routeTo(cookie, ups);
      await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'hi' }] });
      // The request's finish writes the state off the critical path (after the reply), so it is
      // polled for: on a busy machine the reply can arrive before the write lands.
      const stored = await until(() => h.routingState(r.groupId), (s) => s?.strategy?.cursor === 1);
      expect(stored.strategy.cursor).toBe(1);
    });
  });

  wireDescribe('secrets in upstream replies', () => {
    wireIt('removes the channel key from a mid-stream error in every client protocol, passed through or converted', async () => {
      const cookie = await login();
      const secret = `sk-up-SECRET-${uid()}-0123456789`;
      const chunk = (d: unknown) => `data: ${JSON.stringify(d)}\n\n`;
      const hello = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm1', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }] };
      // The key arrives split over two writes, so redaction must hold across chunk boundaries.
      const up = await scenario({ body: chunk(hello) + chunk({ error: { message: `boom ${secret}`, type: 'server_error' } }), headers: { 'content-type': 'text/event-stream' }, split: 23 });
      const ch = await admin(cookie, 'POST', '/channels', { name: `leak-${uid()}`, type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: [secret] });
      const group = `leak-${uid()}`;
      expect((await admin(cookie, 'POST', '/groups', { name: group, members: [{ channelId: ch.json.id, upstreamModel: 'm1' }], settings: { maxAttempts: 1 } })).status).toBe(201);
      const key = (await admin(cookie, 'POST', '/keys', { name: `k-${uid()}` })).json.key as string;
      const calls: [string, Record<string, string>, unknown][] = [
        ['/v1/chat/completions', { authorization: `Bearer ${key}` }, { model: group, stream: true, messages: [{ role: 'user', content: 'hi' }] }],
        ['/v1/messages', { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, { model: group, stream: true, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }],
        ['/v1/responses', { authorization: `Bearer ${key}` }, { model: group, stream: true, input: 'hi' }],
        [`/v1beta/models/${group}:streamGenerateContent?alt=sse`, { 'x-goog-api-key': key }, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }],
      ];
      for (const [path, headers, body] of calls) {
        const res = await gateway(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
        const text = await res.text();
        expect(text, path).toContain('boom');
        expect(text, path).not.toContain(secret);
        expect(text, path).not.toContain(secret.slice(0, 12));
      }
    });
  });

  describe('credential headers of a channel', () => {
    storeIt('are encrypted at rest, shown as a hint, sent upstream in clear, and kept when the hint comes back', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const secret = `AZURE-SECRET-${uid()}-123456`;
      const ch = await admin(cookie, 'POST', '/channels', { name: `az-${uid()}`, type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: ['sk-azure-key-0000'], headers: { 'api-key': secret, 'x-team': 'blue' } });
      expect(ch.status).toBe(201);
      expect(ch.json.headers).toEqual({ 'api-key': `…${secret.slice(-4)}`, 'x-team': 'blue' });
      expect(JSON.stringify((await admin(cookie, 'GET', `/channels/${ch.json.id}`)).json)).not.toContain(secret);
      const [row] = await h.query('SELECT headers AS headers FROM channels WHERE id = ?', ch.json.id);
      expect(String(row!.headers)).not.toContain(secret);
      expect(String(row!.headers)).toContain('blue');

      const group = `az-${uid()}`;
      expect((await admin(cookie, 'POST', '/groups', { name: group, members: [{ channelId: ch.json.id, upstreamModel: 'gpt-4.1-nano' }] })).status).toBe(201);
      const key = (await admin(cookie, 'POST', '/keys', { name: `k-${uid()}` })).json.key as string;
      expect((await chat(key, { model: group, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
      // The form sent back as shown keeps the secret; a new value replaces it.
      expect((await admin(cookie, 'PATCH', `/channels/${ch.json.id}`, { headers: ch.json.headers })).status).toBe(200);
      expect((await chat(key, { model: group, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
      expect((await admin(cookie, 'PATCH', `/channels/${ch.json.id}`, { headers: { 'api-key': 'NEW-SECRET-VALUE-9999' } })).json.headers).toEqual({ 'api-key': '…9999' });
      expect((await chat(key, { model: group, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
      const seen = (await received(up.id)).map((r: any) => r.headers['api-key']);
      expect(seen).toEqual([secret, secret, 'NEW-SECRET-VALUE-9999']);
    });
  });

  wireDescribe('a history partly answered by another provider', () => {
    wireIt('converts a same-protocol body that carries another provider\'s opaque data, so the upstream gets only its own', async () => {
      const cookie = await login();
      const up = await scenario({ json: 'anthropic/vercel__anthropic-text.json' });
      const r = await routeTo(cookie, [up], { channelType: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
      // A Gemini text-part signature as an Anthropic client keeps it (protocols/opaque.ts textSignatureToSlot).
      const envelope = `oe1_${btoa(JSON.stringify({ p: 'gemini', v: 'EtoFCtcF', k: 's' })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
      const own = { type: 'thinking', thinking: 'Own thought.', signature: 'EvQBCkYICxgCKkAx' };
      const messages = [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }, { type: 'thinking', thinking: '', signature: envelope }] },
        { role: 'user', content: 'and now?' },
        { role: 'assistant', content: [own, { type: 'text', text: 'Still here.' }] },
        { role: 'user', content: 'bye' },
      ];
      const send = (body: object) => gateway('/v1/messages', {
        method: 'POST', headers: { 'x-api-key': r.clientKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      expect((await send({ model: r.group, max_tokens: 100, messages })).status).toBe(200);
      // Without envelopes the body still goes through as sent (only the model rewritten).
      const plain = { model: r.group, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [own, { type: 'text', text: 'x' }] }, { role: 'user', content: 'y' }] };
      expect((await send(plain)).status).toBe(200);
      const [converted, passed] = await received(up.id);
      expect(JSON.stringify(converted.json)).not.toContain('oe1_');
      expect(converted.json.messages[1].content).toEqual([{ type: 'text', text: 'Hello.' }]);
      expect(converted.json.messages[3].content).toEqual([own, { type: 'text', text: 'Still here.' }]);
      expect(passed.json).toEqual({ ...plain, model: 'claude-sonnet-4-5' });
    });
  });

  wireDescribe('Gemini text signatures through an Anthropic client', () => {
    const anthropicMessages = (key: string, body: object) => gateway('/v1/messages', {
      method: 'POST', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const signedParts = (seen: any) => (seen.json.contents as any[]).filter((c) => c.role === 'model').flatMap((c) => c.parts).filter((p: any) => p.thoughtSignature);

    for (const streamed of [false, true]) {
      wireIt(`puts the text part's thoughtSignature back at Gemini on the next turn (${streamed ? 'streamed' : 'whole'} answer), for that client key only`, async () => {
        const cookie = await login();
        const turn1 = streamed ? { stream: 'gemini/vercel__google-text.chunks.txt' } : { json: 'gemini/vercel__google-text.json' };
        const up = await scenario({ steps: [turn1, { json: 'gemini/vercel__google-text.json' }, { json: 'gemini/vercel__google-text.json' }] });
        const r = await routeTo(cookie, [up], { channelType: 'gemini', upstreamModel: 'gemini-2.5-flash' });
        const ask = { role: 'user', content: 'How many r in strawberry?' };
        const first = await anthropicMessages(r.clientKey, { model: r.group, max_tokens: 200, stream: streamed, messages: [ask] });
        expect(first.status).toBe(200);
        let text: string;
        if (streamed) {
          const events = (await first.text()).split('\n\n').filter((e) => e.includes('data: {')).map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)));
          expect(events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block.type)).toEqual(['text']);
          text = events.filter((e) => e.delta?.type === 'text_delta').map((e) => e.delta.text).join('');
        } else {
          const body = (await first.json()) as any;
          expect(body.content.map((b: any) => b.type)).toEqual(['text']);
          text = body.content[0].text;
        }
        await h.flush(r.groupId, 1);
        const replay = { model: r.group, max_tokens: 200, messages: [ask, { role: 'assistant', content: [{ type: 'text', text }] }, { role: 'user', content: 'Thanks' }] };
        expect((await anthropicMessages(r.clientKey, replay)).status).toBe(200);
        const [firstSeen, second] = await received(up.id);
        const signed = signedParts(second);
        expect(signed).toHaveLength(1);
        expect(signed[0].text).toBe(text);
        expect(signed[0].thoughtSignature).toMatch(/^[A-Za-z0-9+/=_-]{20,}$/);
        expect(firstSeen).toBeDefined();
        // Another client key replaying the same text gets nothing of it.
        const other = await admin(cookie, 'POST', '/keys', { name: `k-${uid()}` });
        expect((await anthropicMessages(other.json.key, replay)).status).toBe(200);
        expect(signedParts((await received(up.id))[2])).toEqual([]);
      });
    }
  });

  describe('Anthropic thinking through an OpenAI Chat client', () => {
    // The second message of this recording: thinking "Let me call the tool." signed `sig-second`,
    // then tool_use `toolu_second` (test-tool), stop_reason tool_use.
    const TOOL_TURN = { stream: 'anthropic/vercel__spliced-message-start.chunks.txt', slice: { from: 7 } };
    const SIGNED = { type: 'thinking', thinking: 'Let me call the tool.', signature: 'sig-second' };
    const SIGNED_DETAIL = { type: 'reasoning.text', text: 'Let me call the tool.', signature: expect.stringMatching(/^oe1_/), format: 'unknown' };
    const tools = [{ type: 'function', function: { name: 'test-tool', parameters: { type: 'object', properties: { value: { type: 'string' } } } } }];

    /** Turn 1 (streamed), then the tool call the client saw, as it replays it: only content and tool_calls. */
    async function firstTurn(clientKey: string, group: string) {
      const res = await chat(clientKey, { model: group, stream: true, reasoning_effort: 'high', tools, messages: [{ role: 'user', content: 'Invent a holiday' }] });
      expect(res.status).toBe(200);
      const chunks = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)));
      const calls = chunks.flatMap((c) => c.choices?.[0]?.delta?.tool_calls ?? []);
      const call = calls.find((c: any) => c.id);
      expect(call).toMatchObject({ id: 'toolu_second', function: { name: 'test-tool' } });
      // A client that keeps reasoning_details could carry the block itself; this one will not.
      expect(chunks.flatMap((c) => c.choices?.[0]?.delta?.reasoning_details ?? [])).toEqual([{ ...SIGNED_DETAIL, index: 0 }]);
      const args = calls.map((c: any) => c.function?.arguments ?? '').join('');
      return { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: 'test-tool', arguments: args } }] };
    }

    const secondTurn = (group: string, assistant: object, toolCallId: string) => ({
      model: group, reasoning_effort: 'high', tools,
      messages: [{ role: 'user', content: 'Invent a holiday' }, assistant, { role: 'tool', tool_call_id: toolCallId, content: 'Sparkle Day is on June 3.' }],
    });

    storeIt('brings the signed thinking block back on the next turn, with thinking on, also after a restart', async () => {
      const cookie = await login();
      const up = await scenario({ steps: [TOOL_TURN, { json: 'anthropic/vercel__anthropic-text.json' }] });
      const r = await routeTo(cookie, [up], { channelType: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
      const assistant = await firstTurn(r.clientKey, r.group);
      // The turn's record lands after the remembered reasoning; then every holder loses its memory.
      await h.flush(r.groupId, 1);
      await h.restart();

      const res = await chat(r.clientKey, secondTurn(r.group, assistant, 'toolu_second'));
      expect(res.status).toBe(200);
      const [, seen] = await received(up.id);
      expect(seen.json.thinking).toMatchObject({ type: 'enabled' });
      expect(seen.json.messages[1].content).toEqual([SIGNED, { type: 'tool_use', id: 'toolu_second', name: 'test-tool', input: { value: 'Sparkle Day' } }]);
      expect(seen.json.messages[2].content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_second' });
    });

    wireIt('remembers a whole (non-stream) answer too', async () => {
      const cookie = await login();
      // The same turn as TOOL_TURN, answered as one Message.
      const message = {
        id: 'msg_second', type: 'message', role: 'assistant', model: 'claude-3-haiku-20240307', stop_reason: 'tool_use', stop_sequence: null,
        content: [SIGNED, { type: 'tool_use', id: 'toolu_second', name: 'test-tool', input: { value: 'Sparkle Day' } }], usage: { input_tokens: 17, output_tokens: 65 },
      };
      const up = await scenario({ steps: [{ body: message }, { json: 'anthropic/vercel__anthropic-text.json' }] });
      const r = await routeTo(cookie, [up], { channelType: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
      const first = await chat(r.clientKey, { model: r.group, reasoning_effort: 'high', tools, messages: [{ role: 'user', content: 'Invent a holiday' }] });
      const answer = ((await first.json()) as any).choices[0].message;
      expect(answer.reasoning_details).toEqual([{ ...SIGNED_DETAIL, index: 0 }]);
      await h.flush(r.groupId, 1);
      const assistant = { role: 'assistant', content: answer.content, tool_calls: answer.tool_calls };
      expect((await chat(r.clientKey, secondTurn(r.group, assistant, 'toolu_second'))).status).toBe(200);
      const [, seen] = await received(up.id);
      expect(seen.json.thinking).toMatchObject({ type: 'enabled' });
      expect(seen.json.messages[1].content[0]).toEqual(SIGNED);
    });

    wireIt('restores nothing for a turn with other tool call ids or to another client key, and never to another provider', async () => {
      const cookie = await login();
      const up = await scenario({ steps: [TOOL_TURN, { json: 'anthropic/vercel__anthropic-text.json' }] });
      const r = await routeTo(cookie, [up], { channelType: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
      const assistant = await firstTurn(r.clientKey, r.group);
      await h.flush(r.groupId, 1);
      const other = { ...assistant, tool_calls: [{ ...(assistant as any).tool_calls[0], id: 'toolu_other' }] };
      expect((await chat(r.clientKey, secondTurn(r.group, other, 'toolu_other'))).status).toBe(200);
      // Another client key replaying the very same turn: the reasoning is not its to recall.
      const stranger = await admin(cookie, 'POST', '/keys', { name: `key-${uid()}` });
      expect((await chat(stranger.json.key, secondTurn(r.group, assistant, 'toolu_second'))).status).toBe(200);
      const [, seen, seenByStranger] = await received(up.id);
      for (const body of [seen.json, seenByStranger.json]) {
        expect(JSON.stringify(body)).not.toContain('sig-second');
        expect(body.thinking?.type).not.toBe('enabled');
      }

      // The same group answered by an OpenAI channel: the remembered block stays home.
      const openai = await scenario({ json: TEXT_JSON });
      const ch = await admin(cookie, 'POST', '/channels', { name: `o-${uid()}`, type: 'openai-chat', baseUrl: `${openai.baseUrl}/v1`, keys: [`sk-upstream-${uid()}`] });
      expect((await admin(cookie, 'PATCH', `/groups/${r.groupId}`, { members: [{ channelId: ch.json.id, upstreamModel: 'gpt-4.1-nano' }] })).status).toBe(200);
      expect((await chat(r.clientKey, secondTurn(r.group, assistant, 'toolu_second'))).status).toBe(200);
      const [toOpenai] = await received(openai.id);
      expect(JSON.stringify(toOpenai.json)).not.toContain('sig-second');
    });
  });

  wireDescribe('web search through a conversion (issue 13 item 11)', () => {
    wireIt('an OpenAI Chat client of an Anthropic web search gets url_citation annotations, whole and streamed', async () => {
      const cookie = await login();
      const up = await scenario({ json: 'anthropic/vercel__anthropic-web-search-tool.1.json', stream: 'anthropic/vercel__anthropic-web-search-tool.1.chunks.txt' });
      const r = await routeTo(cookie, [up], { channelType: 'anthropic', upstreamModel: 'claude-sonnet-4-20250514' });
      const whole = await (await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'tech news?' }] })).json() as any;
      const message = whole.choices[0].message;
      expect(message.annotations).toHaveLength(3); // the recording's three citations
      for (const a of message.annotations) {
        expect(a.type).toBe('url_citation');
        expect(message.content.slice(a.url_citation.start_index, a.url_citation.end_index).length).toBeGreaterThan(0);
      }
      const streamed = await (await chat(r.clientKey, { model: r.group, stream: true, messages: [{ role: 'user', content: 'tech news?' }] })).text();
      const deltas = streamed.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)).choices?.[0]?.delta ?? {});
      const content = deltas.map((d) => d.content ?? '').join('');
      const annotations = deltas.flatMap((d) => d.annotations ?? []);
      expect(annotations).toHaveLength(14); // the recording's citations_delta events
      expect(annotations.every((a: any) => a.url_citation.end_index <= content.length)).toBe(true);
    });
  });

  wireDescribe('hostile requests', () => {
    wireIt('refuses a body nested 200,000 levels deep with a 400, not a stack overflow', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const deep = `{"model":"${r.group}","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
      const res = await chat(r.clientKey, deep);
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.message).toContain('nests deeper than 100 levels');
    });

    wireIt('answers malformed and unknown paths in the protocol the path names', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const gemini = await gateway('/v1beta/models/%E0%A4%A:generateContent', { method: 'POST', headers: { 'x-goog-api-key': r.clientKey, 'content-type': 'application/json' }, body: '{"contents":[]}' });
      expect(gemini.status).toBe(404);
      expect(((await gemini.json()) as any).error).toMatchObject({ code: 404 });
      const anthropic = await gateway('/v1/messages/nope', { method: 'POST', headers: { 'x-api-key': r.clientKey, 'content-type': 'application/json' }, body: '{}' });
      expect(anthropic.status).toBe(404);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    });
  });
}
