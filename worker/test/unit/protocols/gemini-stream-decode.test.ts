/**
 * Gemini upstream streams → canonical events: every Gemini recording (alt=sse payloads re-framed
 * `data: …\r\n\r\n`, and the JSON-array bodies) fed at several chunkings through SseReader (or
 * JsonArrayReader), GeminiStreamDecoder and StreamNormalizer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StreamEvent, Usage } from '../../../src/protocols/canonical';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { SseReader, type SseEvent } from '../../../src/protocols/sse';
import { GeminiStreamDecoder, JsonArrayReader } from '../../../src/protocols/gemini/stream';
import { fixturesDir, wireEvents } from '../../upstream/recordings';
import { chunkings, decodeThrough, type EventReader } from './stream-harness';

/** Runs bytes through reader → decoder → normalizer; `created` is zeroed (it may be "now"). */
const decode = (chunks: Uint8Array[], reader: EventReader) => decodeThrough(new GeminiStreamDecoder(), chunks, { reader, zeroCreated: true });


interface Summary {
  text: string;
  reasoning: string;
  calls: Array<{ id: string; name: string; args: unknown }>;
  usage?: Usage;
  finish?: string;
  signatures: string[];
}

function summarize(events: StreamEvent[]): Summary {
  const s: Summary = { text: '', reasoning: '', calls: [], signatures: [] };
  const args = new Map<number, string>();
  const calls = new Map<number, { id: string; name: string }>();
  for (const e of events) {
    if (e.type === 'text_delta') s.text += e.text;
    if (e.type === 'reasoning_delta') s.reasoning += e.text;
    if (e.type === 'block_start' && e.block.type === 'tool_call') calls.set(e.index, { id: e.block.id, name: e.block.name });
    if (e.type === 'tool_arguments_delta') args.set(e.index, (args.get(e.index) ?? '') + e.json);
    if (e.type === 'signature') {
      expect(e.signature.provider).toBe('gemini');
      s.signatures.push(e.signature.value);
    }
    if (e.type === 'usage') s.usage = e.usage;
    if (e.type === 'finish') s.finish = e.reason;
  }
  for (const [index, c] of calls) s.calls.push({ ...c, args: JSON.parse(args.get(index) ?? '') });
  return s;
}

/** Facts read straight from a recording's chunks (independently of the decoder). */
function facts(chunks: Array<Record<string, any>>) {
  let text = '';
  let reasoning = '';
  const signatures: string[] = [];
  let lastUsage: Record<string, number> | undefined;
  for (const c of chunks) {
    for (const p of c.candidates?.[0]?.content?.parts ?? []) {
      if (typeof p.text === 'string') {
        if (p.thought) reasoning += p.text;
        else text += p.text;
      }
      if (p.thoughtSignature) signatures.push(p.thoughtSignature);
    }
    if (c.usageMetadata?.totalTokenCount !== undefined) lastUsage = c.usageMetadata;
  }
  return { text, reasoning, signatures, lastUsage: lastUsage! };
}

/** Canonical usage computed by hand from Gemini's rules: prompt includes cached; candidates exclude thoughts. */
function expectedUsage(u: Record<string, number>): Usage {
  const cached = u.cachedContentTokenCount ?? 0;
  const thoughts = u.thoughtsTokenCount ?? 0;
  return { input: (u.promptTokenCount ?? 0) - cached, cacheRead: cached, cacheWrite: 0, output: (u.candidatesTokenCount ?? 0) + thoughts, reasoning: thoughts };
}

function checkInvariants(events: StreamEvent[]): void {
  expect(events[0]?.type).toBe('start');
  const open = new Set<number>();
  let next = 0;
  for (const e of events) {
    if (e.type === 'block_start') {
      expect(e.index).toBe(next++);
      open.add(e.index);
    }
    if (e.type === 'block_end') expect(open.delete(e.index)).toBe(true);
  }
  expect(open.size).toBe(0);
  expect(events.filter((e) => e.type === 'finish')).toHaveLength(1);
  expect(events.some((e) => e.type === 'error')).toBe(false);
}

