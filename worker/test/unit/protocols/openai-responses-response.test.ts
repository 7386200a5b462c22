/**
 * Whole responses and errors of the OpenAI Responses codec: every `*.json` recording in
 * shared/fixtures/openai-responses decoded (error bodies through decodeError), encoding for a
 * client (read back with the official `openai` SDK through a stubbed fetch), and every ErrorKind
 * encoded to OpenAI's error shape.
 */
import OpenAI from 'openai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse, ErrorKind } from '../../../src/protocols/canonical';
import { STATUS_BY_KIND, gatewayError } from '../../../src/protocols/canonical';
import { opaqueFromSlot, unpackToolCallId } from '../../../src/protocols/opaque';
import { openaiResponsesCodec as codec } from '../../../src/protocols/openai-responses/index';
import { fixturesDir } from '../../upstream/recordings';

const dir = path.join(fixturesDir(), 'openai-responses');
const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

function request(extra: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'my-group', system: [], messages: [], tools: [], sampling: {}, stream: false,
    extensions: { protocol: 'openai-responses', fields: {} }, ...extra,
  };
}

describe('decodeResponse / decodeError on every JSON recording', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('covers all four JSON recordings', () => {
    expect(files.sort()).toEqual([
      'vercel__openai-error.1.json',
      'vercel__openai-reasoning-encrypted-content.1.json',
      'vercel__openai-web-search-tool.1.json',
      'vercel__reasoning-model-temperature-error.json',
    ]);
  });

  it('reasoning with encrypted content + message', () => {
    const body = JSON.parse(read('vercel__openai-reasoning-encrypted-content.1.json'));
    const res = codec.decodeResponse(body);
    expect(res.id).toBe(body.id);
    expect(res.model).toBe('gpt-5-mini-2025-08-07');
    expect(res.created).toBe(1765591383);
    expect(res.content).toEqual([
      {
        type: 'reasoning',
        text: body.output[0].summary[0].text,
        signature: { provider: 'openai-responses', value: body.output[0].encrypted_content, itemId: body.output[0].id },
      },
      { type: 'text', text: '12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570' },
    ]);
    expect(res.finishReason).toBe('stop');
    expect(res.usage).toEqual({ input: 865, cacheRead: 0, cacheWrite: 0, output: 163, reasoning: 128 });
  });

  it('web search: each web_search_call a server tool with its pages, url_citation annotations as citations, search count', () => {
    const body = JSON.parse(read('vercel__openai-web-search-tool.1.json'));
    const res = codec.decodeResponse(body);
    const message = body.output.find((o: { type: string }) => o.type === 'message');
    const part = message.content[0];
    const calls = body.output.filter((o: { type: string }) => o.type === 'web_search_call');
    expect(res.content.filter((p) => p.type === 'text')).toEqual([{
      type: 'text', text: part.text,
      citations: part.annotations.map((a: any) => ({ url: a.url, title: a.title, start: a.start_index, end: a.end_index })),
    }]);
    expect(part.annotations.length).toBeGreaterThan(3);
    const tools = res.content.filter((p) => p.type === 'server_tool');
    expect(tools.map((t) => t.id)).toEqual(calls.map((c: { id: string }) => c.id));
    expect(tools[0]).toEqual({
      type: 'server_tool', id: calls[0].id, name: 'web_search', arguments: JSON.stringify({ query: calls[0].action.query }),
      sources: calls[0].action.sources.map((s: { url: string }) => ({ url: s.url })),
    });
    expect(res.finishReason).toBe('stop');
    expect(res.usage).toEqual({ input: 19681 - 3712, cacheRead: 3712, cacheWrite: 0, output: 3773, reasoning: 3136, webSearchRequests: calls.length });
  });

  it('error bodies: 429 insufficient_quota and 400 unsupported temperature', () => {
    const quota = codec.decodeError(429, read('vercel__openai-error.1.json'));
    expect(quota).toEqual({ kind: 'rate_limit', code: 'insufficient_quota', message: expect.stringMatching(/^You exceeded your current quota/) });
    const temp = codec.decodeError(400, read('vercel__reasoning-model-temperature-error.json'));
    expect(temp).toEqual({ kind: 'invalid_request', code: 'invalid_request_error', message: "Unsupported parameter: 'temperature' is not supported with this model." });
    expect(() => codec.decodeResponse(JSON.parse(read('vercel__openai-error.1.json')))).toThrow();
  });

  it('error bodies that are not JSON, and retry hints', () => {
    expect(codec.decodeError(502, '<html>bad gateway</html>')).toEqual({ kind: 'upstream', message: '<html>bad gateway</html>' });
    expect(codec.decodeError(503, '')).toEqual({ kind: 'overloaded', message: 'HTTP 503' });
    const rl = codec.decodeError(429, JSON.stringify({ error: { message: 'Rate limit reached. Please try again in 1.5s.', type: 'requests', code: 'rate_limit_exceeded' } }));
    expect(rl).toMatchObject({ kind: 'rate_limit', code: 'rate_limit_exceeded', retryAfterSeconds: 1.5 });
    expect(codec.decodeError(401, JSON.stringify({ error: { message: 'no', type: 'invalid_request_error', code: null } })).kind).toBe('authentication');
  });

  it('status mapping: incomplete → length / content_filter, failed → error, function call → tool_calls', () => {
    const base = { id: 'resp_x', object: 'response', created_at: 1, model: 'm' };
    const call = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '' };
    expect(codec.decodeResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [] }).finishReason).toBe('length');
    expect(codec.decodeResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] }).finishReason).toBe('content_filter');
    expect(codec.decodeResponse({ ...base, status: 'failed', output: [] }).finishReason).toBe('error');
    const res = codec.decodeResponse({ ...base, status: 'completed', output: [call] });
    expect(res.finishReason).toBe('tool_calls');
    expect(res.content).toEqual([{ type: 'tool_call', id: 'call_1', name: 'f', arguments: '{}' }]);
  });
});

