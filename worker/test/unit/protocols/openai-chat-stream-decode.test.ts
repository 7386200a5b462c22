/**
 * OpenAI Chat stream decoding: every recorded Chat Completions stream (openai-chat/ and
 * openai-compatible/, see shared/fixtures/PROVENANCE.md) through SseReader at several chunkings,
 * the decoder and the StreamNormalizer; plus synthetic edge cases.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamEvent, Usage } from '../../../src/protocols/canonical';
import { OpenAIChatStreamDecoder } from '../../../src/protocols/openai-chat/stream-decode';
import { fixturesDir, wireEvents } from '../../upstream/recordings';
import { concat, cut as split, decodeThrough, seededSizes } from './stream-harness';

/** Bytes → SseReader → decoder → normalizer, with the given piece list. */
const decodePieces = (pieces: Uint8Array[]) => decodeThrough(new OpenAIChatStreamDecoder(), pieces);

// ---- helpers -------------------------------------------------------------------------------

/** Decodes a recording at every chunking and checks they all agree; returns the events. */
function decodeRecording(name: string): StreamEvent[] {
  const events = wireEvents(name);
  const whole = decodePieces(events);
  const bytes = concat(events);
  expect(decodePieces([bytes])).toEqual(whole);
  expect(decodePieces(split(bytes, () => 1))).toEqual(whole);
  for (const seed of [7, 42, 1234]) expect(decodePieces(split(bytes, seededSizes(seed)))).toEqual(whole);
  return whole;
}

function decodeText(text: string): StreamEvent[] {
  return decodePieces([new TextEncoder().encode(text)]);
}

interface Summary {
  start?: Extract<StreamEvent, { type: 'start' }>;
  text: string;
  reasoning: string;
  tools: Array<{ id: string; name: string; arguments: string }>;
  usage?: Usage;
  usageEvents: number;
  finish?: string;
  error?: Extract<StreamEvent, { type: 'error' }>['error'];
  signatures: number;
}

/** Folds canonical events into what a client would end up with. */
function summarize(events: StreamEvent[]): Summary {
  const s: Summary = { text: '', reasoning: '', tools: [], usageEvents: 0, signatures: 0 };
  const toolByBlock = new Map<number, Summary['tools'][number]>();
  for (const e of events) {
    switch (e.type) {
      case 'start': s.start = e; break;
      case 'block_start':
        if (e.block.type === 'tool_call') {
          const t = { id: e.block.id, name: e.block.name, arguments: '' };
          toolByBlock.set(e.index, t);
          s.tools.push(t);
        }
        break;
      case 'text_delta': s.text += e.text; break;
      case 'reasoning_delta': s.reasoning += e.text; break;
      case 'tool_arguments_delta': toolByBlock.get(e.index)!.arguments += e.json; break;
      case 'usage': s.usage = e.usage; s.usageEvents++; break;
      case 'finish': s.finish = e.reason; break;
      case 'error': s.error = e.error; break;
      case 'signature': case 'redacted_reasoning': s.signatures++; break;
      default: break;
    }
  }
  return s;
}

/** Checks the block invariants a client encoder relies on: dense indexes, one start and end each, sequential blocks. */
function expectWellFormed(events: StreamEvent[]): void {
  expect(events[0]?.type).toBe('start');
  let open: number | undefined;
  let next = 0;
  for (const e of events) {
    if (e.type === 'block_start') {
      expect(open).toBeUndefined();
      expect(e.index).toBe(next++);
      open = e.index;
    } else if (e.type === 'block_end') {
      expect(e.index).toBe(open);
      open = undefined;
    } else if ('index' in e) {
      expect(e.index).toBe(open);
    }
  }
  expect(open).toBeUndefined();
  expect(events.filter((e) => e.type === 'finish' || e.type === 'error')).toHaveLength(1);
}