/** What each recording must decode to, beyond the facts computed from its chunks. */
const SSE_CASES: Record<string, { finish: string; calls: Array<{ name: string; args: unknown }>; signedBlocks: string[] }> = {
  'vercel__google-text.chunks.txt': { finish: 'stop', calls: [], signedBlocks: ['text'] },
  'vercel__google-reasoning.chunks.txt': { finish: 'stop', calls: [], signedBlocks: ['text'] },
  'vercel__google-tool-call.chunks.txt': { finish: 'tool_calls', calls: [{ name: 'weather', args: { location: 'San Francisco' } }], signedBlocks: ['tool_call'] },
  'vercel__google-tool-call-gemini3.chunks.txt': { finish: 'tool_calls', calls: [{ name: 'weather', args: { location: 'San Francisco' } }], signedBlocks: ['tool_call'] },
  'vercel__google-stream-tool-call-arguments.chunks.txt': {
    finish: 'tool_calls',
    calls: [{ name: 'getWeather', args: { location: 'Boston' } }, { name: 'getWeather', args: { location: 'San Francisco' } }],
    signedBlocks: ['tool_call'],
  },
  'vercel__google-stream-no-args-tool-call.chunks.txt': {
    finish: 'tool_calls',
    calls: [{ name: 'read_theme', args: {} }, { name: 'read_screen', args: { id: 'A' } }, { name: 'read_screen', args: { id: 'B' } }, { name: 'read_screen', args: { id: 'C' } }],
    signedBlocks: ['tool_call'],
  },
};

/** Block kinds that received a signature event. */
function signedKinds(events: StreamEvent[]): string[] {
  const kinds = new Map<number, string>();
  const out: string[] = [];
  for (const e of events) {
    if (e.type === 'block_start') kinds.set(e.index, e.block.type);
    if (e.type === 'signature') out.push(kinds.get(e.index)!);
  }
  return out;
}

