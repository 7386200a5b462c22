/**
 * Anthropic stream decoding of every recorded Anthropic stream in shared/fixtures/anthropic, fed
 * through SseReader at several chunkings and through StreamNormalizer. Expected values are read
 * from the recording itself by a small independent reference reader, and pinned by hand for the
 * quirk cases (usage revised in message_delta, cache read/write, refusal, duplicate / spliced
 * message_start, a tool without arguments).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnthropicStreamDecoder } from '../../../src/protocols/anthropic/stream-decode';
import type { StreamEvent, Usage } from '../../../src/protocols/canonical';
import { fixturesDir, wireEvents } from '../../upstream/recordings';
import { concat, cut, decodeThrough, seededSizes as seeded } from './stream-harness';

/** Bytes → SseReader (in the given pieces) → decoder → normalizer. `created` is dropped (it is the clock). */
const decodePieces = (pieces: Uint8Array[]) => decodeThrough(new AnthropicStreamDecoder(), pieces, { zeroCreated: true });

const DIR = path.join(fixturesDir(), 'anthropic');
const STREAMS = readdirSync(DIR).filter((f) => f.endsWith('.chunks.txt') || f.endsWith('.stream.jsonl')).sort();

/** What a client gets out of canonical events. */
function summarize(events: StreamEvent[]) {
  const tools = events
    .filter((e): e is Extract<StreamEvent, { type: 'block_start' }> => e.type === 'block_start' && e.block.type === 'tool_call')
    .map((s) => ({
      id: s.block.type === 'tool_call' ? s.block.id : '',
      name: s.block.type === 'tool_call' ? s.block.name : '',
      args: events.filter((e) => e.type === 'tool_arguments_delta' && e.index === s.index).map((e) => (e as { json: string }).json).join(''),
    }));
  const last = <T extends StreamEvent['type']>(t: T) => events.filter((e) => e.type === t).at(-1) as Extract<StreamEvent, { type: T }> | undefined;
  return {
    starts: events.filter((e) => e.type === 'start').length,
    text: events.filter((e) => e.type === 'text_delta').map((e) => (e as { text: string }).text).join(''),
    reasoning: events.filter((e) => e.type === 'reasoning_delta').map((e) => (e as { text: string }).text).join(''),
    signatures: events.filter((e) => e.type === 'signature').map((e) => (e as { signature: { value: string } }).signature.value),
    tools,
    usage: last('usage')?.usage,
    finish: last('finish')?.reason,
    error: last('error')?.error,
  };
}