/** Text of choice 0 computed straight from the recording's payload lines (an independent oracle). */
function recordedContent(file: string, field: 'content' | 'reasoning_content'): string {
  const lines = readFileSync(path.join(fixturesDir(), file), 'utf8').split('\n').filter((l) => l.trim() !== '');
  let s = '';
  for (const line of lines) {
    const chunk = JSON.parse(line) as { choices?: Array<{ index: number; delta?: Record<string, unknown> }> };
    for (const c of chunk.choices ?? []) {
      const v = c.index === 0 ? c.delta?.[field] : undefined;
      if (typeof v === 'string') s += v;
    }
  }
  return s;
}

const usage = (input: number, cacheRead: number, output: number, reasoning: number): Usage => ({ input, cacheRead, cacheWrite: 0, output, reasoning });

// ---- recordings ----------------------------------------------------------------------------

describe('OpenAI Chat stream decoder — recordings', () => {
  it('openai-chat/vercel__openai-text.chunks.txt: text, final choices:[] usage chunk, stop', () => {
    const events = decodeRecording('openai-chat/vercel__openai-text.chunks.txt');
    expectWellFormed(events);
    const s = summarize(events);
    expect(s.start).toEqual({ type: 'start', id: 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0', model: 'gpt-4.1-nano-2025-04-14', created: 1770933892 });
    const expected = recordedContent('openai-chat/vercel__openai-text.chunks.txt', 'content');
    expect(expected.length).toBeGreaterThan(1000);
    expect(s.text).toBe(expected);
    expect(s.tools).toEqual([]);
    expect(s.usage).toEqual(usage(16, 0, 300, 0));
    expect(s.finish).toBe('stop');
    expect(s.signatures).toBe(0);
  });

  it('openai-chat/axonhub__openai-parallel_multiple_tool.stream.jsonl: two parallel tool calls split over many chunks', () => {
    const events = decodeRecording('openai-chat/axonhub__openai-parallel_multiple_tool.stream.jsonl');
    expectWellFormed(events);
    const s = summarize(events);
    expect(s.text).toBe('');
    expect(s.tools).toEqual([
      { id: 'call_tooG2dAMZaICWBfsYU5LYyvs', name: 'get_user_city', arguments: '{"user_id": "123"}' },
      { id: 'call_Ul0yUvKCpLfl5c32FHPcASEB', name: 'get_user_language', arguments: '{"user_id": "123"}' },
    ]);
    for (const t of s.tools) expect(JSON.parse(t.arguments)).toEqual({ user_id: '123' });
    expect(s.usage).toEqual(usage(104, 0, 49, 0));
    expect(s.usageEvents).toBe(1);
    expect(s.finish).toBe('tool_calls');
  });

  it('openai-chat/axonhub__openai-multiple_choice_tool.stream.jsonl (n=2): only choice 0 reaches canonical', () => {
    const events = decodeRecording('openai-chat/axonhub__openai-multiple_choice_tool.stream.jsonl');
    expectWellFormed(events);
    const s = summarize(events);
    expect(s.tools).toEqual([{ id: 'call_rozbrZN8cFD89vSENPvUNzAp', name: 'get_user_city', arguments: '{"user_id": "123"}' }]);
    expect(s.usage).toEqual(usage(104, 0, 98, 0));
    expect(s.finish).toBe('tool_calls');
  });

  it('openai-chat/vercel__azure-model-router.1.chunks.txt: empty-choices prompt-filter chunk first, reasoning tokens', () => {
    const events = decodeRecording('openai-chat/vercel__azure-model-router.1.chunks.txt');
    expectWellFormed(events);
    const s = summarize(events);
    // The Azure first chunk (id "", choices []) does not open the stream; the first real chunk does.
    expect(s.start).toEqual({ type: 'start', id: 'chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt', model: 'gpt-5-nano-2025-08-07', created: 1762317021 });
    expect(s.text).toBe(recordedContent('openai-chat/vercel__azure-model-router.1.chunks.txt', 'content'));
    expect(s.text.startsWith('Capital of Denmark.')).toBe(true);
    expect(s.usage).toEqual(usage(15, 0, 78, 64));
    expect(s.finish).toBe('stop');
  });

  it('openai-compatible/vercel__anthropic-fallback-tool-call.sse: first tool index is 1, empty argument fragments', () => {
    const events = decodeRecording('openai-compatible/vercel__anthropic-fallback-tool-call.sse');
    expectWellFormed(events);
    const s = summarize(events);
    expect(s.text).toBe('Reading it.');
    expect(s.tools).toEqual([{ id: 'toolu_sanitized', name: 'read_file', arguments: '{"path": "a.txt"}' }]);
    expect(s.usage).toBeUndefined();
    expect(s.finish).toBe('tool_calls');
    // text block 0 ends before tool block 1 starts
    expect(events.map((e) => e.type)).toEqual([
      'start', 'block_start', 'text_delta', 'text_delta', 'block_end',
      'block_start', 'tool_arguments_delta', 'tool_arguments_delta', 'block_end', 'finish',
    ]);
  });

  it('openai-compatible/vercel__deepseek-tool-call.chunks.txt: reasoning_content, tool call, DeepSeek cache usage', () => {
    const events = decodeRecording('openai-compatible/vercel__deepseek-tool-call.chunks.txt');
    expectWellFormed(events);
    const s = summarize(events);
    expect(s.reasoning).toBe(recordedContent('openai-compatible/vercel__deepseek-tool-call.chunks.txt', 'reasoning_content'));
    expect(s.reasoning.length).toBeGreaterThan(20);
    expect(s.text).toBe('');
    expect(s.tools).toHaveLength(1);
    expect(s.tools[0]!.id).toBe('call_00_ioIn7yN9p1ZOMNpDLwd4MgAF');
    expect(s.tools[0]!.name).toBe('weather');
    expect(JSON.parse(s.tools[0]!.arguments)).toEqual({ location: 'San Francisco' });
    // prompt 339 = 320 cache hits + 19 misses; completion 83 includes 39 reasoning tokens.
    expect(s.usage).toEqual(usage(19, 320, 83, 39));
    expect(s.finish).toBe('tool_calls');
    expect(events.find((e) => e.type === 'block_start')).toEqual({ type: 'block_start', index: 0, block: { type: 'reasoning' } });
  });
});

// ---- synthetic edge cases ------------------------------------------------------------------

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 5, model: 'm', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
const finishChunk = (reason: string) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 5, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: reason }] })}\n\n`;

describe('OpenAI Chat stream decoder — edge cases', () => {
  it('a tool call without arguments ends with "{}"', () => {
    const s = summarize(decodeText(
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'now', arguments: '' } }] })
      + finishChunk('tool_calls') + 'data: [DONE]\n\n'));
    expect(s.tools).toEqual([{ id: 'call_a', name: 'now', arguments: '{}' }]);
  });

  it('a repeated name in a later fragment of the same index is not a new call; text and tools share a chunk; args share the finish chunk', () => {
    const events = decodeText(
      chunk({ content: 'Hi', tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"a"' } }] })
      + chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: ':1' } }] })
      + `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '}' } }] }, finish_reason: 'tool_calls' }] })}\n\n`
      + 'data: [DONE]\n\n');
    expectWellFormed(events);
    const s = summarize(events);
    expect(s.text).toBe('Hi');
    expect(s.tools).toEqual([{ id: 'call_a', name: 'f', arguments: '{"a":1}' }]);
  });

  it('fragments without index: a new id is a new call, no id continues the last', () => {
    const s = summarize(decodeText(
      chunk({ tool_calls: [{ id: 'call_a', function: { name: 'f', arguments: '{"x":' } }] })
      + chunk({ tool_calls: [{ function: { arguments: '1}' } }] })
      + chunk({ tool_calls: [{ id: 'call_b', function: { name: 'g', arguments: '{}' } }] })
      + finishChunk('tool_calls')));
    expect(s.tools).toEqual([{ id: 'call_a', name: 'f', arguments: '{"x":1}' }, { id: 'call_b', name: 'g', arguments: '{}' }]);
  });

  it('a server that numbers every call 0: a different id on index 0 is a new call', () => {
    const s = summarize(decodeText(
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"n":1}' } }] })
      + chunk({ tool_calls: [{ index: 0, id: 'call_b', type: 'function', function: { name: 'f', arguments: '{"n":' } }] })
      + chunk({ tool_calls: [{ index: 0, function: { arguments: '2}' } }] })
      + finishChunk('tool_calls')));
    expect(s.tools).toEqual([{ id: 'call_a', name: 'f', arguments: '{"n":1}' }, { id: 'call_b', name: 'f', arguments: '{"n":2}' }]);
  });

  it('OpenRouter `reasoning`, usage on several chunks (cumulative, each change emitted), finish stop with tool calls → tool_calls', () => {
    const events = decodeText(
      ': OPENROUTER PROCESSING\n\n'
      + chunk({ reasoning: 'think' }, { usage: { prompt_tokens: 10, completion_tokens: 1 } })
      + chunk({ content: 'ok' }, { usage: { prompt_tokens: 10, completion_tokens: 1 } })
      + chunk({ tool_calls: [{ index: 0, id: 't', function: { name: 'f', arguments: '{}' } }] }, { usage: { prompt_tokens: 10, completion_tokens: 5 } })
      + finishChunk('stop') + 'data: [DONE]\n\n');
    const s = summarize(events);
    expect(s.reasoning).toBe('think');
    expect(s.text).toBe('ok');
    expect(s.usageEvents).toBe(2);
    expect(s.usage).toEqual(usage(10, 0, 5, 0));
    expect(s.finish).toBe('tool_calls');
  });

  it('when both reasoning_content and reasoning are sent (vLLM), the text is read once', () => {
    const s = summarize(decodeText(chunk({ reasoning_content: 'a', reasoning: 'a' }) + finishChunk('stop')));
    expect(s.reasoning).toBe('a');
  });

  it('an error payload mid-stream becomes an error event; later chunks are ignored', () => {
    const events = decodeText(
      chunk({ content: 'par' })
      + `data: ${JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } })}\n\n`
      + chunk({ content: 'more' }) + 'data: [DONE]\n\n');
    expectWellFormed(events);
    const s = summarize(events);
    expect(s.text).toBe('par');
    expect(s.error).toEqual({ kind: 'rate_limit', message: 'Rate limit reached', code: 'rate_limit_exceeded' });
    expect(s.finish).toBeUndefined();
  });

  it('OpenRouter-style numeric error code maps by HTTP status', () => {
    const s = summarize(decodeText(`data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'error' }], error: { code: 502, message: 'Provider returned error' } })}\n\n`));
    expect(s.error).toEqual({ kind: 'upstream', message: 'Provider returned error', code: '502' });
  });

  it('malformed JSON events are skipped', () => {
    const s = summarize(decodeText(chunk({ content: 'a' }) + 'data: {not json\n\n' + chunk({ content: 'b' }) + finishChunk('length')));
    expect(s.text).toBe('ab');
    expect(s.finish).toBe('length');
  });

  it('[DONE] without any finish_reason is a clean end (stop); a body cut off before either is an error', () => {
    expect(summarize(decodeText(chunk({ content: 'a' }) + 'data: [DONE]\n\n')).finish).toBe('stop');
    const cut = summarize(decodeText(chunk({ content: 'a' })));
    expect(cut.finish).toBeUndefined();
    expect(cut.error?.kind).toBe('upstream');
  });

  it('vLLM usage chunk with choices:null; finish reasons content_filter and function_call', () => {
    const s = summarize(decodeText(chunk({ content: 'x' }) + finishChunk('content_filter')
      + `data: ${JSON.stringify({ id: 'c1', choices: null, usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`));
    expect(s.finish).toBe('content_filter');
    expect(s.usage).toEqual(usage(3, 0, 1, 0));
    expect(summarize(decodeText(finishChunk('function_call'))).finish).toBe('tool_calls');
  });

  it('Groq x_groq.usage on the last chunk', () => {
    const s = summarize(decodeText(chunk({ content: 'x' }) + `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { id: 'req_1', usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } } })}\n\n`));
    expect(s.usage).toEqual(usage(7, 0, 2, 0));
  });

  it('refusal deltas become text', () => {
    const s = summarize(decodeText(chunk({ refusal: "I can't help" }) + finishChunk('stop')));
    expect(s.text).toBe("I can't help");
  });
});
