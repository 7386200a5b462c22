/**
 * Stream decoding of every OpenAI Responses recording in shared/fixtures/openai-responses: the real
 * wire bytes are fed through SseReader at several chunkings, the Responses decoder and the
 * StreamNormalizer; the canonical events must be the same every time and match the recording.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamEvent, Usage } from '../../../src/protocols/canonical';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { ResponsesStreamDecoder } from '../../../src/protocols/openai-responses/stream-decode';
import { ResponsesStreamEncoder } from '../../../src/protocols/openai-responses/stream-encode';
import { SseReader } from '../../../src/protocols/sse';
import { fixturesDir, wireEvents } from '../../upstream/recordings';
import { concat, decodeThrough } from './stream-harness';

/** Decodes raw SSE chunks into normalized canonical events. */
const decodeChunks = (chunks: Uint8Array[]) => decodeThrough(new ResponsesStreamDecoder(), chunks);

type Chunker = (bytes: Uint8Array, events: Uint8Array[]) => Uint8Array[];

const CHUNKERS: Record<string, Chunker> = {
  'whole events': (_bytes, events) => events,
  'every byte': (bytes) => Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)),
  'random sizes (seed 7)': (bytes) => {
    let s = 7;
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length;) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (s % 97);
      out.push(bytes.subarray(i, i + n));
      i += n;
    }
    return out;
  },
};

function decodeRecording(name: string): Record<string, StreamEvent[]> {
  const events = wireEvents(name);
  const bytes = concat(events);
  return Object.fromEntries(Object.entries(CHUNKERS).map(([label, chunk]) => [label, decodeChunks(chunk(bytes, events))]));
}

interface Summary {
  starts: Array<Extract<StreamEvent, { type: 'start' }>>;
  texts: string[];
  reasoning: Array<{ text: string; signature?: unknown }>;
  tools: Array<{ id: string; name: string; kind?: string; arguments: string }>;
  usage?: Usage;
  finishes: string[];
  errors: Array<Extract<StreamEvent, { type: 'error' }>['error']>;
}

/** What a client would rebuild from the canonical events; also checks block bookkeeping. */
function summarize(events: StreamEvent[]): Summary {
  const s: Summary = { starts: [], texts: [], reasoning: [], tools: [], finishes: [], errors: [] };
  const open = new Map<number, { kind: string; value: { text?: string; arguments?: string; signature?: unknown } }>();
  let next = 0;
  for (const e of events) {
    switch (e.type) {
      case 'start': s.starts.push(e); break;
      case 'block_start': {
        expect(e.index).toBe(next++);
        if (e.block.type === 'text') { const v = { text: '' }; s.texts.push(''); open.set(e.index, { kind: 'text', value: v }); }
        if (e.block.type === 'reasoning') { const v = { text: '' }; s.reasoning.push(v); open.set(e.index, { kind: 'reasoning', value: v }); }
        if (e.block.type === 'tool_call') {
          const v = { id: e.block.id, name: e.block.name, ...(e.block.kind && { kind: e.block.kind }), arguments: '' };
          s.tools.push(v);
          open.set(e.index, { kind: 'tool', value: v });
        }
        break;
      }
      case 'text_delta': s.texts[s.texts.length - 1] += e.text; break;
      case 'reasoning_delta': open.get(e.index)!.value.text += e.text; break;
      case 'tool_arguments_delta': open.get(e.index)!.value.arguments += e.json; break;
      case 'signature': open.get(e.index)!.value.signature = e.signature; break;
      case 'block_end': expect(open.delete(e.index)).toBe(true); break;
      case 'usage': s.usage = e.usage; break;
      case 'finish': s.finishes.push(e.reason); break;
      case 'error': s.errors.push(e.error); break;
      default: break;
    }
  }
  expect(open.size).toBe(0);
  return s;
}

