/**
 * Canonical events → Gemini client stream, checked with the official @google/genai SDK's own stream
 * parser (generateContentStream against a stubbed fetch), plus the JSON-array framing.
 */
import { readFileSync } from 'node:fs';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, StreamEvent } from '../../../src/protocols/canonical';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { opaqueFromSlot } from '../../../src/protocols/opaque';
import { SseReader } from '../../../src/protocols/sse';
import { geminiCodec } from '../../../src/protocols/gemini/index';
import { GeminiStreamDecoder } from '../../../src/protocols/gemini/stream';
import { fixturesDir, wireEvents } from '../../upstream/recordings';

const REQ: CanonicalRequest = {
  model: 'my-group', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], tools: [], sampling: {}, stream: true,
  extensions: { protocol: 'gemini', fields: {} },
};

/** Encodes events (through the normalizer, as the gateway does) to the client's wire text. */
function encode(events: StreamEvent[], alt: 'sse' | 'json-array' = 'sse', endEarly = false): string {
  const norm = new StreamNormalizer(() => 'msg_x');
  const enc = geminiCodec.createStreamEncoder(REQ, { geminiAlt: alt });
  let out = '';
  for (const e of events) for (const n of norm.push(e)) out += enc.push(n);
  if (endEarly) for (const n of norm.end()) out += enc.push(n);
  out += enc.end();
  out += enc.end(); // closing markers exactly once
  return out;
}

interface Received {
  chunks: GenerateContentResponse[];
  text: string;
  thoughts: string;
  calls: Array<{ id?: string; name?: string; args?: Record<string, unknown> }>;
  signatures: Array<{ on: string; value: string }>;
  finishReason?: string;
  usage?: Record<string, unknown>;
  error?: Error;
}

/** What @google/genai makes of an SSE body. */
async function viaSdk(wire: string): Promise<Received> {
  const fetch = async () => new Response(wire, { status: 200, headers: { 'content-type': geminiCodec.streamContentType({ geminiAlt: 'sse' }) } });
  const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: 'http://gateway.test', fetch: fetch as typeof globalThis.fetch, retryOptions: { attempts: 1 } } });
  const r: Received = { chunks: [], text: '', thoughts: '', calls: [], signatures: [] };
  try {
    const stream = await ai.models.generateContentStream({ model: 'my-group', contents: 'hi' });
    for await (const chunk of stream) {
      r.chunks.push(chunk);
      const cand = chunk.candidates?.[0];
      for (const p of cand?.content?.parts ?? []) {
        if (typeof p.text === 'string') {
          if (p.thought) r.thoughts += p.text;
          else r.text += p.text;
        }
        if (p.functionCall) r.calls.push(p.functionCall as Received['calls'][number]);
        if (p.thoughtSignature) r.signatures.push({ on: p.functionCall ? 'functionCall' : p.thought ? 'thought' : p.text ? 'text' : 'empty', value: p.thoughtSignature });
      }
      if (cand?.finishReason) r.finishReason = cand.finishReason;
      if (chunk.usageMetadata) r.usage = chunk.usageMetadata as Record<string, unknown>;
    }
  } catch (e) {
    r.error = e as Error;
  }
  return r;
}

const start: StreamEvent = { type: 'start', id: 'resp_9', model: 'upstream-model', created: 1 };
const usage = { input: 12, cacheRead: 100, cacheWrite: 8, output: 50, reasoning: 20 };

