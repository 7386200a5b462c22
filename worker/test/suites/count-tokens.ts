/**
 * Token counting: Anthropic `POST /v1/messages/count_tokens` and Gemini `:countTokens`, forwarded to
 * a member of the client's protocol (with failover) or counted by the gateway; never billed.
 */
import { describe, expect, it } from 'vitest';
import { one, tools, uid, type Harness } from './harness';

export function countTokensSuite(h: Harness): void {
  const { admin, gateway, login, received, routeTo, scenario } = tools(h);

  /** A Claude Code-like count request: system, a user turn and a tool. */
  const anthropicBody = (model: string, text = 'What is the weather in Paris today?') => ({
    model,
    system: [{ type: 'text', text: 'You are a helpful assistant.' }],
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    tools: [{ name: 'get_weather', description: 'Current weather of a city.', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
  });
  const geminiBody = (text = 'What is the weather in Paris today?') => ({ contents: [{ role: 'user', parts: [{ text }] }] });

  function countAnthropic(key: string | null, body: unknown, headers: Record<string, string> = {}) {
    return gateway('/v1/messages/count_tokens?beta=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...(key && { 'x-api-key': key }), ...headers },
      body: JSON.stringify(body),
    });
  }
  function countGemini(key: string | null, model: string, body: unknown, version = 'v1beta') {
    return gateway(`/${version}/models/${encodeURIComponent(model)}:countTokens`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(key && { 'x-goog-api-key': key }) }, body: JSON.stringify(body),
    });
  }

  /** A group over channels of the given types (one fake upstream each), in failover order, and a key. */
  async function mixedGroup(cookie: string, members: { type: string; behaviour: object }[]) {
    const ups: { id: string; baseUrl: string }[] = [];
    const channelIds: number[] = [];
    for (const m of members) {
      const up = await scenario(m.behaviour);
      ups.push(up);
      const ch = await admin(cookie, 'POST', '/channels', { name: `ch-${uid()}`, type: m.type, baseUrl: `${up.baseUrl}/v1`, keys: [`sk-upstream-${uid()}`] });
      channelIds.push(ch.json.id);
    }
    const group = `count-${uid()}`;
    const g = await admin(cookie, 'POST', '/groups', {
      name: group, mode: 'failover', members: channelIds.map((channelId, i) => ({ channelId, upstreamModel: `up-model-${i}`, priority: i })),
    });
    expect(g.status).toBe(201);
    const k = await admin(cookie, 'POST', '/keys', { name: `key-${uid()}` });
    return { group, groupId: g.json.id as number, channelIds, ups, clientKey: k.json.key as string };
  }

  describe('Anthropic POST /v1/messages/count_tokens', () => {
    it('goes to the Anthropic member of a mixed group, model and key rewritten, betas passed on, answer as the provider gave it', async () => {
      const cookie = await login();
      const r = await mixedGroup(cookie, [
        { type: 'openai-chat', behaviour: { status: 500, body: 'never asked' } },
        { type: 'anthropic', behaviour: { body: { input_tokens: 4321 } } },
      ]);
      const body = anthropicBody(r.group);
      const res = await countAnthropic(r.clientKey, body, { 'anthropic-beta': 'token-counting-2024-11-01' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ input_tokens: 4321 });
      expect(await received(r.ups[0]!.id)).toHaveLength(0);
      const [seen] = await received(r.ups[1]!.id);
      expect(seen.path).toBe('/v1/messages/count_tokens');
      expect(seen.json).toEqual({ ...body, model: 'up-model-1' });
      expect(seen.headers['x-api-key']).toMatch(/^sk-upstream-/);
      expect(seen.headers['anthropic-beta']).toBe('token-counting-2024-11-01');
      expect(JSON.stringify(seen.headers)).not.toContain(r.clientKey);
    });

    it('fails over between Anthropic members; a member without the endpoint (404) is passed over without harm to its health', async () => {
      const cookie = await login();
      const r = await mixedGroup(cookie, [
        { type: 'anthropic', behaviour: { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'Not found' } } } },
        { type: 'anthropic', behaviour: { status: 503, body: 'overloaded' } },
        { type: 'anthropic', behaviour: { body: { input_tokens: 99 } } },
      ]);
      const res = await countAnthropic(r.clientKey, anthropicBody(r.group));
      expect(await res.json()).toEqual({ input_tokens: 99 });
      for (const up of r.ups) expect(await received(up.id)).toHaveLength(1);
      const members = (await admin(cookie, 'GET', `/groups/${r.groupId}`)).json.members as { id: number; channelId: number }[];
      const memberOf = (i: number) => String(members.find((m) => m.channelId === r.channelIds[i])!.id);
      // The report lands after the answer: wait for the 503 to show, then the 404 member must be unharmed.
      let health: Record<string, { consecutiveFailures: number }> = {};
      for (let i = 0; i < 50 && !(health[memberOf(1)]?.consecutiveFailures); i++) {
        health = (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members;
        await new Promise((ok) => setTimeout(ok, 20));
      }
      expect(health[memberOf(1)]?.consecutiveFailures).toBe(1);
      expect(health[memberOf(0)]?.consecutiveFailures ?? 0).toBe(0);
    });

    it('hands back the provider\'s own refusal of a bad request (400), not a count', async () => {
      const cookie = await login();
      const r = await mixedGroup(cookie, [{ type: 'anthropic', behaviour: { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: roles must alternate' } } } }]);
      const res = await countAnthropic(r.clientKey, anthropicBody(r.group));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: roles must alternate' } });
    });

    it('counts locally when the group has no Anthropic member, or when every Anthropic member failed', async () => {
      const cookie = await login();
      const openai = await mixedGroup(cookie, [{ type: 'openai-chat', behaviour: { status: 500, body: 'never asked' } }]);
      const short = await countAnthropic(openai.clientKey, anthropicBody(openai.group, 'Hi'));
      expect(short.status).toBe(200);
      const shortCount = ((await short.json()) as { input_tokens: number }).input_tokens;
      const long = await countAnthropic(openai.clientKey, anthropicBody(openai.group, 'Tell me about the weather in Paris. '.repeat(200)));
      const longCount = ((await long.json()) as { input_tokens: number }).input_tokens;
      expect(await received(openai.ups[0]!.id)).toHaveLength(0);
      // The tool-use system prompt Anthropic adds (346) and a few tokens of text and tool definition.
      expect(shortCount).toBeGreaterThan(346);
      expect(shortCount).toBeLessThan(420);
      // 200 repeats of a 35-character sentence: 7 to 9 tokens each with o200k, 9 by characters.
      expect(longCount - shortCount).toBeGreaterThan(1200);
      expect(longCount - shortCount).toBeLessThan(2000);

      const broken = await mixedGroup(cookie, [{ type: 'anthropic', behaviour: { status: 502, body: 'bad gateway' } }]);
      const fallback = await countAnthropic(broken.clientKey, anthropicBody(broken.group, 'Hi'));
      expect(fallback.status).toBe(200);
      expect(await fallback.json()).toEqual({ input_tokens: shortCount });
    });

    it('401 without a valid key, 404 only for a model the key may not use, 400 for a body that is no prompt', async () => {
      const cookie = await login();
      const r = await mixedGroup(cookie, [{ type: 'anthropic', behaviour: { body: { input_tokens: 1 } } }]);
      const missing = await countAnthropic(null, anthropicBody(r.group));
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      expect((await countAnthropic('sk-not-a-key', anthropicBody(r.group))).status).toBe(401);
      const unknown = await countAnthropic(r.clientKey, anthropicBody(`nope-${uid()}`));
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      const limited = await admin(cookie, 'POST', '/keys', { name: `key-${uid()}`, allowedGroups: [`other-${uid()}`] });
      expect((await countAnthropic(limited.json.key, anthropicBody(r.group))).status).toBe(404);
      expect((await countAnthropic(r.clientKey, { model: r.group, messages: 'nope' })).status).toBe(400);
      expect(await received(r.ups[0]!.id)).toHaveLength(0);
    });
  });

  describe('Gemini :countTokens', () => {
    it('goes to a Gemini member on /v1beta and /v1, with generateContentRequest.model rewritten', async () => {
      const cookie = await login();
      const r = await mixedGroup(cookie, [
        { type: 'openai-chat', behaviour: { status: 500, body: 'never asked' } },
        { type: 'gemini', behaviour: { body: { totalTokens: 77, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 77 }] } } },
      ]);
      const res = await countGemini(r.clientKey, r.group, geminiBody());
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ totalTokens: 77, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 77 }] });
      const nested = { generateContentRequest: { model: `models/${r.group}`, ...geminiBody(), systemInstruction: { parts: [{ text: 'Be brief.' }] } } };
      expect((await countGemini(r.clientKey, `models/${r.group}`, nested, 'v1')).status).toBe(200);
      expect(await received(r.ups[0]!.id)).toHaveLength(0);
      const [plain, inner] = await received(r.ups[1]!.id);
      expect(plain.path).toBe('/v1/models/up-model-1:countTokens');
      expect(plain.json).toEqual(geminiBody());
      expect(plain.headers['x-goog-api-key']).toMatch(/^sk-upstream-/);
      expect(inner.json).toEqual({ generateContentRequest: { ...nested.generateContentRequest, model: 'models/up-model-1' } });
    });

    it('counts locally without a Gemini member; 401 without a key; 404 for an unknown model', async () => {
      const cookie = await login();
      const r = await mixedGroup(cookie, [{ type: 'anthropic', behaviour: { status: 500, body: 'never asked' } }]);
      const res = await countGemini(r.clientKey, r.group, geminiBody('Hi'));
      expect(res.status).toBe(200);
      const { totalTokens } = (await res.json()) as { totalTokens: number };
      expect(totalTokens).toBeGreaterThanOrEqual(4);
      expect(totalTokens).toBeLessThan(10);
      const nested = await countGemini(r.clientKey, r.group, { generateContentRequest: { model: `models/${r.group}`, ...geminiBody('Hi') } });
      expect(await nested.json()).toEqual({ totalTokens });
      expect(await received(r.ups[0]!.id)).toHaveLength(0);

      const missing = await countGemini(null, r.group, geminiBody());
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({ error: { code: 401 } });
      const unknown = await countGemini(r.clientKey, `nope-${uid()}`, geminiBody());
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
      expect((await countGemini(r.clientKey, r.group, { generateContentRequest: 'nope' })).status).toBe(400);
    });
  });

  it('logs every count with no tokens and no cost, even where prices are set', async () => {
    const cookie = await login();
    const up = await scenario({ body: { input_tokens: 5000 } });
    const r = await routeTo(cookie, [up], { channelType: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
    const local = await routeTo(cookie, [up], { channelType: 'openai-chat' });
    await admin(cookie, 'PUT', '/prices/claude-sonnet-4-5', { input: 3, output: 15 });
    expect((await countAnthropic(r.clientKey, anthropicBody(r.group))).status).toBe(200);
    expect((await countAnthropic(local.clientKey, anthropicBody(local.group))).status).toBe(200);
    expect(await h.flush(r.groupId, 1)).toBe(true);
    expect(await h.flush(local.groupId, 1)).toBe(true);
    for (const g of [r.group, local.group]) {
      const row = await one(h, 'SELECT status, protocol_in AS p, input_tokens AS t, cost_nano_usd AS cost FROM request_logs WHERE group_name = ?', g);
      expect(row).toMatchObject({ status: 200, p: 'anthropic', cost: 0 });
      expect(row!.t ?? 0).toBe(0);
    }
    const usage = (await (await gateway('/v1/usage', { headers: { authorization: `Bearer ${r.clientKey}` } })).json()) as any;
    expect(usage.total).toMatchObject({ requests: 1, inputTokens: 0, costUsd: 0 });
  });
}
