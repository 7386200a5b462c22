/**
 * Anthropic stream encoding: canonical event sequences → SSE text, read back by the official SDK
 * (@anthropic-ai/sdk MessageStream over a stubbed fetch). The SDK must rebuild exactly the text,
 * thinking, tool calls, usage and stop reason fed in; errors must reach it as API errors.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { AnthropicStreamDecoder } from '../../../src/protocols/anthropic/stream-decode';
import { AnthropicStreamEncoder, PING_INTERVAL_MS } from '../../../src/protocols/anthropic/stream-encode';
import { anthropicCodec } from '../../../src/protocols/anthropic';
import type { CanonicalRequest, StreamEvent, Usage } from '../../../src/protocols/canonical';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { SseReader } from '../../../src/protocols/sse';

const REQ: CanonicalRequest = {
  model: 'claude-group', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], tools: [],
  sampling: { maxTokens: 100 }, stream: true, extensions: { protocol: 'anthropic', fields: {} },
};
const USAGE: Usage = { input: 1200, cacheRead: 3000, cacheWrite: 400, output: 250, reasoning: 90 };
const start: StreamEvent = { type: 'start', id: 'resp_123', model: 'upstream-model', created: 1 };

/** Canonical events → (normalizer →) encoder → wire text. */
function encode(events: StreamEvent[], opts: { normalize?: boolean } = {}): string {
  const enc = anthropicCodec.createStreamEncoder(REQ);
  const norm = new StreamNormalizer(() => 'msg_fallback');
  let out = '';
  for (const e of events) for (const n of opts.normalize === false ? [e] : norm.push(e)) out += enc.push(n);
  if (opts.normalize !== false) for (const n of norm.end()) out += enc.push(n);
  return out + enc.end();
}