describe('Gemini stream decoding of alt=sse recordings', () => {
  for (const [name, want] of Object.entries(SSE_CASES)) {
    it(name, () => {
      const wire = wireEvents(`gemini/${name}`, { alt: 'sse' });
      const results = Object.entries(chunkings(wire)).map(([how, chunks]) => ({ how, events: decode(chunks, new SseReader()) }));
      const reference = results[0]!.events;
      for (const r of results) expect(r.events, r.how).toEqual(reference);
      checkInvariants(reference);

      const lines = readFileSync(`${fixturesDir()}/gemini/${name}`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const f = facts(lines);
      const s = summarize(reference);
      expect(s.text).toBe(f.text);
      expect(s.reasoning).toBe(f.reasoning);
      expect(s.signatures).toEqual(f.signatures);
      expect(s.usage).toEqual(expectedUsage(f.lastUsage));
      expect(s.finish).toBe(want.finish);
      expect(s.calls.map(({ name: n, args }) => ({ name: n, args }))).toEqual(want.calls);
      expect(new Set(s.calls.map((c) => c.id)).size).toBe(s.calls.length);
      for (const c of s.calls) expect(c.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect([...new Set(signedKinds(reference))]).toEqual(want.signedBlocks);
      const start = reference[0] as Extract<StreamEvent, { type: 'start' }>;
      expect(start.id).toBe(lines[0].responseId);
      expect(start.model).toBe(lines[0].modelVersion);
    });
  }

  it('reports usage each time the cumulative numbers change, never summed', () => {
    const events = decode(wireEvents('gemini/vercel__google-text.chunks.txt'), new SseReader());
    const usages = events.filter((e): e is Extract<StreamEvent, { type: 'usage' }> => e.type === 'usage').map((e) => e.usage);
    expect(usages).toEqual([
      { input: 9, cacheRead: 0, cacheWrite: 0, output: 190, reasoning: 185 },
      { input: 9, cacheRead: 0, cacheWrite: 0, output: 208, reasoning: 185 },
    ]);
  });

  it('uses the Vertex createTime for `created` when present', () => {
    const decoder = new GeminiStreamDecoder();
    const [start] = decoder.push({ data: readFileSync(`${fixturesDir()}/gemini/vercel__google-stream-tool-call-arguments.chunks.txt`, 'utf8').split('\n')[0]! });
    expect(start).toMatchObject({ type: 'start', created: Math.floor(Date.parse('2026-04-02T17:03:50.399550Z') / 1000) });
  });
});

const JSON_ARRAY_CASES: Record<string, { text: string; reasoning: boolean; finish: string; calls: Array<{ name: string; args: unknown }>; usage: Usage }> = {
  'llmgemini__test_prompt.resp0.jsonarray': {
    text: 'Scoop', reasoning: true, finish: 'stop', calls: [],
    usage: { input: 11, cacheRead: 0, cacheWrite: 0, output: 293, reasoning: 291 },
  },
  'llmgemini__test_tools_with_gemini_3_thought_signatures.resp0.jsonarray': {
    text: '', reasoning: false, finish: 'tool_calls', calls: [{ name: 'multiply', args: { x: 5, y: 3 } }],
    usage: { input: 60, cacheRead: 0, cacheWrite: 0, output: 48, reasoning: 32 },
  },
  'llmgemini__test_tools_with_gemini_3_thought_signatures.resp1.jsonarray': {
    text: '5 times 3 is 15.', reasoning: false, finish: 'stop', calls: [],
    usage: { input: 121, cacheRead: 0, cacheWrite: 0, output: 9, reasoning: 0 },
  },
};

describe('Gemini stream decoding of JSON-array recordings (no alt=sse)', () => {
  for (const [name, want] of Object.entries(JSON_ARRAY_CASES)) {
    it(name, () => {
      const file = `gemini/extracted/${name}`;
      const wire = wireEvents(file);
      const results = Object.entries(chunkings(wire)).map(([how, chunks]) => ({ how, events: decode(chunks, new JsonArrayReader()) }));
      const reference = results[0]!.events;
      for (const r of results) expect(r.events, r.how).toEqual(reference);
      checkInvariants(reference);
      const f = facts(JSON.parse(readFileSync(`${fixturesDir()}/${file}`, 'utf8')));
      const s = summarize(reference);
      expect(s.text).toBe(want.text);
      expect(s.text).toBe(f.text);
      expect(s.reasoning).toBe(f.reasoning);
      expect(s.reasoning.length > 0).toBe(want.reasoning);
      expect(s.signatures).toEqual(f.signatures);
      expect(s.usage).toEqual(want.usage);
      expect(s.usage).toEqual(expectedUsage(f.lastUsage));
      expect(s.finish).toBe(want.finish);
      expect(s.calls.map(({ name: n, args }) => ({ name: n, args }))).toEqual(want.calls);
    });
  }
});

describe('JsonArrayReader', () => {
  it('splits elements whose strings hold braces, brackets, quotes and escapes, at any cut', () => {
    const elements = [{ a: 'x}]{["\\"' }, { b: [1, { c: '\u00e9\n' }] }, { error: { code: 500 } }];
    const body = `[${elements.map((e) => JSON.stringify(e, null, 2)).join('\n,\r\n')}\n]`;
    const bytes = new TextEncoder().encode(body);
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const r = new JsonArrayReader();
      const out: SseEvent[] = [];
      for (let at = 0; at < bytes.length; at += size) out.push(...r.push(bytes.subarray(at, at + size)));
      out.push(...r.end());
      expect(out.map((e) => JSON.parse(e.data)), `size ${size}`).toEqual(elements);
    }
  });

  it('reads a bare object body and drops an element cut short', () => {
    const r = new JsonArrayReader();
    expect(r.push('{"error":{"code":429}}').map((e) => e.data)).toEqual(['{"error":{"code":429}}']);
    const cut = new JsonArrayReader();
    expect(cut.push('[{"a":1}\n,\r\n{"b":')).toHaveLength(1);
    expect(cut.end()).toEqual([]);
  });
});

describe('Gemini stream decoding of odd input', () => {
  const data = (o: unknown): SseEvent => ({ data: JSON.stringify(o) });

  it('turns an in-stream error chunk into a canonical error and ignores what follows', () => {
    const d = new GeminiStreamDecoder();
    const out = [
      ...d.push(data({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] } }], responseId: 'r1' })),
      ...d.push(data({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })),
      ...d.push(data({ candidates: [{ content: { parts: [{ text: 'late' }] }, finishReason: 'STOP' }] })),
    ];
    expect(out.at(-1)).toEqual({ type: 'error', error: { kind: 'overloaded', message: 'The model is overloaded.', code: 'UNAVAILABLE' } });
    expect(out.filter((e) => e.type === 'text_delta')).toHaveLength(1);
  });

  it('skips malformed JSON and keeps going', () => {
    const d = new GeminiStreamDecoder();
    expect(d.push({ data: '{not json' })).toEqual([]);
    expect(d.push({ data: '[DONE]' })).toEqual([]);
    expect(d.push(data({ candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }], responseId: 'r' })).map((e) => e.type))
      .toEqual(['start', 'block_start', 'text_delta', 'block_end', 'finish']);
  });

  it('maps finish reasons (MAX_TOKENS, SAFETY, MALFORMED_FUNCTION_CALL) and a prompt blocked before any candidate', () => {
    const finishOf = (chunk: unknown) => new GeminiStreamDecoder().push(data(chunk)).find((e) => e.type === 'finish');
    expect(finishOf({ candidates: [{ content: { parts: [{ text: 'a' }] }, finishReason: 'MAX_TOKENS' }] })).toEqual({ type: 'finish', reason: 'length' });
    expect(finishOf({ candidates: [{ finishReason: 'SAFETY' }] })).toEqual({ type: 'finish', reason: 'content_filter' });
    expect(finishOf({ candidates: [{ finishReason: 'MALFORMED_FUNCTION_CALL' }] })).toEqual({ type: 'finish', reason: 'error' });
    expect(finishOf({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } }))
      .toEqual({ type: 'finish', reason: 'content_filter' });
  });

  it('counts cached and tool-use prompt tokens as Gemini defines them', () => {
    const d = new GeminiStreamDecoder();
    const out = d.push(data({ candidates: [{ content: { parts: [{ text: 'x' }] } }], usageMetadata: {
      promptTokenCount: 1000, cachedContentTokenCount: 800, toolUsePromptTokenCount: 7, candidatesTokenCount: 20, thoughtsTokenCount: 30, totalTokenCount: 1057,
    } }));
    expect(out.find((e) => e.type === 'usage')).toEqual({ type: 'usage', usage: { input: 207, cacheRead: 800, cacheWrite: 0, output: 50, reasoning: 30 } });
  });

  it('signs a reasoning block with a trailing empty-text signature when no text block is open', () => {
    const d = new GeminiStreamDecoder();
    const n = new StreamNormalizer();
    const evs = [
      ...d.push(data({ candidates: [{ content: { parts: [{ text: 'think', thought: true }] } }] })),
      ...d.push(data({ candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: {} } }] } }] })),
      ...d.push(data({ candidates: [{ content: { parts: [{ text: '', thoughtSignature: 'SIG' }] }, finishReason: 'STOP' }] })),
    ].flatMap((e) => n.push(e));
    const kinds = new Map<number, string>();
    for (const e of evs) if (e.type === 'block_start') kinds.set(e.index, e.block.type);
    const sig = evs.find((e) => e.type === 'signature') as Extract<StreamEvent, { type: 'signature' }>;
    expect(kinds.get(sig.index)).toBe('reasoning');
    expect(sig.index).toBe(2);
    expect(evs.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' });
  });
});
