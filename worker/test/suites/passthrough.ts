/**
 * Same protocol in and out, for each of the four protocols, whole answers and streams: the client
 * gets the upstream's bytes exactly (DESIGN.md "Same protocol in and out"), so fields the gateway
 * has no canonical place for (Gemini `groundingMetadata`, `modelVersion`, token details; Anthropic
 * padding; Responses items) all survive.
 */
import { describe, expect, it } from 'vitest';
import { CLIENTS, type ClientProtocol } from './clients';
import { tools, type Harness } from './harness';

/** One protocol's recordings, and the upstream path the gateway calls for them (below the channel's base URL). */
interface Case {
  protocol: ClientProtocol;
  /** Recording for a whole answer, and for a stream. */
  json: string;
  stream: string;
  upstreamPath: (stream: boolean) => string;
}

const CASES: Case[] = [
  { protocol: 'openai-chat', json: 'openai-chat/vercel__openai-text.json', stream: 'openai-chat/vercel__openai-text.chunks.txt', upstreamPath: () => '/v1/chat/completions' },
  {
    protocol: 'openai-responses', json: 'openai-responses/vercel__openai-web-search-tool.1.json', stream: 'openai-responses/vercel__openai-web-search-tool.1.chunks.txt',
    upstreamPath: () => '/v1/responses',
  },
  { protocol: 'anthropic', json: 'anthropic/vercel__anthropic-text.json', stream: 'anthropic/vercel__anthropic-text.chunks.txt', upstreamPath: () => '/v1/messages' },
  {
    // Carries `modelVersion`, `responseId`, `thoughtSignature` and `promptTokensDetails`.
    protocol: 'gemini', json: 'gemini/vercel__google-text.json', stream: 'gemini/vercel__google-text.chunks.txt',
    upstreamPath: (stream) => `/v1/models/up-model:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
  },
];

export function passthroughSuite(h: Harness): void {
  const { gateway, login, received, routeTo, scenario } = tools(h);

  /** The bytes the fake upstream sends for `behaviour`, fetched directly (no gateway). */
  async function directBytes(behaviour: object, path: string, body: object): Promise<Uint8Array> {
    const s = await scenario(behaviour);
    const res = await fetch(`${s.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return new Uint8Array(await res.arrayBuffer());
  }

  describe('same-protocol passthrough, byte for byte', () => {
    for (const c of CASES) {
      for (const stream of [false, true]) {
        it(`${c.protocol}, ${stream ? 'stream' : 'whole answer'}`, async () => {
          const cookie = await login();
          const behaviour = stream ? { stream: c.stream, split: 'random' } : { json: c.json };
          const up = await scenario(behaviour);
          const r = await routeTo(cookie, [up], { channelType: c.protocol, upstreamModel: 'up-model' });
          const client = CLIENTS[c.protocol];
          const sent = JSON.stringify(client.body(r.group, stream));
          const res = await gateway(client.path(r.group, stream), { method: 'POST', headers: { 'content-type': 'application/json', ...client.headers(r.clientKey) }, body: sent });
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toMatch(stream ? /^text\/event-stream/ : /^application\/json/);
          const bytes = new Uint8Array(await res.arrayBuffer());
          const expected = await directBytes(behaviour, c.upstreamPath(stream), client.body('up-model', stream));
          expect(bytes.length).toBeGreaterThan(300);
          expect(bytes).toEqual(expected);

          // Up: only the model changes (Gemini names it in the path, so its body goes up as sent).
          const [seen] = await received(up.id);
          expect(seen.path + (stream && c.protocol === 'gemini' ? '?alt=sse' : '')).toBe(c.upstreamPath(stream));
          if (c.protocol === 'gemini') expect(seen.body).toBe(sent);
          else expect(seen.json.model).toBe('up-model');
        });
      }
    }
  });
}