/** The SDK's view of a wire stream: final message, or the error it throws. */
async function sdkRead(wire: string) {
  const client = new Anthropic({
    apiKey: 'k', baseURL: 'http://stub.test', maxRetries: 0,
    fetch: async () => new Response(wire, { headers: { 'content-type': anthropicCodec.streamContentType() } }),
  });
  const stream = client.messages.stream({ model: 'claude-group', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
  const texts: string[] = [];
  stream.on('text', (t) => texts.push(t));
  try {
    return { message: await stream.finalMessage(), texts };
  } catch (error) {
    return { error: error as InstanceType<typeof Anthropic.APIError>, texts };
  }
}

/** Wire-level checks Claude Code relies on: named events, message_start first, one stop per block, dense indexes. */
function checkFraming(wire: string, { complete = true } = {}) {
  const events = new SseReader().push(wire);
  const datas = events.map((e) => JSON.parse(e.data) as { type: string; index?: number; delta?: { stop_reason?: string } });
  events.forEach((e, i) => expect(e.event).toBe(datas[i]!.type));
  const types = datas.map((d) => d.type);
  if (complete) {
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types.at(-2)).toBe('message_delta');
    expect(datas.at(-2)!.delta!.stop_reason).toBeTruthy();
  }
  const starts = datas.filter((d) => d.type === 'content_block_start').map((d) => d.index);
  const stops = datas.filter((d) => d.type === 'content_block_stop').map((d) => d.index);
  expect(starts).toEqual(starts.map((_, i) => i));
  if (complete) expect(stops).toEqual(starts);
  expect(types.filter((t) => t === 'message_start').length).toBeLessThanOrEqual(1);
  return types;
}

describe('Anthropic stream encoding, read by @anthropic-ai/sdk', () => {
  it('text: the SDK rebuilds text, stop reason, usage and the client model', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hello, ' },
      { type: 'text_delta', index: 0, text: 'wörld 😀' },
      { type: 'block_end', index: 0 },
      { type: 'usage', usage: { input: 12, cacheRead: 0, cacheWrite: 0, output: 5, reasoning: 0 } },
      { type: 'finish', reason: 'stop' },
    ]);
    checkFraming(wire);
    const { message, texts } = await sdkRead(wire);
    expect(texts.join('')).toBe('Hello, wörld 😀');
    expect(message).toMatchObject({
      id: 'msg_resp_123', model: 'claude-group', stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'Hello, wörld 😀' }],
      usage: { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
  });

  it('reasoning with a signature: thinking text and signature_delta before the block stops', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'reasoning_delta', index: 0, text: 'Let me ' },
      { type: 'reasoning_delta', index: 0, text: 'think.' },
      { type: 'signature', index: 0, signature: { provider: 'anthropic', value: 'EqQBCkYIBxgCKkB' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'reasoning' } },
      { type: 'signature', index: 1, signature: { provider: 'gemini', value: 'gem-sig' } },
      { type: 'block_end', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'text' } },
      { type: 'text_delta', index: 2, text: '42' },
      { type: 'block_end', index: 2 },
      { type: 'finish', reason: 'stop' },
    ]);
    checkFraming(wire);
    // The signature arrives just before its block stops (as Anthropic sends it).
    const datas = new SseReader().push(wire).map((e) => JSON.parse(e.data) as { type: string; index?: number; delta?: { type: string } });
    const sigAt = datas.findIndex((d) => d.delta?.type === 'signature_delta' && d.index === 0);
    expect(datas[sigAt + 1]).toEqual({ type: 'content_block_stop', index: 0 });
    const { message } = await sdkRead(wire);
    expect(message!.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: 'EqQBCkYIBxgCKkB' },
      { type: 'thinking', thinking: '', signature: expect.stringMatching(/^oe1_/) },
      { type: 'text', text: '42' },
    ]);
    // A foreign signature comes back from the client as that provider's opaque value.
    const back = new AnthropicStreamDecoder();
    const evs = new SseReader().push(wire).flatMap((e) => back.push(e));
    expect(evs).toContainEqual({ type: 'signature', index: 1, signature: { provider: 'gemini', value: 'gem-sig' } });
  });

  it('two parallel tool calls (arguments interleaved) and a tool without arguments', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Calling.' },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_a', name: 'get_weather' } },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_b', name: 'get_time' } },
      { type: 'tool_arguments_delta', index: 1, json: '{"city":' },
      { type: 'tool_arguments_delta', index: 2, json: '{"tz":"UTC"}' },
      { type: 'tool_arguments_delta', index: 1, json: '"Paris"}' },
      { type: 'block_end', index: 1 },
      { type: 'block_end', index: 2 },
      { type: 'block_start', index: 3, block: { type: 'tool_call', id: 'call_c', name: 'list' } },
      { type: 'tool_arguments_delta', index: 3, json: '{}' },
      { type: 'block_end', index: 3 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    checkFraming(wire);
    const { message } = await sdkRead(wire);
    expect(message!.stop_reason).toBe('tool_use');
    expect(message!.content.map((b) => (b.type === 'tool_use' ? [b.id, b.name, b.input] : b.type))).toEqual([
      'text',
      ['call_a', 'get_weather', { city: 'Paris' }],
      ['call_b', 'get_time', { tz: 'UTC' }],
      ['call_c', 'list', {}],
    ]);
  });

  it('a signed (Gemini) tool call: the signature rides in the id even when it comes after the arguments', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'fc_1', name: 'run' } },
      { type: 'tool_arguments_delta', index: 0, json: '{"cmd":"ls"}' },
      { type: 'signature', index: 0, signature: { provider: 'gemini', value: 'thought-sig' } },
      { type: 'block_end', index: 0 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    const { message } = await sdkRead(wire);
    const call = message!.content[0] as Anthropic.ToolUseBlock;
    expect(call.id).toMatch(/^fc_1__oe1_[A-Za-z0-9_-]+$/);
    expect(call.input).toEqual({ cmd: 'ls' });
    // The id the client returns decodes to the call id and the signature.
    const req = anthropicCodec.decodeRequest({
      model: 'm', max_tokens: 10,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: 'run', input: call.input }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'a b' }] },
      ],
    }, {});
    expect(req.messages[1]!.parts[0]).toEqual({ type: 'tool_call', id: 'fc_1', name: 'run', arguments: '{"cmd":"ls"}', signature: { provider: 'gemini', value: 'thought-sig' } });
    expect(req.messages[2]!.parts[0]).toMatchObject({ type: 'tool_result', toolCallId: 'fc_1', name: 'run' });
  });

  it('usage with cache read/write and reasoning: known input goes in message_start, the final usage in message_delta', async () => {
    const wire = encode([
      start,
      { type: 'usage', usage: { ...USAGE, output: 1, reasoning: 0 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'ok' },
      { type: 'block_end', index: 0 },
      { type: 'finish', reason: 'length' },
      { type: 'usage', usage: USAGE },
    ]);
    const first = JSON.parse(new SseReader().push(wire)[0]!.data);
    expect(first.message.usage).toEqual({ input_tokens: 1200, cache_creation_input_tokens: 400, cache_read_input_tokens: 3000, output_tokens: 1 });
    const { message } = await sdkRead(wire);
    expect(message!.stop_reason).toBe('max_tokens');
    expect(message!.usage).toMatchObject({
      input_tokens: 1200, cache_read_input_tokens: 3000, cache_creation_input_tokens: 400, output_tokens: 250,
      output_tokens_details: { thinking_tokens: 90 },
    });
  });

  it('redacted reasoning goes out as a redacted_thinking block', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'redacted_reasoning', index: 0, data: { provider: 'anthropic', value: 'REDACTED==' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'done' },
      { type: 'block_end', index: 1 },
      { type: 'finish', reason: 'stop' },
    ]);
    checkFraming(wire);
    const { message } = await sdkRead(wire);
    expect(message!.content).toEqual([{ type: 'redacted_thinking', data: 'REDACTED==' }, { type: 'text', text: 'done' }]);
  });

  it('an error mid-stream becomes an `error` event the SDK throws as an API error', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'partial' },
      { type: 'error', error: { kind: 'overloaded', message: 'Overloaded' } },
    ]);
    expect(wire).toContain('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    expect(wire).not.toContain('message_stop');
    const { error, texts } = await sdkRead(wire);
    expect(texts.join('')).toBe('partial');
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error!.message).toContain('Overloaded');
  });

  it('a stream that ended early (normalizer end) reaches the client as an error', async () => {
    const wire = encode([start, { type: 'block_start', index: 0, block: { type: 'text' } }, { type: 'text_delta', index: 0, text: 'cut' }]);
    checkFraming(wire, { complete: false });
    expect(wire).toContain('"type":"api_error"');
    const { error } = await sdkRead(wire);
    expect(error).toBeInstanceOf(Anthropic.APIError);
  });

  it('end() closes the message exactly once, even with no finish and no content', async () => {
    const enc = new AnthropicStreamEncoder(REQ);
    const wire = enc.end();
    expect(enc.end()).toBe('');
    expect(enc.push({ type: 'text_delta', index: 0, text: 'late' })).toBe('');
    expect(checkFraming(wire)).toEqual(['message_start', 'message_delta', 'message_stop']);
    const { message } = await sdkRead(wire);
    expect(message).toMatchObject({ content: [], stop_reason: 'end_turn' });
  });

  it('sends a ping while a long tool call is held', () => {
    let now = 0;
    const enc = new AnthropicStreamEncoder(REQ, () => now);
    enc.push(start);
    enc.push({ type: 'block_start', index: 0, block: { type: 'tool_call', id: 't', name: 'write' } });
    expect(enc.push({ type: 'tool_arguments_delta', index: 0, json: '{"a":' })).toBe('');
    now += PING_INTERVAL_MS;
    expect(enc.push({ type: 'tool_arguments_delta', index: 0, json: '"b"' })).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    now += 1;
    expect(enc.push({ type: 'tool_arguments_delta', index: 0, json: '}' })).toBe('');
  });

  it('round-trips through the Anthropic stream decoder', () => {
    const events: StreamEvent[] = [
      start,
      { type: 'usage', usage: USAGE },
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'reasoning_delta', index: 0, text: 'hm' },
      { type: 'signature', index: 0, signature: { provider: 'anthropic', value: 'S' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'hi' },
      { type: 'block_end', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'toolu_1', name: 'f' } },
      { type: 'tool_arguments_delta', index: 2, json: '{"x":1}' },
      { type: 'block_end', index: 2 },
      { type: 'finish', reason: 'tool_calls' },
    ];
    const wire = encode(events);
    const dec = new AnthropicStreamDecoder();
    const norm = new StreamNormalizer();
    const back = new SseReader().push(wire).flatMap((e) => dec.push(e)).concat(dec.end()).flatMap((e) => norm.push(e));
    expect(back.map((e) => (e.type === 'start' ? { ...e, created: 1, model: 'upstream-model', id: 'resp_123' } : e))).toEqual(events);
  });
});
