/** relay/reasoning-recall.ts: which turns are recalled, where the parts go back, what an answer leaves to remember. */
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse, ReasoningPart, StreamEvent } from '../../src/protocols/canonical';
import {
  TurnReasoningCollector, recallIds, remembersReasoning, remembersTextSignatures, textKey, textRecallIds, textTurnOfResponse, turnOfResponse, withRecalled,
  withRecalledTextSignatures,
} from '../../src/relay/reasoning-recall';

const signed: ReasoningPart = { type: 'reasoning', text: 'Let me call the tool.', signature: { provider: 'anthropic', value: 'sig' } };
const call = (id: string) => ({ type: 'tool_call' as const, id, name: 'f', arguments: '{}' });

function request(protocol: CanonicalRequest['extensions']['protocol'], assistant: CanonicalRequest['messages'][number]['parts']): CanonicalRequest {
  return {
    model: 'g', system: [], tools: [], sampling: {}, stream: false, extensions: { protocol, fields: {} },
    messages: [{ role: 'user', parts: [{ type: 'text', text: 'q' }] }, { role: 'assistant', parts: assistant }, { role: 'user', parts: [{ type: 'tool_result', toolCallId: 'a', content: [] }] }],
  };
}

describe('recallIds', () => {
  it("asks for a Chat client's last tool turn without signed reasoning, by its ids in order", () => {
    expect(recallIds(request('openai-chat', [{ type: 'text', text: 'x' }, call('a'), call('b')]))).toEqual(['a', 'b']);
    // Unsigned reasoning text (reasoning_content) does not count as carried.
    expect(recallIds(request('openai-chat', [{ type: 'reasoning', text: 'plain' }, call('a')]))).toEqual(['a']);
  });

  it('asks nothing when the turn carries its signed reasoning, has no tool call, or the client has a slot', () => {
    expect(recallIds(request('openai-chat', [signed, call('a')]))).toBeUndefined();
    expect(recallIds(request('openai-chat', [{ type: 'text', text: 'x' }]))).toBeUndefined();
    expect(recallIds(request('anthropic', [call('a')]))).toBeUndefined();
    expect(recallIds(request('gemini', [call('a')]))).toBeUndefined();
  });
});

describe('withRecalled', () => {
  it('puts the parts at the head of the last assistant turn, in place of unsigned reasoning, leaving the rest', () => {
    const req = request('openai-chat', [{ type: 'reasoning', text: 'plain' }, { type: 'text', text: 'x' }, call('a')]);
    const out = withRecalled(req, [signed]);
    expect(out.messages[1]!.parts).toEqual([signed, { type: 'text', text: 'x' }, call('a')]);
    expect(out.messages[0]).toBe(req.messages[0]);
    expect(req.messages[1]!.parts[0]).toEqual({ type: 'reasoning', text: 'plain' }); // the client's request is untouched
  });
});

describe('what an answer leaves to remember', () => {
  it('a whole answer: its tool call ids and Anthropic-signed reasoning, only with both', () => {
    const res = (content: CanonicalResponse['content']): CanonicalResponse => ({ id: 'm', model: 'c', content, finishReason: 'tool_calls', usage: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 }, created: 0 });
    expect(turnOfResponse(res([signed, { type: 'text', text: 'x' }, call('a'), call('b')]), 7)).toEqual({ owner: 7, toolCallIds: ['a', 'b'], parts: [signed] });
    expect(turnOfResponse(res([signed, { type: 'text', text: 'x' }]), 7)).toBeUndefined();
    expect(turnOfResponse(res([{ type: 'reasoning', text: 'unsigned' }, call('a')]), 7)).toBeUndefined();
    expect(turnOfResponse(res([{ type: 'reasoning', text: 't', signature: { provider: 'gemini', value: 'g' } }, call('a')]), 7)).toBeUndefined();
  });

  it('a stream: thinking text, signature and redacted data per block, then the tool calls', () => {
    const c = new TurnReasoningCollector();
    const events: StreamEvent[] = [
      { type: 'start', id: 'm', model: 'c', created: 0 },
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'reasoning_delta', index: 0, text: 'Let me ' },
      { type: 'reasoning_delta', index: 0, text: 'call the tool.' },
      { type: 'signature', index: 0, signature: { provider: 'anthropic', value: 'sig' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'reasoning' } },
      { type: 'redacted_reasoning', index: 1, data: { provider: 'anthropic', value: 'RED' } },
      { type: 'block_end', index: 1 },
    ];
    c.push(events);
    expect(c.turn(7)).toBeUndefined(); // no tool call yet
    c.push([{ type: 'block_start', index: 2, block: { type: 'tool_call', id: 'toolu_1', name: 'f' } }, { type: 'block_end', index: 2 }]);
    expect(c.turn(7)).toEqual({ owner: 7, toolCallIds: ['toolu_1'], parts: [signed, { type: 'reasoning', text: '', redacted: { provider: 'anthropic', value: 'RED' } }] });
  });

  it('is only kept for an Anthropic channel answering a Chat client', () => {
    expect(remembersReasoning('openai-chat', 'anthropic')).toBe(true);
    expect(remembersReasoning('openai-chat', 'gemini')).toBe(false);
    expect(remembersReasoning('anthropic', 'anthropic')).toBe(false);
    expect(remembersReasoning('openai-responses', 'anthropic')).toBe(false);
  });
});