/** Payloads of a recording, straight from the file (independent of the SSE framing). */
function payloads(file: string): Array<Record<string, any>> {
  const lines = readFileSync(path.join(DIR, file), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.map((l) => JSON.parse(file.endsWith('.jsonl') ? JSON.parse(l).Data : l));
}

/** Reference reading of a single-message recording: text, thinking, signatures, tool calls, final usage and stop reason. */
function reference(file: string) {
  const kinds = new Map<number, string>();
  const tools = new Map<number, { id: string; name: string; args: string }>();
  let text = '';
  let reasoning = '';
  const signatures: string[] = [];
  let usage: Record<string, any> = {};
  let stop: string | undefined;
  for (const p of payloads(file)) {
    if (p.type === 'message_start') usage = { ...usage, ...p.message.usage };
    if (p.type === 'message_delta') {
      stop = p.delta.stop_reason;
      usage = { ...usage, ...Object.fromEntries(Object.entries(p.usage).filter(([, v]) => v !== null)) };
    }
    if (p.type === 'content_block_start') {
      kinds.set(p.index, p.content_block.type);
      if (p.content_block.type === 'tool_use') tools.set(p.index, { id: p.content_block.id, name: p.content_block.name, args: '' });
    }
    if (p.type === 'content_block_delta') {
      const d = p.delta;
      if (d.type === 'text_delta') text += d.text;
      if (d.type === 'thinking_delta') reasoning += d.thinking;
      if (d.type === 'signature_delta') signatures.push(d.signature);
      if (d.type === 'input_json_delta' && kinds.get(p.index) === 'tool_use') tools.get(p.index)!.args += d.partial_json;
    }
  }
  const expectedUsage: Usage = {
    input: usage.input_tokens ?? 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    reasoning: usage.output_tokens_details?.thinking_tokens ?? 0,
    ...(usage.server_tool_use?.web_search_requests > 0 && { webSearchRequests: usage.server_tool_use.web_search_requests }),
  };
  return { text, reasoning, signatures, tools: [...tools.values()].map((t) => ({ ...t, args: t.args === '' ? '{}' : t.args })), usage: expectedUsage, stop };
}

const FINISH: Record<string, string> = { end_turn: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'refusal', stop_sequence: 'stop' };
const SPLICED = 'vercel__spliced-message-start.chunks.txt';

describe('Anthropic stream decoding of every recording', () => {
  it('covers every Anthropic stream recording', () => {
    expect(STREAMS.length).toBe(13);
  });

  for (const file of STREAMS) {
    describe(file, () => {
      const name = `anthropic/${file}`;
      const events = wireEvents(name);
      const whole = decodePieces(events);

      it('gives the same events whatever the chunking (per event, every byte, random sizes)', () => {
        const bytes = concat(events);
        expect(decodePieces(cut(bytes, () => 1))).toEqual(whole);
        expect(decodePieces(cut(bytes, seeded(7, 64)))).toEqual(whole);
        expect(decodePieces(cut(bytes, seeded(42, 5)))).toEqual(whole);
        expect(decodePieces([bytes])).toEqual(whole);
      });

      it('gives the same events without `event:` lines (the JSON type decides)', () => {
        const text = new TextDecoder().decode(concat(events)).replace(/^event: .*\n/gm, '');
        expect(decodePieces([new TextEncoder().encode(text)])).toEqual(whole);
      });

      if (file === SPLICED) return;

      it('reproduces the recording: text, thinking, signatures, tool calls, usage, finish', () => {
        const got = summarize(whole);
        const ref = reference(file);
        expect(got.starts).toBe(1);
        expect(got.error).toBeUndefined();
        expect(got.text).toBe(ref.text);
        expect(got.reasoning).toBe(ref.reasoning);
        expect(got.signatures).toEqual(ref.signatures);
        expect(got.tools).toEqual(ref.tools);
        for (const t of got.tools) expect(() => JSON.parse(t.args)).not.toThrow();
        expect(got.usage).toEqual(ref.usage);
        expect(got.finish).toBe(FINISH[ref.stop ?? 'end_turn']);
      });
    });
  }
});

describe('Anthropic stream decoding: pinned quirks', () => {
  const read = (file: string) => summarize(decodePieces(wireEvents(`anthropic/${file}`)));

  it('takes usage revised by message_delta (61 input tokens, not message_start 43)', () => {
    expect(read('vercel__anthropic-message-delta-input-tokens.chunks.txt').usage).toEqual({ input: 61, cacheRead: 0, cacheWrite: 0, output: 2, reasoning: 0 });
  });

  it('maps cache reads and writes (input excludes both) on padded payloads', () => {
    expect(read('vercel__anthropic-issue-5942-cache-read.chunks.txt')).toMatchObject({
      text: 'OK', finish: 'length', usage: { input: 3, cacheRead: 18639, cacheWrite: 0, output: 1, reasoning: 0 },
    });
    expect(read('vercel__anthropic-issue-5942-cache-write.chunks.txt').usage).toMatchObject({ input: 3, cacheRead: 0 });
    expect(read('vercel__anthropic-issue-5942-cache-write.chunks.txt').usage!.cacheWrite).toBeGreaterThan(0);
    expect(read('vercel__anthropic-code-execution-20260120-prompt-cache.1.chunks.txt').usage).toEqual({ input: 6, cacheRead: 6289, cacheWrite: 3337, output: 198, reasoning: 0 });
  });

  it('gives `{}` for a tool whose only input_json_delta is ""', () => {
    expect(read('vercel__anthropic-tool-no-args.chunks.txt').tools).toEqual([{ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', args: '{}' }]);
  });

  it('reads two parallel tool calls after thinking (Bedrock), and the thinking signature (clear-thinking)', () => {
    const think = read('axonhub__anthropic-think.stream.jsonl');
    expect(think.tools.map((t) => [t.name, JSON.parse(t.args)])).toEqual([
      ['get_coordinates', { location: 'San Francisco, CA' }],
      ['get_temperature_unit', { country: 'United States' }],
    ]);
    expect(think.finish).toBe('tool_calls');
    expect(read('vercel__anthropic-clear-thinking.1.chunks.txt').signatures[0]).toMatch(/^EvQBCkYICxgC/);
  });

  it('ends a refusal with no content blocks as `refusal`', () => {
    const events = decodePieces(wireEvents('anthropic/vercel__anthropic-refusal.chunks.txt'));
    expect(events.filter((e) => e.type === 'block_start')).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'refusal' });
  });

  it('web search: the search as a server_tool event, citations on their text blocks, search count in usage', () => {
    const file = 'vercel__anthropic-web-search-tool.1.chunks.txt';
    const ws = read(file);
    expect(ws.tools).toEqual([]);
    expect(ws.text.length).toBeGreaterThan(1000);
    expect(ws.usage?.webSearchRequests).toBe(1);
    const events = decodePieces(wireEvents(`anthropic/${file}`));
    const starts = events.filter((e) => e.type === 'block_start').map((e) => (e as { index: number }).index);
    expect(starts).toEqual(starts.map((_, i) => i)); // dense: server tool blocks are no blocks
    const raw = payloads(file);
    const result = raw.find((p) => p.type === 'content_block_start' && p.content_block.type === 'web_search_tool_result')!.content_block;
    const tools = events.filter((e) => e.type === 'server_tool').map((e) => (e as Extract<StreamEvent, { type: 'server_tool' }>).tool);
    expect(tools).toEqual([{
      type: 'server_tool', id: 'srvtoolu_01Bj5uzzLcYG5hfueSLcDH8k', name: 'web_search', arguments: '{"query": "tech news today September 26 2025"}',
      sources: result.content.map((r: { url: string; title: string }) => ({ url: r.url, title: r.title })),
    }]);
    // The server tool comes before the first text block (its order in the recording).
    expect(events.findIndex((e) => e.type === 'server_tool')).toBeLessThan(events.findIndex((e) => e.type === 'block_start'));
    // Every citations_delta arrives, on the block of its text, right after that block starts.
    const wireCitations = raw.filter((p) => p.type === 'content_block_delta' && p.delta.type === 'citations_delta').map((p) => p.delta.citation);
    const citations = events.filter((e) => e.type === 'citation') as Array<Extract<StreamEvent, { type: 'citation' }>>;
    expect(citations.map((c) => c.citation)).toEqual(wireCitations.map((c) => ({
      url: c.url, title: c.title, citedText: c.cited_text, opaque: { provider: 'anthropic', value: c.encrypted_index },
    })));
    for (const c of citations) {
      const at = events.findIndex((e) => e === c);
      const start = events.findIndex((e) => e.type === 'block_start' && e.index === c.index);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start).toBeLessThan(at);
      expect(events.slice(start, at).some((e) => e.type === 'text_delta')).toBe(false);
    }
    const cited = new Set(citations.map((c) => c.index));
    expect(cited.size).toBe(9);
  });

  it('ignores a repeated message_start of the same message', () => {
    expect(read('vercel__duplicate-message-start.chunks.txt')).toMatchObject({ starts: 1, text: 'Hello, World!', finish: 'stop', usage: { input: 17, output: 227 } });
  });

  it('fails a different message spliced in after content began (its blocks cannot be trusted)', () => {
    const got = read(SPLICED);
    expect(got.starts).toBe(1);
    expect(got.signatures).toEqual(['sig-first']);
    expect(got.finish).toBeUndefined();
    expect(got.error).toMatchObject({ kind: 'upstream' });
    expect(got.error!.message).toContain('msg_second');
  });
});

describe('Anthropic stream decoding: odd input', () => {
  const sse = (...events: string[]) => new TextEncoder().encode(events.join(''));
  const START = 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}\n\n';

  it('skips malformed JSON and unknown events', () => {
    const got = summarize(decodePieces([sse(
      START,
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
      'event: content_block_delta\ndata: {not json\n\n',
      'event: future_event\ndata: {"type":"future_event"}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    )]));
    expect(got).toMatchObject({ text: 'ok', finish: 'stop', usage: { input: 5, output: 3 } });
  });

  it('turns an in-stream error event into a canonical error', () => {
    const got = summarize(decodePieces([sse(START, 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')]));
    expect(got.error).toEqual({ kind: 'overloaded', message: 'Overloaded', code: 'overloaded_error' });
    const raw = summarize(decodePieces([sse(START, 'event: error\ndata: upstream exploded\n\n')]));
    expect(raw.error).toEqual({ kind: 'upstream', message: 'upstream exploded' });
  });

  it('finishes a body cut after message_delta, and reports one cut before it as ended early', () => {
    const delta = 'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":9}}\n\n';
    expect(summarize(decodePieces([sse(START, delta)])).finish).toBe('length');
    const early = summarize(decodePieces([sse(START)]));
    expect(early.finish).toBeUndefined();
    expect(early.error?.kind).toBe('upstream');
  });

  it('takes a tool input given whole in content_block_start when no deltas follow', () => {
    const got = summarize(decodePieces([sse(
      START,
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    )]));
    expect(got.tools).toEqual([{ id: 'toolu_1', name: 'f', args: '{"a":1}' }]);
  });

  it('decodes redacted thinking and envelopes from other providers in the signature slot', () => {
    const envelope = `oe1_${Buffer.from(JSON.stringify({ p: 'gemini', v: 'g-sig' })).toString('base64url')}`;
    const events = decodePieces([sse(
      START,
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"RED"}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":"","signature":""}}\n\n',
      `event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"${envelope}"}}\n\n`,
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    )]);
    expect(events).toContainEqual({ type: 'redacted_reasoning', index: 0, data: { provider: 'anthropic', value: 'RED' } });
    expect(events).toContainEqual({ type: 'signature', index: 1, signature: { provider: 'gemini', value: 'g-sig' } });
  });
});
