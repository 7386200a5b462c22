/**
 * How converted streams end, across every client encoder (issue 13 items 7 and 8):
 * - an upstream error after the finish reason (OpenRouter's `{"error":…}` chunk, with the usage of
 *   the generation on it) reaches the client as its protocol's error, with the usage counted;
 * - a stream whose upstream never reported usage still ends with a whole usage object of zeros.
 * Upstream bytes go through decoder → normalizer → encoder, as the relay does.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, ProtocolName, StreamEvent, Usage } from '../../../src/protocols/canonical';
import { codecFor } from '../../../src/protocols/index';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { OpenAIChatStreamDecoder } from '../../../src/protocols/openai-chat/stream-decode';
import { SseReader } from '../../../src/protocols/sse';
import { decodeThrough } from './stream-harness';

const enc = new TextEncoder();

function request(protocol: ProtocolName, extra: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'my-group', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], tools: [],
    sampling: {}, stream: true, extensions: { protocol, fields: {} }, ...extra,
  };
}

/** An OpenAI-compatible upstream stream, one `data:` event per chunk. */
function chatStream(chunks: unknown[]): Uint8Array[] {
  return [...chunks.map((c) => enc.encode(`data: ${JSON.stringify(c)}\n\n`)), enc.encode('data: [DONE]\n\n')];
}

const base = { id: 'gen-1', object: 'chat.completion.chunk', created: 1700000000, model: 'upstream/model' };
const text = (content: string, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: finish }] });
/** OpenRouter's usage object: `prompt_tokens` counts the cached ones. */
const ROUTER_USAGE = { prompt_tokens: 120, completion_tokens: 45, total_tokens: 165, prompt_tokens_details: { cached_tokens: 20 }, completion_tokens_details: { reasoning_tokens: 5 } };
const COUNTED: Usage = { input: 100, cacheRead: 20, cacheWrite: 0, output: 45, reasoning: 5 };
/** The stream of the issue: content, finish_reason "stop", then an error chunk carrying the usage. */
const ERROR_AFTER_FINISH = chatStream([
  text('Hello'),
  text(' world', 'stop'),
  { ...base, error: { code: 502, message: 'Provider returned error' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }], usage: ROUTER_USAGE },
]);

/** Canonical events (already normalized) → the client's wire text. */
function encodeFor(protocol: ProtocolName, events: StreamEvent[], req = request(protocol)): string {
  const encoder = codecFor(protocol).createStreamEncoder(req);
  return events.map((e) => encoder.push(e)).join('') + encoder.end();
}

/** SSE events of a wire text: `{event, data}` with the data parsed. */
function sseEvents(wire: string): Array<{ event?: string; data: any }> {
  const r = new SseReader();
  return [...r.push(wire), ...r.end()].filter((e) => e.data !== '[DONE]').map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
}

