/**
 * Multi-protocol channels (issue 14.5): a channel with an OpenAI Chat primary and an Anthropic
 * endpoint passes an Anthropic client's bytes through to the Anthropic endpoint and an OpenAI
 * client's to the Chat one; a member pinned to a protocol always uses it (converting); routing
 * tries a member that can pass through before one that must convert; the log names the endpoint.
 * Admin validation and the store round trip of `endpoints` and the member `protocol` too.
 */
import { describe, expect, it } from 'vitest';
import { CLIENTS } from './clients';
import { tools, uid, type Harness } from './harness';

const ANTHROPIC_JSON = 'anthropic/vercel__anthropic-text.json';
const ANTHROPIC_STREAM = 'anthropic/vercel__anthropic-text.chunks.txt';
const CHAT_JSON = 'openai-chat/vercel__openai-text.json';

export function endpointsSuite(h: Harness): void {
  const { gateway, login, admin, received, scenario } = tools(h);

  /** The bytes the fake upstream sends for `behaviour`, fetched directly (no gateway). */
  async function directBytes(behaviour: object, path: string, body: object): Promise<Uint8Array> {
    const s = await scenario(behaviour);
    const res = await fetch(`${s.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return new Uint8Array(await res.arrayBuffer());
  }

  /** A channel with an OpenAI Chat primary on `chat` and an Anthropic endpoint on `messages`. */
  async function multiChannel(cookie: string, chat: { baseUrl: string }, messages: { baseUrl: string }): Promise<number> {
    const ch = await admin(cookie, 'POST', '/channels', {
      name: `multi-${uid()}`, type: 'openai-chat', baseUrl: `${chat.baseUrl}/v1`, keys: [`sk-upstream-${uid()}`],
      endpoints: [{ type: 'anthropic', baseUrl: `${messages.baseUrl}/v1` }],
    });
    if (ch.status !== 201) throw new Error(`channel: ${JSON.stringify(ch.json)}`);
    return ch.json.id;
  }

  async function groupAndKey(cookie: string, members: object[], mode = 'failover') {
    const group = `model-${uid()}`;
    const g = await admin(cookie, 'POST', '/groups', { name: group, mode, members });
    if (g.status !== 201) throw new Error(`group: ${JSON.stringify(g.json)}`);
    const k = await admin(cookie, 'POST', '/keys', { name: `key-${uid()}` });
    return { group, groupId: g.json.id as number, clientKey: k.json.key as string };
  }

  const post = (path: string, headers: Record<string, string>, body: string) =>
    gateway(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  describe('multi-protocol channels', () => {
    it('an Anthropic client passes through byte for byte to the Anthropic endpoint; an OpenAI client goes to the Chat one; the log names the endpoint', async () => {
      const cookie = await login();
      const streamBehaviour = { stream: ANTHROPIC_STREAM, split: 'random' };
      const messages = await scenario(streamBehaviour);
      const chat = await scenario({ json: CHAT_JSON });
      const channelId = await multiChannel(cookie, chat, messages);
      const r = await groupAndKey(cookie, [{ channelId, upstreamModel: 'up-model' }]);

      // Provider extras a conversion would drop: a prompt-cache marker and metadata.
      const client = CLIENTS.anthropic;
      const body = {
        ...client.body(r.group, true),
        system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
        metadata: { user_id: 'u-1' },
      };
      const sent = JSON.stringify(body);
      const res = await post(client.path(r.group, true), client.headers(r.clientKey), sent);
      expect(res.status).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const expected = await directBytes(streamBehaviour, '/v1/messages', { ...body, model: 'up-model' });
      expect(bytes.length).toBeGreaterThan(300);
      expect(bytes).toEqual(expected);
      const [up] = await received(messages.id);
      expect(up.path).toBe('/v1/messages');
      // Up: the client's bytes with only the model changed.
      expect(up.body).toBe(sent.replace(JSON.stringify(r.group), JSON.stringify('up-model')));
      expect(await received(chat.id)).toHaveLength(0);

      const chatClient = CLIENTS['openai-chat'];
      const res2 = await post(chatClient.path(r.group, false), chatClient.headers(r.clientKey), JSON.stringify(chatClient.body(r.group, false)));
      expect(res2.status).toBe(200);
      expect(((await res2.json()) as any).object).toBe('chat.completion');
      const chatSeen = await received(chat.id);
      expect(chatSeen).toHaveLength(1);
      expect(chatSeen[0].path).toBe('/v1/chat/completions');
      expect(await received(messages.id)).toHaveLength(1);

      expect(await h.flush(r.groupId, 2)).toBe(true);
      const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=10`)).json.data;
      expect(logs).toHaveLength(2);
      const byIn = Object.fromEntries(logs.map((l: any) => [l.protocolIn, l]));
      expect(byIn.anthropic).toMatchObject({ protocolOut: 'anthropic', channelId });
      expect(byIn.anthropic.attempts).toEqual([expect.objectContaining({ channelId, status: 200, endpointType: 'anthropic' })]);
      expect(byIn['openai-chat']).toMatchObject({ protocolOut: 'openai-chat' });
      expect(byIn['openai-chat'].attempts[0].endpointType).toBe('openai-chat');
    });

    it('a member pinned to a protocol always uses it, converting', async () => {
      const cookie = await login();
      const messages = await scenario({ json: ANTHROPIC_JSON });
      const chat = await scenario({ json: CHAT_JSON });
      const channelId = await multiChannel(cookie, chat, messages);
      const r = await groupAndKey(cookie, [{ channelId, upstreamModel: 'up-model', protocol: 'openai-chat' }]);
      const client = CLIENTS.anthropic;
      for (let i = 0; i < 2; i++) {
        const res = await post(client.path(r.group, false), client.headers(r.clientKey), JSON.stringify(client.body(r.group, false)));
        expect(res.status).toBe(200);
        expect(((await res.json()) as any).type).toBe('message');
      }
      const seen = await received(chat.id);
      expect(seen.map((s: any) => s.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
      expect(seen[0].json.messages).toBeDefined();
      expect(await received(messages.id)).toHaveLength(0);
      expect(await h.flush(r.groupId, 2)).toBe(true);
      const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=10`)).json.data;
      expect(logs.map((l: any) => l.attempts[0].endpointType)).toEqual(['openai-chat', 'openai-chat']);
    });

    it('routing tries a member that can pass through before one that must convert', async () => {
      const cookie = await login();
      const plain = await scenario({ json: CHAT_JSON });
      const messages = await scenario({ json: ANTHROPIC_JSON });
      const chat = await scenario({ json: CHAT_JSON });
      const plainCh = await admin(cookie, 'POST', '/channels', { name: `plain-${uid()}`, type: 'openai-chat', baseUrl: `${plain.baseUrl}/v1`, keys: [`sk-${uid()}`] });
      const multiId = await multiChannel(cookie, chat, messages);
      // Failover by member id would try the plain (converting) member first.
      const r = await groupAndKey(cookie, [{ channelId: plainCh.json.id, upstreamModel: 'up-model' }, { channelId: multiId, upstreamModel: 'up-model' }]);
      const client = CLIENTS.anthropic;
      for (let i = 0; i < 3; i++) {
        const res = await post(client.path(r.group, false), client.headers(r.clientKey), JSON.stringify(client.body(r.group, false)));
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      expect(await received(messages.id)).toHaveLength(3);
      expect(await received(plain.id)).toHaveLength(0);
    });

    it('admin API validates endpoints and pins, and round-trips them', async () => {
      const cookie = await login();
      const base = { type: 'openai-chat', baseUrl: 'https://chat.example/v1', keys: ['sk-x'] };
      const same = await admin(cookie, 'POST', '/channels', { ...base, name: `bad-${uid()}`, endpoints: [{ type: 'openai-chat', baseUrl: 'https://x.example/v1' }] });
      expect(same.status).toBe(400);
      const dup = await admin(cookie, 'POST', '/channels', { ...base, name: `bad-${uid()}`, endpoints: [{ type: 'anthropic', baseUrl: 'https://a.example/v1' }, { type: 'anthropic', baseUrl: 'https://b.example/v1' }] });
      expect(dup.status).toBe(400);
      const badUrl = await admin(cookie, 'POST', '/channels', { ...base, name: `bad-${uid()}`, endpoints: [{ type: 'anthropic', baseUrl: 'ftp://a.example' }] });
      expect(badUrl.status).toBe(400);

      const ok = await admin(cookie, 'POST', '/channels', { ...base, name: `ok-${uid()}`, endpoints: [{ type: 'anthropic', baseUrl: 'https://a.example/v1' }] });
      expect(ok.status).toBe(201);
      const got = (await admin(cookie, 'GET', `/channels/${ok.json.id}`)).json;
      expect(got.endpoints).toEqual([{ type: 'anthropic', baseUrl: 'https://a.example/v1' }]);
      // Changing the primary to an endpoint's type is refused; clearing the endpoints is not.
      expect((await admin(cookie, 'PATCH', `/channels/${ok.json.id}`, { type: 'anthropic' })).status).toBe(400);

      const pinBad = await admin(cookie, 'POST', '/groups', { name: `g-${uid()}`, members: [{ channelId: ok.json.id, upstreamModel: 'm', protocol: 'gemini' }] });
      expect(pinBad.status).toBe(400);
      const g = await admin(cookie, 'POST', '/groups', { name: `g-${uid()}`, members: [{ channelId: ok.json.id, upstreamModel: 'm', protocol: 'anthropic' }, { channelId: ok.json.id, upstreamModel: 'n' }] });
      expect(g.status).toBe(201);
      const stored = (await admin(cookie, 'GET', `/groups/${g.json.id}`)).json;
      expect(stored.members.map((m: any) => m.protocol)).toEqual(['anthropic', null]);

      const cleared = await admin(cookie, 'PATCH', `/channels/${ok.json.id}`, { endpoints: [] });
      expect(cleared.status).toBe(200);
      expect(cleared.json.endpoints).toBeNull();
    });
  });
}
