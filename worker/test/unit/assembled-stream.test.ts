/**
 * A logged stream body read back as text, reasoning and tool calls (admin/assembled-stream.ts),
 * from the real recordings of each protocol, whole and cut as the log size cuts them.
 */
import { describe, expect, it, vi } from 'vitest';
import { assembleLoggedStream } from '../../src/admin/assembled-stream';
import { wireEvents, type RenderOptions } from '../upstream/recordings';

const body = (name: string, opts?: RenderOptions) => Buffer.concat(wireEvents(name, opts)).toString('utf8');

describe('assembleLoggedStream', () => {
  it('OpenAI Chat: the text of the deltas, the finish and the usage', () => {
    const a = assembleLoggedStream('openai-chat', body('openai-chat/vercel__openai-text.chunks.txt'))!;
    expect(a.text.length).toBeGreaterThan(20);
    expect(a.text).not.toContain('data:');
    expect(a.finishReason).toBe('stop');
    expect(a.incomplete).toBe(false);
    expect(a.usage?.output).toBeGreaterThan(0);
  });

  it('OpenAI Chat: parallel tool calls with their names and whole JSON arguments', () => {
    const a = assembleLoggedStream('openai-chat', body('openai-chat/axonhub__openai-parallel_multiple_tool.stream.jsonl'))!;
    expect(a.toolCalls.length).toBeGreaterThanOrEqual(2);
    for (const call of a.toolCalls) {
      expect(call.name).not.toBe('');
      expect(() => JSON.parse(call.arguments)).not.toThrow();
    }
    expect(a.finishReason).toBe('tool_calls');
  });

  it('Anthropic: thinking apart from the text', () => {
    const a = assembleLoggedStream('anthropic', body('anthropic/axonhub__anthropic-think.stream.jsonl'))!;
    expect(a.reasoning.length).toBeGreaterThan(0);
    expect(a.text.length).toBeGreaterThan(0);
    expect(a.text).not.toContain(a.reasoning.slice(0, 20));
    expect(a.finishReason).not.toBeNull();
  });

  it('Anthropic: tool_use blocks with their inputs', () => {
    const a = assembleLoggedStream('anthropic', body('anthropic/axonhub__anthropic-tool.stream.jsonl'))!;
    expect(a.toolCalls).toHaveLength(2);
    for (const call of a.toolCalls) expect(JSON.parse(call.arguments)).toBeTypeOf('object');
    expect(a.finishReason).toBe('tool_calls');
  });

  it('Gemini JSON-array stream (no alt=sse): a function call; and the same over SSE', () => {
    const name = 'gemini/extracted/llmgemini__test_tools_with_gemini_3_thought_signatures.resp0.jsonarray';
    const a = assembleLoggedStream('gemini', body(name))!;
    expect(a.toolCalls.map((c) => c.name)).toEqual(['multiply']);
    expect(JSON.parse(a.toolCalls[0]!.arguments)).toEqual({ x: 5, y: 3 });
    const text = assembleLoggedStream('gemini', body('gemini/vercel__google-text.chunks.txt', { alt: 'sse' }))!;
    expect(text.text.length).toBeGreaterThan(0);
    const arr = assembleLoggedStream('gemini', body('gemini/vercel__google-text.chunks.txt', { alt: 'json-array' }))!;
    expect(arr.text).toBe(text.text);
  });

  it('a body cut by the log size: the text so far, marked incomplete', () => {
    const whole = body('anthropic/axonhub__anthropic-think.stream.jsonl');
    const full = assembleLoggedStream('anthropic', whole)!;
    const cut = assembleLoggedStream('anthropic', whole.slice(0, Math.floor(whole.length * 0.6)))!;
    expect(cut.incomplete).toBe(true);
    expect(cut.finishReason).toBeNull();
    expect((full.reasoning + full.text).startsWith(cut.reasoning)).toBe(true);
  });

  it('not a stream of that protocol: null, never a throw', () => {
    expect(assembleLoggedStream('openai-chat', '{"error":{"message":"bad key"}}')).toBeNull();
    expect(assembleLoggedStream('anthropic', '')).toBeNull();
    expect(assembleLoggedStream('gemini', '[{"candid')).toBeNull();
    expect(assembleLoggedStream('openai-responses', 'data: {not json}\n\n')).toBeNull();
  });

  it('a protocol this build has no codec for (a row from a newer version, or edited by hand): null, never a throw', () => {
    expect(assembleLoggedStream('some-future-protocol' as never, 'data: {"choices":[]}\n\n')).toBeNull();
  });
});

describe('assembleLoggedStream on hostile bodies (the largest logged body, 512 KiB)', () => {
  const MAX = 512 * 1024;
  it('skips events that are not JSON, and gives up on a body of events that decode to nothing', () => {
    // Counted, not timed: each JSON.parse of a junk event is what cost over a second per body.
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const junk = 'data: x\n\n'.repeat(Math.floor(MAX / 9));
      expect(assembleLoggedStream('openai-chat', junk)).toBeNull();
      expect(parse.mock.calls.length).toBe(0);
      const barren = 'data: {"nothing":1}\n\n'.repeat(Math.floor(MAX / 21));
      expect(assembleLoggedStream('anthropic', barren)).toBeNull();
      expect(parse.mock.calls.length).toBeLessThanOrEqual(250);
      parse.mockClear();
      const geminiJunk = `[${'{x},'.repeat(Math.floor(MAX / 4))}]`;
      expect(assembleLoggedStream('gemini', geminiJunk)).toBeNull();
      expect(parse.mock.calls.length).toBeLessThanOrEqual(250);
    } finally {
      parse.mockRestore();
    }
  });

  it('still assembles a real stream that follows a few junk events', () => {
    const real = Buffer.concat(wireEvents('openai-chat/vercel__openai-text.chunks.txt')).toString('utf8');
    const a = assembleLoggedStream('openai-chat', `data: x\n\n: comment\n\n${real}`)!;
    expect(a.text.length).toBeGreaterThan(20);
    expect(a.finishReason).toBe('stop');
  });
});