describe('an upstream error after the finish reason (OpenRouter error chunk)', () => {
  const events = decodeThrough(new OpenAIChatStreamDecoder(), ERROR_AFTER_FINISH);

  it('is decoded: the text, the finish, the usage on the error chunk, then the error', () => {
    expect(events.map((e) => e.type)).toEqual(['start', 'block_start', 'text_delta', 'text_delta', 'block_end', 'finish', 'usage', 'error']);
    expect(events.find((e) => e.type === 'usage')).toEqual({ type: 'usage', usage: COUNTED });
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { message: 'Provider returned error' } });
  });

  it('Responses client: an `error` event and `response.failed` carrying the usage, no response.completed', () => {
    const wire = sseEvents(encodeFor('openai-responses', events));
    const types = wire.map((e) => e.data.type);
    expect(types.slice(-2)).toEqual(['error', 'response.failed']);
    expect(types).not.toContain('response.completed');
    expect(wire.at(-2)!.data).toMatchObject({ message: 'Provider returned error' });
    const failed = wire.at(-1)!.data.response;
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toBe('Provider returned error');
    expect(failed.usage).toMatchObject({ input_tokens: 120, output_tokens: 45, total_tokens: 165 });
    expect(failed.output[0].content[0].text).toBe('Hello world');
  });

  it('Anthropic client: an `error` event, and no message_delta/message_stop that would mark success', () => {
    const wire = sseEvents(encodeFor('anthropic', events));
    expect(wire.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { message: 'Provider returned error' } } });
    expect(wire.map((e) => e.event)).not.toContain('message_stop');
    expect(wire.map((e) => e.event)).not.toContain('message_delta');
  });

  it('Gemini client: the text, then an error chunk, and no finishReason chunk', () => {
    const wire = sseEvents(encodeFor('gemini', events));
    expect(wire.at(-1)!.data).toMatchObject({ error: { message: 'Provider returned error' } });
    expect(wire.some((e) => e.data.candidates?.[0]?.finishReason)).toBe(false);
    expect(wire.flatMap((e) => e.data.candidates?.[0]?.content.parts ?? []).map((p: any) => p.text).join('')).toBe('Hello world');
  });

  it('Chat client: the error chunk after the finish chunk, then [DONE]', () => {
    const raw = encodeFor('openai-chat', events);
    const wire = sseEvents(raw);
    expect(wire.at(-1)!.data).toMatchObject({ error: { message: 'Provider returned error' } });
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('the official SDKs raise it: openai responses.stream() and @anthropic-ai/sdk messages.stream()', async () => {
    const stub = (wire: string) => async () => new Response(wire, { headers: { 'content-type': 'text/event-stream' } });
    const openai = new OpenAI({ apiKey: 'k', baseURL: 'http://stub.test/v1', maxRetries: 0, fetch: stub(encodeFor('openai-responses', events)) });
    await expect(openai.responses.stream({ model: 'my-group', input: 'hi' }).finalResponse()).rejects.toThrow(/Provider returned error/);
    const anthropic = new Anthropic({ apiKey: 'k', baseURL: 'http://stub.test', maxRetries: 0, fetch: stub(encodeFor('anthropic', events)) });
    await expect(anthropic.messages.stream({ model: 'my-group', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()).rejects.toThrow(/Provider returned error/);
  });

  it('a second error, or a finish after the error, is still dropped', () => {
    const norm = new StreamNormalizer(() => 'x');
    const out = [
      { type: 'start', id: 'a', model: '', created: 0 },
      { type: 'finish', reason: 'stop' },
      { type: 'error', error: { kind: 'upstream', message: 'one' } },
      { type: 'error', error: { kind: 'upstream', message: 'two' } },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: COUNTED },
    ].flatMap((e) => norm.push(e as StreamEvent));
    expect(out.map((e) => e.type)).toEqual(['start', 'finish', 'error', 'usage']);
    expect(norm.end()).toEqual([]);
  });
});

describe('a stream without upstream usage still ends with a whole usage object (zeros)', () => {
  // finish_reason and [DONE], never a usage.
  const events = decodeThrough(new OpenAIChatStreamDecoder(), chatStream([text('Hi'), text('', 'stop')]));

  it('the decoded stream has no usage event', () => {
    expect(events.some((e) => e.type === 'usage')).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('Responses: response.completed has usage with every count at 0, not null', () => {
    const done = sseEvents(encodeFor('openai-responses', events)).at(-1)!.data;
    expect(done.type).toBe('response.completed');
    expect(done.response.usage).toEqual({
      input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0,
    });
  });

  it('Responses: a stream cut short ends with response.failed, also with zero usage', () => {
    const cut = decodeThrough(new OpenAIChatStreamDecoder(), [enc.encode(`data: ${JSON.stringify(text('Hi'))}\n\n`)]);
    const failed = sseEvents(encodeFor('openai-responses', cut)).at(-1)!.data;
    expect(failed.type).toBe('response.failed');
    expect(failed.response.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
  });

  it('Anthropic: message_start and message_delta carry usage counts of 0', () => {
    const wire = sseEvents(encodeFor('anthropic', events));
    const zeros = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
    expect(wire.find((e) => e.event === 'message_start')!.data.message.usage).toEqual(zeros);
    expect(wire.find((e) => e.event === 'message_delta')!.data.usage).toEqual(zeros);
  });

  it('Gemini: the finishReason chunk carries usageMetadata with zero counts', () => {
    const last = sseEvents(encodeFor('gemini', events)).at(-1)!.data;
    expect(last.candidates[0].finishReason).toBe('STOP');
    expect(last.usageMetadata).toEqual({ promptTokenCount: 0, candidatesTokenCount: 0, totalTokenCount: 0 });
  });

  it('Chat, with include_usage: a usage chunk of zeros before [DONE]; without it, none', () => {
    const asked = sseEvents(encodeFor('openai-chat', events, request('openai-chat', { includeUsage: true }))).at(-1)!.data;
    expect(asked.choices).toEqual([]);
    expect(asked.usage).toEqual({
      prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(sseEvents(encodeFor('openai-chat', events)).some((e) => e.data.usage)).toBe(false);
  });

  it('non-stream: every client protocol encodes a whole usage object for a response with zero usage', () => {
    const res = { id: 'r1', model: 'm', content: [{ type: 'text' as const, text: 'Hi' }], finishReason: 'stop' as const, usage: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 }, created: 1 };
    const body = (p: ProtocolName) => codecFor(p).encodeResponse(res, request(p, { stream: false })) as any;
    expect(body('openai-responses').usage).toMatchObject({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
    expect(body('openai-chat').usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(body('anthropic').usage).toMatchObject({ input_tokens: 0, output_tokens: 0 });
    expect(body('gemini').usageMetadata).toEqual({ promptTokenCount: 0, candidatesTokenCount: 0, totalTokenCount: 0 });
  });
});