describe('Gemini stream encoding (checked with @google/genai)', () => {
  it('text, usage with cache read/write and reasoning, finish', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hello' },
      { type: 'text_delta', index: 0, text: ', world' },
      { type: 'block_end', index: 0 },
      { type: 'usage', usage },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(wire.endsWith('\r\n\r\n')).toBe(true);
    for (const frame of wire.split('\r\n\r\n').slice(0, -1)) expect(frame.startsWith('data: {')).toBe(true);
    const r = await viaSdk(wire);
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('Hello, world');
    expect(r.finishReason).toBe('STOP');
    expect(r.usage).toEqual({ promptTokenCount: 120, cachedContentTokenCount: 100, candidatesTokenCount: 30, thoughtsTokenCount: 20, totalTokenCount: 170 });
    expect(r.chunks.every((c) => c.modelVersion === 'my-group' && c.responseId === 'resp_9')).toBe(true);
    // Only the last chunk carries finishReason.
    expect(r.chunks.filter((c) => c.candidates?.[0]?.finishReason)).toHaveLength(1);
    expect(r.chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('reasoning with a signature: thought parts, and the signature on the next non-thought part', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'reasoning_delta', index: 0, text: 'Thinking ' },
      { type: 'reasoning_delta', index: 0, text: 'hard.' },
      { type: 'signature', index: 0, signature: { provider: 'anthropic', value: 'sig-A' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'Answer.' },
      { type: 'block_end', index: 1 },
      { type: 'finish', reason: 'stop' },
    ]);
    const r = await viaSdk(wire);
    expect(r.thoughts).toBe('Thinking hard.');
    expect(r.text).toBe('Answer.');
    expect(r.signatures).toHaveLength(1);
    expect(r.signatures[0]!.on).toBe('text');
    expect(opaqueFromSlot(r.signatures[0]!.value, 'gemini')).toEqual({ provider: 'anthropic', value: 'sig-A' });
  });

  it('a reasoning signature with nothing after it rides an empty text part in the last chunk', async () => {
    const r = await viaSdk(encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'signature', index: 0, signature: { provider: 'gemini', value: 'G-SIG' } },
      { type: 'block_end', index: 0 },
      { type: 'finish', reason: 'stop' },
    ]));
    expect(r.signatures).toEqual([{ on: 'empty', value: 'G-SIG' }]);
    expect(r.chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('two parallel tool calls (arguments in pieces) and a tool without arguments → tool_calls as STOP', async () => {
    const r = await viaSdk(encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_a', name: 'weather' } },
      { type: 'tool_arguments_delta', index: 0, json: '{"ci' },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_b', name: 'weather' } },
      { type: 'tool_arguments_delta', index: 1, json: '{"city":"Oslo"}' },
      { type: 'tool_arguments_delta', index: 0, json: 'ty":"Paris"}' },
      { type: 'block_end', index: 0 },
      { type: 'block_end', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_c', name: 'now' } },
      { type: 'signature', index: 2, signature: { provider: 'gemini', value: 'fc-sig' } },
      { type: 'block_end', index: 2 },
      { type: 'usage', usage: { input: 5, cacheRead: 0, cacheWrite: 0, output: 9, reasoning: 0 } },
      { type: 'finish', reason: 'tool_calls' },
    ]));
    expect(r.calls).toEqual([
      { id: 'call_a', name: 'weather', args: { city: 'Paris' } },
      { id: 'call_b', name: 'weather', args: { city: 'Oslo' } },
      { id: 'call_c', name: 'now', args: {} },
    ]);
    expect(r.signatures).toEqual([{ on: 'functionCall', value: 'fc-sig' }]);
    expect(r.finishReason).toBe('STOP');
    expect(r.usage).toEqual({ promptTokenCount: 5, candidatesTokenCount: 9, totalTokenCount: 14 });
  });

  it('an error mid-stream becomes an error chunk the SDK throws on, after the text it had', async () => {
    const r = await viaSdk(encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Partial' },
      { type: 'error', error: { kind: 'overloaded', message: 'Upstream overloaded' } },
    ]));
    expect(r.text).toBe('Partial');
    expect(r.error?.message).toContain('Upstream overloaded');
    expect((r.error as Error & { status?: number }).status).toBe(503);
    expect(r.finishReason).toBeUndefined();
  });

  it('a stream that ended early ends with an error chunk, never a finishReason', async () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'cut' },
    ], 'sse', true);
    const r = await viaSdk(wire);
    expect(r.text).toBe('cut');
    expect(r.error?.message).toContain('ended before it finished');
    expect(wire).not.toContain('finishReason');
  });

  it('relays a recorded Gemini stream: same text, calls, signatures, usage and finish', async () => {
    for (const name of ['vercel__google-text.chunks.txt', 'vercel__google-stream-no-args-tool-call.chunks.txt', 'vercel__google-tool-call-gemini3.chunks.txt']) {
      const reader = new SseReader();
      const dec = new GeminiStreamDecoder();
      const events: StreamEvent[] = [];
      for (const b of wireEvents(`gemini/${name}`)) for (const e of reader.push(b)) events.push(...dec.push(e));
      events.push(...dec.end());
      const r = await viaSdk(encode(events));
      const lines = readFileSync(`${fixturesDir()}/gemini/${name}`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const parts = lines.flatMap((l) => l.candidates?.[0]?.content?.parts ?? []);
      expect(r.text, name).toBe(parts.filter((p: any) => typeof p.text === 'string' && !p.thought).map((p: any) => p.text).join(''));
      expect(r.thoughts, name).toBe(parts.filter((p: any) => p.thought).map((p: any) => p.text).join(''));
      expect(r.signatures.map((s) => s.value), name).toEqual(parts.filter((p: any) => p.thoughtSignature).map((p: any) => p.thoughtSignature));
      expect(r.calls.map((c) => c.name), name).toEqual(parts.filter((p: any) => p.functionCall?.name).map((p: any) => p.functionCall.name));
      const last = lines.at(-1).usageMetadata;
      expect(r.usage, name).toEqual({
        promptTokenCount: last.promptTokenCount, candidatesTokenCount: last.candidatesTokenCount, thoughtsTokenCount: last.thoughtsTokenCount, totalTokenCount: last.totalTokenCount,
      });
      expect(r.finishReason, name).toBe('STOP');
    }
  });

  it('sends the last text of a block when the block ends, not after the next block', () => {
    const norm = new StreamNormalizer();
    const enc = geminiCodec.createStreamEncoder(REQ, { geminiAlt: 'sse' });
    const push = (e: StreamEvent) => norm.push(e).map((n) => enc.push(n)).join('');
    push(start);
    push({ type: 'block_start', index: 0, block: { type: 'text' } });
    push({ type: 'text_delta', index: 0, text: 'Let me check.' });
    expect(push({ type: 'block_end', index: 0 })).toContain('Let me check.');
    expect(push({ type: 'block_start', index: 1, block: { type: 'tool_call', id: 't', name: 'f' } })).toBe('');
    expect(push({ type: 'tool_arguments_delta', index: 1, json: '{"a":' })).toBe('');
  });

  it('a text signature from Gemini joins its text part (no extra part)', () => {
    const wire = encode([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Signed.' },
      { type: 'signature', index: 0, signature: { provider: 'gemini', value: 'T-SIG' } },
      { type: 'block_end', index: 0 },
      { type: 'finish', reason: 'stop' },
    ]);
    const chunks = wire.split('\r\n\r\n').filter(Boolean).map((f) => JSON.parse(f.slice('data: '.length)));
    expect(chunks[0].candidates[0].content.parts).toEqual([{ text: 'Signed.', thoughtSignature: 'T-SIG' }]);
    expect(chunks).toHaveLength(2);
  });
});