describe('Gemini text signatures for an Anthropic client', () => {
  const gsig = { provider: 'gemini' as const, value: 'CiQB-gemini-sig' };
  const answer = (parts: CanonicalResponse['content']): CanonicalResponse => ({ id: 'r', model: 'm', content: parts, finishReason: 'stop', usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 }, created: 0 });

  it('keys an answer by its whole text (stable, length-bound, distinct for other texts)', () => {
    expect(textKey('There are 3')).toBe(textKey('There are 3'));
    expect(textKey('There are 3')).not.toBe(textKey('There are 4'));
    expect(textKey('ab')).toMatch(/^txt:[0-9a-f]+:2$/);
  });

  it('remembers the signatures of a Gemini answer under its text, and a replay of that text recalls them', () => {
    expect(remembersTextSignatures('anthropic', 'gemini')).toBe(true);
    expect(remembersTextSignatures('openai-chat', 'gemini')).toBe(false);
    const turn = textTurnOfResponse(answer([{ type: 'text', text: 'There are ' }, { type: 'text', text: '3.', signature: gsig }]), 7)!;
    expect(turn).toEqual({ owner: 7, toolCallIds: [textKey('There are 3.')], parts: [{ type: 'reasoning', text: '', signature: gsig }] });
    expect(textTurnOfResponse(answer([{ type: 'text', text: 'unsigned' }]), 7)).toBeUndefined();
    // The Anthropic client replays the text (as one block or several).
    const replay = request('anthropic', [{ type: 'text', text: 'There are ' }, { type: 'text', text: '3.' }]);
    expect(textRecallIds(replay)).toEqual(turn.toolCallIds);
    expect(textRecallIds(request('openai-chat', [{ type: 'text', text: 'There are 3.' }]))).toBeUndefined();
    expect(textRecallIds(request('anthropic', [{ type: 'text', text: 'x', signature: gsig }]))).toBeUndefined();
  });

  it('puts one signature back on the last text part, several one per text part, and never on a mismatch', () => {
    const replay = request('anthropic', [{ type: 'text', text: 'a' }, call('t'), { type: 'text', text: 'b' }]);
    const one = withRecalledTextSignatures(replay, [{ type: 'reasoning', text: '', signature: gsig }]);
    expect(one.messages[1]!.parts).toEqual([{ type: 'text', text: 'a' }, call('t'), { type: 'text', text: 'b', signature: gsig }]);
    const two = withRecalledTextSignatures(replay, [gsig, { ...gsig, value: 'second' }].map((signature) => ({ type: 'reasoning' as const, text: '', signature })));
    expect(two.messages[1]!.parts.map((p) => (p.type === 'text' ? p.signature?.value : undefined))).toEqual(['CiQB-gemini-sig', undefined, 'second']);
    const three = [1, 2, 3].map((n) => ({ type: 'reasoning' as const, text: '', signature: { ...gsig, value: `s${n}` } }));
    expect(withRecalledTextSignatures(replay, three)).toBe(replay);
    // An Anthropic signature is never put on a text part for Gemini.
    expect(withRecalledTextSignatures(replay, [signed])).toBe(replay);
  });

  it('collects a streamed answer\'s text and its trailing signature', () => {
    const c = new TurnReasoningCollector();
    c.push([
      { type: 'block_start', index: 0, block: { type: 'text' } }, { type: 'text_delta', index: 0, text: 'There are ' }, { type: 'text_delta', index: 0, text: '3.' },
      { type: 'signature', index: 0, signature: gsig }, { type: 'block_end', index: 0 },
    ] as StreamEvent[]);
    expect(c.textTurn(3)).toEqual({ owner: 3, toolCallIds: [textKey('There are 3.')], parts: [{ type: 'reasoning', text: '', signature: gsig }] });
    expect(c.turn(3)).toBeUndefined();
  });
});