/** The recording's JSON payloads, one per line. */
function payloads(name: string): Array<Record<string, any>> {
  return readFileSync(path.join(fixturesDir(), name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Events of the first response in a recording (up to its first terminal event). */
function firstResponse(name: string): Array<Record<string, any>> {
  const all = payloads(name);
  const end = all.findIndex((p) => ['response.completed', 'response.incomplete', 'response.failed', 'error'].includes(p.type));
  return all.slice(0, end + 1);
}

function sameEveryChunking(name: string): StreamEvent[] {
  const runs = decodeRecording(name);
  const [first, ...rest] = Object.values(runs);
  for (const r of rest) expect(r).toEqual(first);
  return first!;
}

describe('Responses stream decoder on recordings', () => {
  it('custom tool call: free-text input becomes {"input": …} arguments of a custom tool call', () => {
    const name = 'openai-responses/vercel__openai-custom-tool.1.chunks.txt';
    const s = summarize(sameEveryChunking(name));
    expect(s.starts).toEqual([{ type: 'start', id: 'resp_custom_tool_test_001', model: 'gpt-5.2-codex', created: 1741257730 }]);
    expect(s.texts).toEqual([]);
    expect(s.tools).toEqual([{ id: 'call_custom_sql_001', name: 'write_sql', kind: 'custom', arguments: expect.any(String) }]);
    expect(JSON.parse(s.tools[0]!.arguments)).toEqual({ input: 'SELECT * FROM users WHERE age > 25' });
    expect(s.usage).toEqual({ input: 50, cacheRead: 0, cacheWrite: 0, output: 20, reasoning: 0 });
    expect(s.finishes).toEqual(['tool_calls']);
    expect(s.errors).toEqual([]);
  });

  it('failing stream: the error event becomes one canonical error, response.failed adds nothing', () => {
    const name = 'openai-responses/vercel__openai-error.1.chunks.txt';
    const events = sameEveryChunking(name);
    const s = summarize(events);
    expect(s.starts.map((e) => e.id)).toEqual(['resp_05500b38c2cd9bfc00691c7c9d222481a3b595421266dab424']);
    expect(s.finishes).toEqual([]);
    expect(s.errors).toEqual([{
      kind: 'rate_limit',
      code: 'insufficient_quota',
      message: expect.stringMatching(/^You exceeded your current quota/),
    }]);
    expect(events.filter((e) => e.type === 'block_start')).toEqual([]);
  });

  it('reasoning with encrypted content (4 concatenated steps): only the first response, signature with item id', () => {
    const name = 'openai-responses/vercel__openai-reasoning-encrypted-content.1.chunks.txt';
    const first = firstResponse(name);
    const reasoningDone = first.find((p) => p.type === 'response.output_item.done' && p.item.type === 'reasoning')!.item;
    const callDone = first.find((p) => p.type === 'response.output_item.done' && p.item.type === 'function_call')!.item;
    const completed = first.at(-1)!.response;

    const events = sameEveryChunking(name);
    const s = summarize(events);
    expect(s.starts).toHaveLength(1);
    expect(s.starts[0]!.id).toBe(completed.id);
    expect(s.reasoning).toEqual([{
      text: reasoningDone.summary.map((p: { text: string }) => p.text).join('\n\n'),
      signature: { provider: 'openai-responses', value: reasoningDone.encrypted_content, itemId: reasoningDone.id },
    }]);
    expect(s.tools).toEqual([{ id: callDone.call_id, name: 'calculator', arguments: callDone.arguments }]);
    expect(JSON.parse(s.tools[0]!.arguments)).toEqual({ a: 12, b: 7, op: 'add' });
    expect(s.texts).toEqual([]);
    expect(s.usage).toEqual({ input: 134, cacheRead: 0, cacheWrite: 0, output: 28, reasoning: 0 });
    expect(s.finishes).toEqual(['tool_calls']);
    // Nothing of steps 2-4 leaks in (their usage would otherwise replace the first one).
    expect(events.filter((e) => e.type === 'usage')).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' });
  });

  it('web search: searches as server_tool events, annotations as citations of the text, search count in usage', () => {
    const name = 'openai-responses/vercel__openai-web-search-tool.1.chunks.txt';
    const all = payloads(name);
    const message = all.find((p) => p.type === 'response.output_item.done' && p.item.type === 'message')!.item;
    const events = sameEveryChunking(name);
    const s = summarize(events);
    expect(s.texts).toEqual([message.content[0].text]);
    expect(s.reasoning).toEqual([]);
    expect(s.tools).toEqual([]);
    const searches = all.filter((p) => p.type === 'response.output_item.done' && p.item.type === 'web_search_call').map((p) => p.item);
    expect(searches.length).toBe(6);
    expect(s.usage).toEqual({ input: 31073 - 3712, cacheRead: 3712, cacheWrite: 0, output: 4416, reasoning: 3712, webSearchRequests: 6 });
    expect(s.finishes).toEqual(['stop']);
    const tools = events.filter((e) => e.type === 'server_tool').map((e) => (e as Extract<StreamEvent, { type: 'server_tool' }>).tool);
    expect(tools.map((t) => t.id)).toEqual(searches.map((i) => i.id));
    // open_page / find_in_page keep their action as arguments and the page as source.
    expect(tools[2]).toEqual({ type: 'server_tool', id: searches[2].id, name: 'web_search', arguments: JSON.stringify({ type: 'open_page', url: searches[2].action.url }), sources: [{ url: searches[2].action.url }] });
    // Each annotation.added is a citation of the text block, in order, with its span.
    const textBlock = events.find((e) => e.type === 'block_start' && e.block.type === 'text') as Extract<StreamEvent, { type: 'block_start' }>;
    const citations = events.filter((e) => e.type === 'citation') as Array<Extract<StreamEvent, { type: 'citation' }>>;
    expect(citations.every((c) => c.index === textBlock.index)).toBe(true);
    expect(citations.map((c) => c.citation)).toEqual(message.content[0].annotations.map((a: any) => ({ url: a.url, title: a.title, start: a.start_index, end: a.end_index })));
  });

  it('takes annotations from the finished message when no annotation events came', () => {
    const name = 'openai-responses/vercel__openai-web-search-tool.1.chunks.txt';
    const text = new TextDecoder().decode(concat(wireEvents(name)));
    const without = text.split(/\n\n/).filter((e) => !e.includes('"response.output_text.annotation.added"')).join('\n\n');
    expect(without).not.toContain('response.output_text.annotation.added');
    const events = decodeChunks([new TextEncoder().encode(without)]);
    const message = payloads(name).find((p) => p.type === 'response.output_item.done' && p.item.type === 'message')!.item;
    expect(events.filter((e) => e.type === 'citation')).toHaveLength(message.content[0].annotations.length);
  });
});

describe('Responses stream decoder on odd input', () => {
  const sse = (payload: unknown) => ({ event: (payload as { type: string }).type, data: JSON.stringify(payload) });
  const created = { type: 'response.created', response: { id: 'resp_1', model: 'm', created_at: 5, output: [] } };

  function run(events: Array<{ event?: string; data: string }>): StreamEvent[] {
    const d = new ResponsesStreamDecoder();
    const n = new StreamNormalizer(() => 'fallback');
    const out: StreamEvent[] = [];
    for (const e of events) for (const c of d.push(e)) out.push(...n.push(c));
    for (const c of d.end()) out.push(...n.push(c));
    out.push(...n.end());
    return out;
  }

  it('skips malformed JSON and unknown events; a final item fills in text that had no deltas', () => {
    const s = summarize(run([
      sse(created),
      { event: 'response.output_text.delta', data: '{not json' },
      sse({ type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', content: [] } }),
      sse({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hel' }),
      sse({ type: 'response.something_new', output_index: 0 }),
      sse({ type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: 'msg_1', content: [{ type: 'output_text', text: 'Hello' }] } }),
      sse({ type: 'response.output_item.added', output_index: 1, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'now', arguments: '' } }),
      sse({ type: 'response.output_item.done', output_index: 1, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'now', arguments: '' } }),
      sse({ type: 'response.completed', response: { id: 'resp_1', status: 'completed', output: [] } }),
      sse({ type: 'response.completed', response: { id: 'resp_2', status: 'completed', usage: { input_tokens: 9 } } }),
    ]));
    expect(s.texts).toEqual(['Hello']);
    expect(s.tools).toEqual([{ id: 'call_1', name: 'now', arguments: '{}' }]);
    expect(s.finishes).toEqual(['tool_calls']);
    expect(s.usage).toBeUndefined();
  });

  it('incomplete (max_output_tokens) → length; a namespaced call gets a flat name; summary parts are separated', () => {
    const s = summarize(run([
      sse(created),
      sse({ type: 'response.output_item.added', output_index: 0, item: { type: 'reasoning', id: 'rs_1', summary: [] } }),
      sse({ type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 0, delta: 'a' }),
      sse({ type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 1, delta: 'b' }),
      sse({ type: 'response.output_item.done', output_index: 0, item: { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'a' }, { type: 'summary_text', text: 'b' }] } }),
      sse({ type: 'response.output_item.added', output_index: 1, item: { type: 'function_call', call_id: 'c', name: 'spawn', namespace: 'agents', arguments: '' } }),
      sse({ type: 'response.function_call_arguments.delta', output_index: 1, delta: '{"x"' }),
      sse({ type: 'response.function_call_arguments.done', output_index: 1, arguments: '{"x":1}' }),
      sse({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } }),
    ]));
    expect(s.reasoning).toEqual([{ text: 'a\n\nb' }]);
    expect(s.tools).toEqual([{ id: 'c', name: 'agents__spawn', arguments: '{"x":1}' }]);
    expect(s.finishes).toEqual(['length']);
  });

  it('response.failed without an error event carries response.error; an early end becomes an error', () => {
    const failed = summarize(run([sse(created), sse({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: 'boom' } } })]));
    expect(failed.errors).toEqual([{ kind: 'upstream', code: 'server_error', message: 'boom' }]);
    const early = summarize(run([sse(created), sse({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'x' })]));
    expect(early.texts).toEqual(['x']);
    expect(early.errors).toHaveLength(1);
  });
});