describe('Gemini JSON-array stream framing (no alt=sse)', () => {
  const events: StreamEvent[] = [
    start,
    { type: 'block_start', index: 0, block: { type: 'text' } },
    { type: 'text_delta', index: 0, text: 'Hi' },
    { type: 'block_end', index: 0 },
    { type: 'usage', usage: { input: 3, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 } },
    { type: 'finish', reason: 'stop' },
  ];

  it('frames like the real recording: "[" + chunks joined by "\\n,\\r\\n" + "\\n]", 2-space JSON', () => {
    const wire = encode(events, 'json-array');
    const recorded = readFileSync(`${fixturesDir()}/gemini/extracted/llmgemini__test_prompt.resp0.jsonarray`, 'utf8');
    expect(recorded.startsWith('[{\n  "candidates"')).toBe(true);
    expect(wire.startsWith('[{\n  "candidates"')).toBe(true);
    expect(recorded.includes('}\n,\r\n{')).toBe(true);
    expect(wire.split('}\n,\r\n{')).toHaveLength(2);
    expect(wire.endsWith('}\n]')).toBe(true);
    expect(recorded.endsWith('}\n]')).toBe(true);
    const chunks = JSON.parse(wire) as Array<Record<string, any>>;
    expect(chunks.map((c) => c.candidates[0].content.parts)).toEqual([[{ text: 'Hi' }], [{ text: '' }]]);
    expect(chunks[1]!.candidates[0].finishReason).toBe('STOP');
    expect(chunks[1]!.usageMetadata).toEqual({ promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 });
    expect(geminiCodec.streamContentType({ geminiAlt: 'json-array' })).toBe('application/json');
    expect(geminiCodec.streamContentType()).toBe('text/event-stream');
  });

  it('closes the array after an error chunk, and when nothing was sent', () => {
    const wire = encode([start, { type: 'error', error: { kind: 'rate_limit', message: 'slow down' } }], 'json-array');
    expect(JSON.parse(wire)).toEqual([{ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } }]);
    const enc = geminiCodec.createStreamEncoder(REQ, { geminiAlt: 'json-array' });
    expect(enc.end()).toBe('[]');
    expect(enc.end()).toBe('');
  });
});
