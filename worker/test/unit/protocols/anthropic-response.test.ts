/**
 * Whole Anthropic responses: decoding of every recorded response body, encoding for an Anthropic
 * client (read back by the official SDK), and upstream error bodies through decodeError.
 */
import Anthropic from '@anthropic-ai/sdk';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeError } from '../../../src/protocols/anthropic/errors';
import { decodeResponse, encodeResponse } from '../../../src/protocols/anthropic/response';
import type { CanonicalRequest, CanonicalResponse } from '../../../src/protocols/canonical';
import { fixturesDir } from '../../upstream/recordings';

const DIR = path.join(fixturesDir(), 'anthropic');
const RESPONSES = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('.request.')).sort();
const load = (f: string): unknown => JSON.parse(readFileSync(path.join(DIR, f), 'utf8'));

const REQ: CanonicalRequest = {
  model: 'my-claude', system: [], messages: [], tools: [], sampling: {}, stream: false, extensions: { protocol: 'anthropic', fields: {} },
};

describe('Anthropic response decoding of every recorded body', () => {
  it('covers every Anthropic response recording', () => {
    expect(RESPONSES).toEqual([
      'axonhub__anthropic-think.response.json',
      'axonhub__anthropic-tool.response.json',
      'vercel__anthropic-text.json',
      'vercel__anthropic-tool-no-args.json',
      'vercel__anthropic-web-search-tool.1.json',
    ]);
  });

  it('decodes a plain text reply with usage', () => {
    const r = decodeResponse(load('vercel__anthropic-text.json'));
    expect(r).toMatchObject({ id: 'msg_01VdEjxAP5ahtHKrrRdNBteQ', model: 'claude-sonnet-4-5-20250929', finishReason: 'stop' });
    expect(r.content).toEqual([{ type: 'text', text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?" }]);
    expect(r.usage).toEqual({ input: 12, cacheRead: 0, cacheWrite: 0, output: 29, reasoning: 0 });
  });

  it('decodes a tool call without arguments as `{}`', () => {
    const r = decodeResponse(load('vercel__anthropic-tool-no-args.json'));
    expect(r.finishReason).toBe('tool_calls');
    expect(r.content[1]).toEqual({ type: 'tool_call', id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', name: 'updateIssueList', arguments: '{}' });
  });

  it('decodes thinking (no signature recorded) then text and two parallel tool calls', () => {
    const r = decodeResponse(load('axonhub__anthropic-think.response.json'));
    expect(r.content.map((p) => p.type)).toEqual(['reasoning', 'text', 'tool_call', 'tool_call']);
    expect(r.content[0]!.type === 'reasoning' && r.content[0]!.signature).toBe(undefined);
    expect((r.content[0] as { text: string }).text).toMatch(/^The user is asking for the weather/);
    expect(r.content.slice(2).map((p) => p.type === 'tool_call' && [p.name, JSON.parse(p.arguments)])).toEqual([
      ['get_coordinates', { location: 'San Francisco, CA' }],
      ['get_temperature_unit', { country: 'United States' }],
    ]);
    expect(r.usage).toEqual({ input: 587, cacheRead: 0, cacheWrite: 0, output: 226, reasoning: 0 });
    const tool = decodeResponse(load('axonhub__anthropic-tool.response.json'));
    expect(tool.content.map((p) => p.type)).toEqual(['text', 'tool_call', 'tool_call']);
    expect(tool.usage.output).toBe(130);
  });

  it('web search reply: searches as server_tool parts with their pages, citations on text parts, search count', () => {
    const body = load('vercel__anthropic-web-search-tool.1.json') as { content: Array<Record<string, any>> };
    const r = decodeResponse(body);
    const texts = r.content.filter((p) => p.type === 'text');
    expect(texts.map((p) => p.text).join('')).toBe(body.content.filter((b) => b.type === 'text').map((b) => b.text).join(''));
    expect(r.usage).toEqual({ input: 27118, cacheRead: 0, cacheWrite: 0, output: 600, reasoning: 0, webSearchRequests: 2 });
    // Each server_tool_use becomes a part in place, with the pages of its web_search_tool_result.
    const calls = body.content.filter((b) => b.type === 'server_tool_use');
    const results = body.content.filter((b) => b.type === 'web_search_tool_result');
    expect(r.content.filter((p) => p.type === 'server_tool')).toEqual(calls.map((c) => {
      const sources = results.find((x) => x.tool_use_id === c.id)!.content.map((x: any) => ({ url: x.url, title: x.title }));
      return { type: 'server_tool', id: c.id, name: 'web_search', arguments: JSON.stringify(c.input), ...(sources.length > 0 && { sources }) };
    }));
    expect(calls).toHaveLength(2); // the second search found nothing: no sources
    expect(r.content.map((p) => p.type).slice(0, 2)).toEqual(['server_tool', 'text']);
    // Citations: every web_search_result_location of the body, on its own text part.
    const cited = body.content.filter((b) => b.type === 'text' && Array.isArray(b.citations) && b.citations.length > 0);
    expect(cited.length).toBeGreaterThan(0);
    expect(texts.filter((p) => p.citations).map((p) => [p.text, p.citations])).toEqual(cited.map((b) => [b.text, b.citations.map((c: any) => ({
      url: c.url, title: c.title, citedText: c.cited_text, opaque: { provider: 'anthropic', value: c.encrypted_index },
    }))]));
  });

  it('decodes a signed thinking block, redacted thinking, cache usage and thinking tokens', () => {
    const r = decodeResponse({
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-4-8',
      content: [
        { type: 'thinking', thinking: 'Let me think', signature: 'SIG' },
        { type: 'redacted_thinking', data: 'REDACTED' },
        { type: 'text', text: 'Answer', citations: null },
      ],
      stop_reason: 'pause_turn', stop_sequence: null,
      usage: { input_tokens: 3, cache_creation_input_tokens: 10, cache_read_input_tokens: 100, output_tokens: 50, output_tokens_details: { thinking_tokens: 20 } },
    });
    expect(r.content).toEqual([
      { type: 'reasoning', text: 'Let me think', signature: { provider: 'anthropic', value: 'SIG' } },
      { type: 'reasoning', text: '', redacted: { provider: 'anthropic', value: 'REDACTED' } },
      { type: 'text', text: 'Answer' },
    ]);
    expect(r.finishReason).toBe('pause');
    expect(r.usage).toEqual({ input: 3, cacheRead: 100, cacheWrite: 10, output: 50, reasoning: 20 });
  });

  it('throws on a body that is not a Message', () => {
    expect(() => decodeResponse({ type: 'error', error: { type: 'api_error', message: 'x' } })).toThrow();
    expect(() => decodeResponse('nope')).toThrow();
  });
});

describe('Anthropic response encoding (read back by @anthropic-ai/sdk)', () => {
  const res: CanonicalResponse = {
    id: 'chatcmpl-abc', model: 'gpt-x', created: 1,
    content: [
      { type: 'reasoning', text: 'thinking…', signature: { provider: 'openai-responses', value: 'enc', itemId: 'rs_1' } },
      { type: 'text', text: 'Here you go.' },
      { type: 'tool_call', id: 'call_1', name: 'get', arguments: '{"q":"x"}' },
      { type: 'tool_call', id: 'fc_2', name: 'noargs', arguments: '{}', signature: { provider: 'gemini', value: 'gsig' } },
    ],
    finishReason: 'tool_calls',
    usage: { input: 100, cacheRead: 20, cacheWrite: 5, output: 40, reasoning: 12 },
  };

  it('is a Message the SDK accepts, with the client model, stop reason and usage', async () => {
    const body = encodeResponse(res, REQ);
    const client = new Anthropic({ apiKey: 'k', baseURL: 'http://stub.test', maxRetries: 0, fetch: async () => Response.json(body) });
    const msg = await client.messages.create({ model: 'my-claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.model).toBe('my-claude');
    expect(msg.id).toBe('msg_chatcmpl-abc');
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 20, cache_creation_input_tokens: 5, output_tokens: 40 });
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use', 'tool_use']);
    const [, , call, noArgs] = msg.content;
    expect(call).toMatchObject({ id: 'call_1', name: 'get', input: { q: 'x' } });
    expect(noArgs).toMatchObject({ name: 'noargs', input: {} });
  });

  it('round-trips through decodeResponse, opaque data included', () => {
    const back = decodeResponse(encodeResponse(res, REQ));
    expect(back.finishReason).toBe('tool_calls');
    expect(back.usage).toEqual(res.usage);
    // The foreign reasoning signature travels as an envelope in Anthropic's signature slot.
    expect(back.content[0]).toEqual(res.content[0]);
    expect(back.content[1]).toEqual(res.content[1]);
    expect(back.content[2]).toEqual(res.content[2]);
    // The tool call signature rides in the id (Anthropic tool_use has no slot): a client returns it verbatim.
    const packed = back.content[3] as { id: string };
    expect(packed.id.startsWith('fc_2__oe1_')).toBe(true);
  });
});

describe('Anthropic upstream error bodies (decodeError)', () => {
  const body = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

  it.each([
    [400, 'invalid_request_error', 'invalid_request'],
    [401, 'authentication_error', 'authentication'],
    [402, 'billing_error', 'permission'],
    [403, 'permission_error', 'permission'],
    [404, 'not_found_error', 'not_found'],
    [413, 'request_too_large', 'request_too_large'],
    [429, 'rate_limit_error', 'rate_limit'],
    [500, 'api_error', 'upstream'],
    [504, 'timeout_error', 'timeout'],
    [529, 'overloaded_error', 'overloaded'],
  ])('HTTP %i %s → %s', (status, type, kind) => {
    expect(decodeError(status, body(type, 'msg'))).toEqual({ kind, message: 'msg', code: type });
  });

  it('falls back to the status for unknown types and non-JSON bodies', () => {
    expect(decodeError(503, body('brand_new_error', 'later'))).toEqual({ kind: 'overloaded', message: 'later', code: 'brand_new_error' });
    expect(decodeError(502, '<html><body>Bad gateway</body></html>')).toEqual({ kind: 'upstream', message: '<html><body>Bad gateway</body></html>' });
    expect(decodeError(429, '')).toEqual({ kind: 'rate_limit', message: 'Upstream error (HTTP 429)' });
    expect(decodeError(400, '{"error":{"message":"bad thing","type":"invalid_request_error"}}')).toMatchObject({ kind: 'invalid_request', message: 'bad thing' });
    expect(decodeError(500, '{"message":"proxy says no"}')).toEqual({ kind: 'upstream', message: 'proxy says no' });
    expect(decodeError(500, 'x'.repeat(2000)).message.length).toBe(500);
  });
});
