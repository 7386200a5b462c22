/**
 * OpenAI Chat non-stream responses (every `*.json` recording of openai-chat/), error bodies both
 * ways, and the model list.
 */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { CanonicalRequest, CanonicalResponse, ErrorKind } from '../../../src/protocols/canonical';
import { STATUS_BY_KIND, gatewayError } from '../../../src/protocols/canonical';
import { unpackToolCallId } from '../../../src/protocols/opaque';
import { openaiChatCodec } from '../../../src/protocols/openai-chat/index';
import { wireEvents } from '../../upstream/recordings';

const text = (name: string) => new TextDecoder().decode(wireEvents(name)[0]);
const json = (name: string) => JSON.parse(text(name)) as unknown;

const req: CanonicalRequest = {
  model: 'my-group', system: [], messages: [], tools: [], sampling: {}, stream: false,
  extensions: { protocol: 'openai-chat', fields: {} },
};

describe('OpenAI Chat decodeResponse — recordings', () => {
  it('openai-chat/vercel__openai-text.json: text, stop, usage details', () => {
    const res = openaiChatCodec.decodeResponse(json('openai-chat/vercel__openai-text.json'));
    expect(res.id).toBe('chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU');
    expect(res.model).toBe('gpt-4.1-nano-2025-04-14');
    expect(res.created).toBe(1770933883);
    expect(res.content).toHaveLength(1);
    const part = res.content[0]!;
    expect(part.type).toBe('text');
    expect(part.type === 'text' && part.text.startsWith('**Holiday Name:** Galaxy Day')).toBe(true);
    expect(part.type === 'text' && part.text.endsWith('dream beyond our world.')).toBe(true);
    expect(res.finishReason).toBe('stop');
    expect(res.usage).toEqual({ input: 16, cacheRead: 0, cacheWrite: 0, output: 363, reasoning: 0 });
  });

  it('openai-chat/axonhub__openai-parallel_multiple_tool.response.json: content null + two tool calls', () => {
    const res = openaiChatCodec.decodeResponse(json('openai-chat/axonhub__openai-parallel_multiple_tool.response.json'));
    expect(res.content).toEqual([
      { type: 'tool_call', id: 'call_tooG2dAMZaICWBfsYU5LYyvs', name: 'get_user_city', arguments: '{"user_id": "123"}' },
      { type: 'tool_call', id: 'call_Ul0yUvKCpLfl5c32FHPcASEB', name: 'get_user_language', arguments: '{"user_id": "123"}' },
    ]);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ input: 104, cacheRead: 0, cacheWrite: 0, output: 49, reasoning: 0 });
  });

  it('openai-chat/vercel__openai-chat-cached-input-tokens-11178.json #1 and #2: refusal null, annotations, cached_tokens', () => {
    const first = openaiChatCodec.decodeResponse(json('openai-chat/vercel__openai-chat-cached-input-tokens-11178.json#1'));
    expect(first.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(first.usage).toEqual({ input: 10122, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 });
    const second = openaiChatCodec.decodeResponse(json('openai-chat/vercel__openai-chat-cached-input-tokens-11178.json#2'));
    expect(second.id).toBe('chatcmpl-Dzkk95ZsXR00sJH1wE3qTGHxdGcrQ');
    // prompt_tokens 10122 includes the 9984 cached ones.
    expect(second.usage).toEqual({ input: 138, cacheRead: 9984, cacheWrite: 0, output: 1, reasoning: 0 });
    expect(second.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(second.finishReason).toBe('stop');
  });

  it('openai-chat/vercel__reasoning-model-legacy-parameter-error.json (HTTP 400) through decodeError', () => {
    const info = openaiChatCodec.decodeError(400, text('openai-chat/vercel__reasoning-model-legacy-parameter-error.json'));
    expect(info).toEqual({
      kind: 'invalid_request',
      message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      code: 'unsupported_parameter',
    });
  });

  it('choices[0] only, DeepSeek reasoning_content, refusal text, finish mapping, throws on a non-completion', () => {
    const body = {
      id: 'x', model: 'deepseek-reasoner', created: 9,
      choices: [
        { index: 1, message: { role: 'assistant', content: 'second' }, finish_reason: 'stop' },
        { index: 0, message: { role: 'assistant', content: 'first', reasoning_content: 'hmm' }, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, prompt_cache_hit_tokens: 4, prompt_cache_miss_tokens: 6, completion_tokens_details: { reasoning_tokens: 2 } },
    };
    const res = openaiChatCodec.decodeResponse(body);
    expect(res.content).toEqual([{ type: 'reasoning', text: 'hmm' }, { type: 'text', text: 'first' }]);
    expect(res.finishReason).toBe('length');
    expect(res.usage).toEqual({ input: 6, cacheRead: 4, cacheWrite: 0, output: 5, reasoning: 2 });
    const refusal = openaiChatCodec.decodeResponse({ id: 'r', choices: [{ index: 0, message: { content: null, refusal: 'No.' }, finish_reason: 'stop' }] });
    expect(refusal.content).toEqual([{ type: 'text', text: 'No.' }]);
    expect(refusal.finishReason).toBe('stop');
    expect(() => openaiChatCodec.decodeResponse({ error: { message: 'x' } })).toThrow(/not a chat completion/);
  });
});

describe('OpenAI Chat encodeResponse', () => {
  const res: CanonicalResponse = {
    id: 'msg_123', model: 'claude-x', created: 1700000000, finishReason: 'tool_calls',
    content: [
      { type: 'reasoning', text: 'thinking', signature: { provider: 'anthropic', value: 'sig' } },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_call', id: 'toolu_1', name: 'get', arguments: '{"a":1}', signature: { provider: 'gemini', value: 'g-sig' } },
      { type: 'tool_call', id: 'toolu_2', name: 'now', arguments: '{}' },
    ],
    usage: { input: 10, cacheRead: 20, cacheWrite: 5, output: 30, reasoning: 12 },
  };

  it('is a chat.completion the OpenAI SDK types accept, with the client model, packed ids and usage totals', async () => {
    const body = openaiChatCodec.encodeResponse(res, req) as Record<string, unknown>;
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://gw.test/v1', fetch: async () => Response.json(body) });
    const completion = await client.chat.completions.create({ model: 'my-group', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.id).toBe('chatcmpl-msg_123');
    expect(completion.model).toBe('my-group');
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Let me check.');
    expect((choice.message as unknown as { reasoning_content: string }).reasoning_content).toBe('thinking');
    const calls = choice.message.tool_calls!.map((c) => (c.type === 'function' ? c : null)!);
    expect(calls.map((c) => [c.function.name, c.function.arguments])).toEqual([['get', '{"a":1}'], ['now', '{}']]);
    expect(unpackToolCallId(calls[0]!.id)).toEqual({ id: 'toolu_1', signature: { provider: 'gemini', value: 'g-sig' } });
    expect(calls[1]!.id).toBe('toolu_2');
    expect(completion.usage).toEqual({
      prompt_tokens: 35, completion_tokens: 30, total_tokens: 65,
      prompt_tokens_details: { cached_tokens: 20 }, completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  it('maps canonical finish reasons OpenAI lacks', () => {
    const finish = (finishReason: CanonicalResponse['finishReason']) =>
      ((openaiChatCodec.encodeResponse({ ...res, content: [], finishReason }, req) as { choices: Array<{ finish_reason: string }> }).choices[0]!.finish_reason);
    expect(finish('refusal')).toBe('content_filter');
    expect(finish('pause')).toBe('stop');
    expect(finish('length')).toBe('length');
    expect(finish('content_filter')).toBe('content_filter');
  });
});

describe('OpenAI Chat errors', () => {
  it('decodeError: JSON bodies of several vendors, plain text and HTML, empty body', () => {
    expect(openaiChatCodec.decodeError(429, JSON.stringify({ error: { message: 'Slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } })))
      .toEqual({ kind: 'rate_limit', message: 'Slow down', code: 'rate_limit_exceeded' });
    expect(openaiChatCodec.decodeError(401, JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } })))
      .toEqual({ kind: 'authentication', message: 'Incorrect API key provided', code: 'invalid_api_key' });
    expect(openaiChatCodec.decodeError(402, JSON.stringify({ error: { message: 'Insufficient credits', code: 402 } })))
      .toEqual({ kind: 'permission', message: 'Insufficient credits', code: '402' });
    expect(openaiChatCodec.decodeError(400, JSON.stringify([{ error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' } }])))
      .toEqual({ kind: 'invalid_request', message: 'bad', code: '400' });
    expect(openaiChatCodec.decodeError(404, JSON.stringify({ error: 'model not found' }))).toEqual({ kind: 'not_found', message: 'model not found' });
    expect(openaiChatCodec.decodeError(503, '<html><body>503 Service Unavailable</body></html>'))
      .toEqual({ kind: 'overloaded', message: '<html><body>503 Service Unavailable</body></html>' });
    expect(openaiChatCodec.decodeError(500, '')).toEqual({ kind: 'upstream', message: 'HTTP 500' });
    expect(openaiChatCodec.decodeError(502, 'x'.repeat(5000)).message).toHaveLength(2000);
  });

  const KINDS = Object.keys(STATUS_BY_KIND) as ErrorKind[];
  it.each(KINDS)('encodeError(%s): status from the error, OpenAI error body', (kind) => {
    const err = gatewayError(STATUS_BY_KIND[kind], kind, `code_${kind}`, `message for ${kind}`, kind === 'invalid_request' ? { param: 'messages.0' } : {});
    const { status, body } = openaiChatCodec.encodeError(err);
    expect(status).toBe(STATUS_BY_KIND[kind]);
    const type = kind === 'rate_limit' ? 'rate_limit_error'
      : ['overloaded', 'timeout', 'upstream', 'internal'].includes(kind) ? 'server_error' : 'invalid_request_error';
    expect(body).toEqual({ error: { message: `message for ${kind}`, type, param: kind === 'invalid_request' ? 'messages.0' : null, code: `code_${kind}` } });
  });

  it('the OpenAI SDK reads the encoded error as an APIError with status, code and param', async () => {
    const { status, body } = openaiChatCodec.encodeError(gatewayError(404, 'not_found', 'model_not_found', 'The model `x` does not exist', { param: 'model' }));
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://gw.test/v1', maxRetries: 0, fetch: async () => Response.json(body, { status }) });
    const err = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
    expect((err as InstanceType<typeof OpenAI.APIError>).param).toBe('model');
  });
});

describe('OpenAI Chat model list and channel', () => {
  it('encodeModelList: created in seconds, owned_by octopus-edge; the SDK lists it', async () => {
    const body = openaiChatCodec.encodeModelList([{ id: 'fast', created: 1_700_000_000_123 }, { id: 'smart', created: 0 }]);
    expect(body).toEqual({
      object: 'list',
      data: [
        { id: 'fast', object: 'model', created: 1_700_000_000, owned_by: 'octopus-edge' },
        { id: 'smart', object: 'model', created: 0, owned_by: 'octopus-edge' },
      ],
    });
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://gw.test/v1', fetch: async () => Response.json(body) });
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['fast', 'smart']);
  });

  it('upstreamUrl / upstreamHeaders', () => {
    expect(openaiChatCodec.upstreamUrl('https://api.openai.com/v1/', 'gpt-4o', true)).toBe('https://api.openai.com/v1/chat/completions');
    expect(openaiChatCodec.upstreamUrl('https://api.deepseek.com', 'x', false)).toBe('https://api.deepseek.com/chat/completions');
    expect(openaiChatCodec.upstreamHeaders('sk-1')).toEqual({ authorization: 'Bearer sk-1' });
    expect(openaiChatCodec.streamContentType()).toMatch(/^text\/event-stream/);
  });
});
