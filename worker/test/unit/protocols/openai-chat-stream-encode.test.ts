/**
 * OpenAI Chat stream encoding, checked with the official `openai` SDK's own stream parser
 * (`client.chat.completions.stream(...).finalChatCompletion()` and the raw chunk iterator)
 * against a stubbed fetch.
 */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { CanonicalRequest, StreamEvent, Usage } from '../../../src/protocols/canonical';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { unpackToolCallId } from '../../../src/protocols/opaque';
import { openaiChatCodec } from '../../../src/protocols/openai-chat/index';

function request(includeUsage = true): CanonicalRequest {
  return {
    model: 'my-group', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], tools: [],
    sampling: {}, stream: true, includeUsage, extensions: { protocol: 'anthropic', fields: {} },
  };
}

/** Canonical events → normalizer → encoder → wire text. `end` false leaves the stream unfinished before end(). */
function encode(events: StreamEvent[], req = request()): string {
  const norm = new StreamNormalizer(() => 'msg_fallback');
  const enc = openaiChatCodec.createStreamEncoder(req);
  let wire = '';
  for (const e of events) for (const n of norm.push(e)) wire += enc.push(n);
  for (const n of norm.end()) wire += enc.push(n);
  return wire + enc.end();
}

function client(wire: string): OpenAI {
  return new OpenAI({
    apiKey: 'k', baseURL: 'http://gw.test/v1', maxRetries: 0,
    fetch: async () => new Response(wire, { headers: { 'content-type': 'text/event-stream' } }),
  });
}

const params = { model: 'my-group', messages: [{ role: 'user' as const, content: 'hi' }], stream_options: { include_usage: true } };

/** The SDK's own accumulation of the stream. */
async function finalCompletion(wire: string) {
  return client(wire).chat.completions.stream(params).finalChatCompletion();
}

/** The raw chunks as the SDK yields them. */
async function chunks(wire: string): Promise<OpenAI.Chat.Completions.ChatCompletionChunk[]> {
  const out: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  const stream = await client(wire).chat.completions.create({ ...params, stream: true });
  for await (const c of stream) out.push(c);
  return out;
}

const start: StreamEvent = { type: 'start', id: 'msg_01abc', model: 'claude-upstream', created: 1_700_000_000 };
const usage: Usage = { input: 100, cacheRead: 50, cacheWrite: 25, output: 40, reasoning: 10 };

function textEvents(): StreamEvent[] {
  return [
    start,
    { type: 'block_start', index: 0, block: { type: 'text' } },
    { type: 'text_delta', index: 0, text: 'Hel' },
    { type: 'text_delta', index: 0, text: 'lo, ' },
    { type: 'text_delta', index: 0, text: 'wörld 😀' },
    { type: 'block_end', index: 0 },
    { type: 'usage', usage: { ...usage, cacheWrite: 0, reasoning: 0 } },
    { type: 'finish', reason: 'stop' },
    { type: 'usage', usage },
  ];
}

function toolEvents(): StreamEvent[] {
  return [
    start,
    { type: 'block_start', index: 0, block: { type: 'text' } },
    { type: 'text_delta', index: 0, text: 'Checking.' },
    { type: 'block_end', index: 0 },
    { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'toolu_1', name: 'get_weather' } },
    { type: 'tool_arguments_delta', index: 1, json: '{"city":' },
    { type: 'tool_arguments_delta', index: 1, json: '"Paris"}' },
    { type: 'block_end', index: 1 },
    { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'toolu_2', name: 'get_time' } },
    { type: 'tool_arguments_delta', index: 2, json: '{"tz":"CET"}' },
    { type: 'block_end', index: 2 },
    { type: 'block_start', index: 3, block: { type: 'tool_call', id: 'toolu_3', name: 'now' } },
    { type: 'tool_arguments_delta', index: 3, json: '{}' },
    { type: 'block_end', index: 3 },
    { type: 'finish', reason: 'tool_calls' },
    { type: 'usage', usage },
  ];
}