describe('encodeResponse', () => {
  const res: CanonicalResponse = {
    id: 'msg_01abc', model: 'claude-x', created: 1700000000, finishReason: 'tool_calls',
    usage: { input: 10, cacheRead: 20, cacheWrite: 5, output: 40, reasoning: 12 },
    content: [
      { type: 'reasoning', text: 'thinking…', signature: { provider: 'anthropic', value: 'sig-A' } },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool_call', id: 'call_g', name: 'sql', arguments: '{"input":"SELECT 1"}', signature: { provider: 'gemini', value: 'g-sig' } },
    ],
  };
  const req = request({ tools: [{ name: 'get_weather', parameters: {} }, { name: 'sql', parameters: {}, kind: 'custom' }] });

  it('items, usage, status; model is what the client asked for; opaque data survives', () => {
    const body = codec.encodeResponse(res, req) as Record<string, any>;
    expect(body).toMatchObject({ object: 'response', status: 'completed', model: 'my-group', created_at: 1700000000, error: null });
    expect(body.id).toBe('resp_msg_01abc');
    expect(body.usage).toEqual({
      input_tokens: 35, input_tokens_details: { cached_tokens: 20 },
      output_tokens: 40, output_tokens_details: { reasoning_tokens: 12 }, total_tokens: 75,
    });
    const [rs, msg, fc, ctc] = body.output;
    expect(rs).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking…' }] });
    expect(opaqueFromSlot(rs.encrypted_content, 'openai-responses')).toEqual({ provider: 'anthropic', value: 'sig-A' });
    expect(msg).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Let me check.', annotations: [] }] });
    expect(fc).toMatchObject({ type: 'function_call', call_id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
    expect(ctc).toMatchObject({ type: 'custom_tool_call', name: 'sql', input: 'SELECT 1' });
    expect(unpackToolCallId(ctc.call_id)).toEqual({ id: 'call_g', signature: { provider: 'gemini', value: 'g-sig' } });
  });

  it('the openai SDK reads the body: output_text, function calls, usage', async () => {
    const body = codec.encodeResponse(res, req);
    const client = new OpenAI({
      apiKey: 'test', baseURL: 'http://gateway.test/v1', maxRetries: 0,
      fetch: async () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }),
    });
    const r = await client.responses.create({ model: 'my-group', input: 'hi' });
    expect(r.output_text).toBe('Let me check.');
    expect(r.output.filter((o) => o.type === 'function_call').map((o: any) => [o.name, JSON.parse(o.arguments)])).toEqual([['get_weather', { city: 'Paris' }]]);
    expect(r.usage?.total_tokens).toBe(75);
  });

  it('a Responses reasoning signature keeps its own item id and raw value; length → incomplete', () => {
    const own: CanonicalResponse = {
      ...res, finishReason: 'length',
      content: [{ type: 'reasoning', text: '', signature: { provider: 'openai-responses', value: 'gAAA', itemId: 'rs_9' } }],
    };
    const body = codec.encodeResponse(own, req) as Record<string, any>;
    expect(body.output).toEqual([{ id: 'rs_9', type: 'reasoning', summary: [], encrypted_content: 'gAAA' }]);
    expect(body).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });

  it('decode(encode(x)) gives the content back', () => {
    const body = codec.encodeResponse(res, req);
    const back = codec.decodeResponse(body);
    expect(back.content).toEqual([
      res.content[0],
      res.content[1],
      res.content[2],
      // The custom call comes back as a custom call; its id still carries the Gemini signature.
      { type: 'tool_call', id: (body as any).output[3].call_id, name: 'sql', arguments: '{"input":"SELECT 1"}', kind: 'custom' },
    ]);
    expect(back.usage).toEqual({ input: 15, cacheRead: 20, cacheWrite: 0, output: 40, reasoning: 12 });
    expect(back.finishReason).toBe('tool_calls');
  });
});

describe('encodeError and encodeModelList', () => {
  const kinds = Object.keys(STATUS_BY_KIND) as ErrorKind[];
  it.each(kinds)('%s → its status and an OpenAI error body', (kind) => {
    const { status, body } = codec.encodeError(gatewayError(STATUS_BY_KIND[kind], kind, `code_${kind}`, `message ${kind}`, { param: 'model' }));
    expect(status).toBe(STATUS_BY_KIND[kind]);
    const type = kind === 'rate_limit' ? 'rate_limit_error'
      : ['overloaded', 'timeout', 'upstream', 'internal'].includes(kind) ? 'server_error' : 'invalid_request_error';
    expect(body).toEqual({ error: { message: `message ${kind}`, type, param: 'model', code: `code_${kind}` } });
  });

  it('param is null when absent', () => {
    expect(codec.encodeError(gatewayError(401, 'authentication', 'invalid_api_key', 'bad key')).body)
      .toEqual({ error: { message: 'bad key', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  });

  it('model list in OpenAI shape, created in seconds', () => {
    expect(codec.encodeModelList([{ id: 'g1', created: 1_700_000_000_123 }])).toEqual({
      object: 'list', data: [{ id: 'g1', object: 'model', created: 1_700_000_000, owned_by: 'octopus-edge' }],
    });
  });

  it('channel: {base}/responses with a Bearer key', () => {
    expect(codec.upstreamUrl('https://api.openai.com/v1/', 'gpt-5', true)).toBe('https://api.openai.com/v1/responses');
    expect(codec.upstreamHeaders('sk-1')).toEqual({ authorization: 'Bearer sk-1' });
    expect(codec.streamContentType()).toBe('text/event-stream');
  });
});
