import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../../src/protocols/canonical';
import { StreamNormalizer } from '../../../src/protocols/normalize';

function run(events: StreamEvent[], end = true): StreamEvent[] {
  const n = new StreamNormalizer(() => 'msg_x');
  const out = events.flatMap((e) => n.push(e));
  return end ? [...out, ...n.end()] : out;
}

const start: StreamEvent = { type: 'start', id: 'm1', model: 'x', created: 1 };
const usage = { input: 1, cacheRead: 0, cacheWrite: 0, output: 2, reasoning: 0 };

describe('StreamNormalizer', () => {
  it('drops a duplicate start and empty blocks, numbers blocks densely, closes them before finish', () => {
    const out = run([
      start, start,
      { type: 'block_start', index: 5, block: { type: 'text' } },
      { type: 'text_delta', index: 5, text: '' },
      { type: 'block_end', index: 5 },
      { type: 'block_start', index: 7, block: { type: 'text' } },
      { type: 'text_delta', index: 7, text: 'hi' },
      { type: 'block_start', index: 9, block: { type: 'tool_call', id: 't', name: 'f' } },
      { type: 'tool_arguments_delta', index: 9, json: '{}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage },
      { type: 'text_delta', index: 7, text: 'late' },
    ]);
    expect(out).toEqual([
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'hi' },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 't', name: 'f' } },
      { type: 'tool_arguments_delta', index: 1, json: '{}' },
      { type: 'block_end', index: 0 },
      { type: 'block_end', index: 1 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage },
    ]);
  });

  it('starts a text block for a delta with no start, and makes up a missing start event', () => {
    const out = run([{ type: 'text_delta', index: 0, text: 'a' }, { type: 'finish', reason: 'stop' }]);
    expect(out.map((e) => e.type)).toEqual(['start', 'block_start', 'text_delta', 'block_end', 'finish']);
    expect(out[0]).toMatchObject({ type: 'start', id: 'msg_x' });
  });

  it('ends an unfinished stream with an error after closing its blocks', () => {
    const out = run([start, { type: 'text_delta', index: 0, text: 'a' }]);
    expect(out.slice(-2)).toEqual([
      { type: 'block_end', index: 0 },
      { type: 'error', error: { kind: 'upstream', message: 'The upstream stream ended before it finished.' } },
    ]);
  });

  it('keeps one end per block and ignores events for unknown blocks; reports meaningful content', () => {
    const n = new StreamNormalizer();
    n.push(start);
    expect(n.hasContent).toBe(false);
    expect(n.push({ type: 'block_end', index: 3 })).toEqual([]);
    expect(n.push({ type: 'tool_arguments_delta', index: 3, json: '{' })).toEqual([]);
    n.push({ type: 'block_start', index: 0, block: { type: 'reasoning' } });
    expect(n.hasContent).toBe(false);
    const sig = { provider: 'anthropic' as const, value: 's' };
    expect(n.push({ type: 'signature', index: 0, signature: sig })).toEqual([
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'signature', index: 0, signature: sig },
    ]);
    expect(n.hasContent).toBe(true);
    expect(n.push({ type: 'block_end', index: 0 })).toEqual([{ type: 'block_end', index: 0 }]);
    expect(n.push({ type: 'block_end', index: 0 })).toEqual([]);
    expect(n.push({ type: 'error', error: { kind: 'rate_limit', message: 'x' } })).toHaveLength(1);
    expect(n.push({ type: 'finish', reason: 'stop' })).toEqual([]);
    expect(n.end()).toEqual([]);
  });
});