describe('OpenAI Chat stream encoder — read back by the openai SDK', () => {
  it('text + usage with cache read/write and reasoning', async () => {
    const wire = encode(textEvents());
    const c = await finalCompletion(wire);
    expect(c.id).toBe('chatcmpl-msg_01abc');
    expect(c.model).toBe('my-group');
    expect(c.created).toBe(1_700_000_000);
    expect(c.choices).toHaveLength(1);
    expect(c.choices[0]!.message.content).toBe('Hello, wörld 😀');
    expect(c.choices[0]!.message.role).toBe('assistant');
    expect(c.choices[0]!.finish_reason).toBe('stop');
    // Only the last cumulative usage is written; prompt_tokens = input + cache read + cache write.
    expect(c.usage).toEqual({
      prompt_tokens: 175, completion_tokens: 40, total_tokens: 215,
      prompt_tokens_details: { cached_tokens: 50 }, completion_tokens_details: { reasoning_tokens: 10 },
    });
  });

  it('wire shape: role chunk first, one id, finish chunk, one usage chunk with choices [], [DONE] last', async () => {
    const wire = encode(textEvents());
    expect(wire.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(wire.match(/\[DONE\]/g)).toHaveLength(1);
    const cs = await chunks(wire);
    expect(cs[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(new Set(cs.map((c) => c.id))).toEqual(new Set(['chatcmpl-msg_01abc']));
    expect(cs.every((c) => c.object === 'chat.completion.chunk' && c.model === 'my-group')).toBe(true);
    const last = cs[cs.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.prompt_tokens).toBe(175);
    const fin = cs[cs.length - 2]!;
    expect(fin.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(cs.filter((c) => c.usage)).toHaveLength(1);
  });

  it('no usage chunk when the client did not ask for it', async () => {
    const cs = await chunks(encode(textEvents(), request(false)));
    expect(cs.some((c) => c.usage)).toBe(false);
    expect(cs[cs.length - 1]!.choices[0]!.finish_reason).toBe('stop');
  });

  it('reasoning then text: reasoning_content deltas, the signed block in reasoning_details, text content', async () => {
    const events: StreamEvent[] = [
      start,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'reasoning_delta', index: 0, text: 'Let me ' },
      { type: 'reasoning_delta', index: 0, text: 'think.' },
      { type: 'signature', index: 0, signature: { provider: 'anthropic', value: 'EqQBCkYIBRgCKkA' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'Answer.' },
      { type: 'block_end', index: 1 },
      { type: 'finish', reason: 'stop' },
    ];
    const wire = encode(events);
    const cs = await chunks(wire);
    const reasoning = cs.map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '').join('');
    expect(reasoning).toBe('Let me think.');
    const c = await finalCompletion(wire);
    expect(c.choices[0]!.message.content).toBe('Answer.');
    expect(c.choices[0]!.finish_reason).toBe('stop');
    // The signature with the block's whole text, once (OpenRouter's reasoning_details shape), as an
    // envelope: the raw Anthropic signature never reaches a Chat client.
    const details = cs.flatMap((c) => (c.choices[0]?.delta as { reasoning_details?: unknown[] } | undefined)?.reasoning_details ?? []);
    expect(details).toEqual([{ type: 'reasoning.text', text: 'Let me think.', signature: expect.stringMatching(/^oe1_/), format: 'unknown', index: 0 }]);
    expect(wire).not.toContain('EqQBCkYIBRgCKkA');
  });

  it('parallel tool calls and a tool without arguments: 0-based indexes, ids, names, arguments', async () => {
    const wire = encode(toolEvents());
    const c = await finalCompletion(wire);
    const msg = c.choices[0]!.message;
    expect(msg.content).toBe('Checking.');
    expect(c.choices[0]!.finish_reason).toBe('tool_calls');
    const calls = msg.tool_calls!.map((t) => (t.type === 'function' ? t : null)!);
    expect(calls.map((t) => ({ id: t.id, name: t.function.name, args: t.function.arguments }))).toEqual([
      { id: 'toolu_1', name: 'get_weather', args: '{"city":"Paris"}' },
      { id: 'toolu_2', name: 'get_time', args: '{"tz":"CET"}' },
      { id: 'toolu_3', name: 'now', args: '{}' },
    ]);
    expect(c.usage?.total_tokens).toBe(215);
    const cs = await chunks(wire);
    const headers = cs.flatMap((x) => x.choices[0]?.delta.tool_calls ?? []).filter((t) => t.id);
    expect(headers.map((t) => [t.index, t.type, t.function?.arguments])).toEqual([[0, 'function', ''], [1, 'function', ''], [2, 'function', '']]);
  });

  it('a tool call whose arguments never came gets "{}"; a Gemini signature after the arguments rides in the id', async () => {
    const sig = { provider: 'gemini' as const, value: 'CiQB0e2Kb+/sig==' };
    const enc = openaiChatCodec.createStreamEncoder(request());
    let wire = '';
    for (const e of [
      start,
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'fc_1', name: 'list' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'fc_2', name: 'read' } },
      { type: 'tool_arguments_delta', index: 1, json: '{"p":"a"}' },
      { type: 'signature', index: 1, signature: sig },
      { type: 'block_end', index: 1 },
      { type: 'finish', reason: 'tool_calls' },
    ] satisfies StreamEvent[]) wire += enc.push(e);
    wire += enc.end();
    const c = await finalCompletion(wire);
    const calls = c.choices[0]!.message.tool_calls!.map((t) => (t.type === 'function' ? t : null)!);
    expect(calls[0]!.function.arguments).toBe('{}');
    expect(calls[0]!.id).toBe('fc_1');
    expect(unpackToolCallId(calls[1]!.id)).toEqual({ id: 'fc_2', signature: sig });
    expect(calls[1]!.id).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('an error mid-stream: the SDK raises an APIError with the message and code; [DONE] follows', async () => {
    const events: StreamEvent[] = [
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'partial' },
      { type: 'error', error: { kind: 'overloaded', message: 'Overloaded', code: 'overloaded_error' } },
    ];
    const wire = encode(events);
    expect(wire.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(wire).toContain('data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded_error"}}');
    const got: string[] = [];
    const err = await (async () => {
      const stream = await client(wire).chat.completions.create({ ...params, stream: true });
      for await (const c of stream) got.push(c.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(got.join('')).toBe('partial');
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain('Overloaded');
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('overloaded_error');
  });

  it('a stream that ended early (no finish): the normalizer error reaches the client as an error payload', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'cut' },
    ]);
    expect(wire).toContain('"error":{"message":"The upstream stream ended before it finished."');
    expect(wire.match(/\[DONE\]/g)).toHaveLength(1);
    await expect(finalCompletion(wire)).rejects.toThrow(/ended before it finished/);
  });

  it('end() alone still closes the stream exactly once', () => {
    const enc = openaiChatCodec.createStreamEncoder(request());
    const first = enc.end();
    expect(first).toContain('"role":"assistant"');
    expect(first.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(enc.end()).toBe('');
    expect(enc.push({ type: 'text_delta', index: 0, text: 'late' })).toBe('');
  });
});