describe('Responses stream decoder and encoder never throw', () => {
  it('survive 3000 random events (seeded); the re-encoded client stream stays well-formed', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T,>(xs: T[]): T => xs[rnd(xs.length)]!;
    const types = [
      'response.created', 'response.output_item.added', 'response.output_item.done', 'response.output_text.delta',
      'response.reasoning_summary_text.delta', 'response.reasoning_text.delta', 'response.function_call_arguments.delta',
      'response.function_call_arguments.done', 'response.custom_tool_call_input.delta', 'response.custom_tool_call_input.done',
      'response.refusal.delta', 'response.completed', 'response.incomplete', 'response.failed', 'error', 'bogus',
    ];
    const values = [undefined, null, 0, 1, -1, 'x', '', '{', [], {}, { type: 'message' }, { type: 'reasoning', encrypted_content: 'e' },
      { type: 'function_call', call_id: 'c', name: 'n' }, { type: 'custom_tool_call', call_id: 'c', name: 'n', input: 'i' }];
    for (let run = 0; run < 100; run++) {
      const decoder = new ResponsesStreamDecoder();
      const norm = new StreamNormalizer();
      const out: StreamEvent[] = [];
      for (let i = 0; i < 30; i++) {
        const payload: Record<string, unknown> = { type: pick(types) };
        for (const key of ['output_index', 'item', 'delta', 'arguments', 'input', 'response', 'summary_index', 'error', 'code', 'message']) {
          if (rnd(2)) payload[key] = key === 'output_index' ? rnd(3) : pick(values);
        }
        const data = rnd(10) === 0 ? '{"broken' : JSON.stringify(payload);
        expect(() => { for (const e of decoder.push({ data })) out.push(...norm.push(e)); }).not.toThrow();
      }
      out.push(...decoder.end().flatMap((e) => norm.push(e)), ...norm.end());
      expect(() => summarize(out)).not.toThrow();
      // Whatever came out, the client stream is well-formed: sequence numbers 0.., one terminal event last.
      const enc = new ResponsesStreamEncoder({
        model: 'g', system: [], messages: [], tools: [], sampling: {}, stream: true, extensions: { protocol: 'openai-responses', fields: {} },
      });
      const wire = out.map((e) => enc.push(e)).join('') + enc.end();
      const reader = new SseReader();
      const sent = [...reader.push(wire), ...reader.end()].map((e) => JSON.parse(e.data) as { type: string; sequence_number: number });
      sent.forEach((e, i) => expect(e.sequence_number).toBe(i));
      const terminal = sent.filter((e) => ['response.completed', 'response.incomplete', 'response.failed'].includes(e.type));
      expect(terminal).toHaveLength(1);
      expect(sent.at(-1)).toBe(terminal[0]);
    }
  });
});

