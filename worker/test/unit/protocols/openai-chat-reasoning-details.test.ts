/**
 * `reasoning_details` (OpenRouter / Vercel AI SDK Chat extension, openai-chat/reasoning-details.ts)
 * both ways: an Anthropic reply reaches a Chat client with its signed thinking and redacted
 * thinking in `reasoning_details` (whole body and stream), the client sends the message back as
 * is, and the next Anthropic request carries the exact blocks with thinking on; an OpenRouter-style
 * upstream's details become signed reasoning; a signature never goes to another provider.
 * Thinking text and signature: fixtures/anthropic/vercel__anthropic-clear-thinking.1.chunks.txt;
 * the redacted data is made up (the gateway never looks inside it).
 */
import { describe, expect, it } from 'vitest';
import { RequestDecodeError, type CanonicalRequest, type StreamEvent } from '../../../src/protocols/canonical';
import { codecFor } from '../../../src/protocols/index';
import { carriesEnvelope } from '../../../src/protocols/passthrough';
import { RECORDED_THINKING, signature, thinkingText } from './recorded-thinking';

type Json = Record<string, any>;
const anthropic = codecFor('anthropic');
const chat = codecFor('openai-chat');

const THINKING = { ...RECORDED_THINKING };
const REDACTED = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4a' };
const TOOL_USE = { type: 'tool_use', id: 'toolu_01A', name: 'divide', input: { a: 925, b: 5 } };
const REPLY = {
  id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [THINKING, REDACTED, TOOL_USE],
  stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 10, output_tokens: 20 },
};
const TOOLS = [{ type: 'function', function: { name: 'divide', parameters: { type: 'object', properties: {} } } }];
/** Anthropic's data travels as `oe1_` envelopes (no Chat upstream may take it for its own). */
const EXPECTED_DETAILS = [
  { type: 'reasoning.text', text: thinkingText, signature: expect.stringMatching(/^oe1_/), format: 'unknown', index: 0 },
  { type: 'reasoning.encrypted', data: expect.stringMatching(/^oe1_/), format: 'unknown', index: 1 },
];

const chatRequest = (messages: Json[]): CanonicalRequest => chat.decodeRequest({ model: 'g', reasoning_effort: 'high', tools: TOOLS, messages }, {});

/** The next turn as a Chat client sends it: the assistant message back as received, then the tool result. */
function nextAnthropicRequest(assistant: Json): Json {
  const req = chatRequest([{ role: 'user', content: 'What is 925 / 5?' }, assistant, { role: 'tool', tool_call_id: 'toolu_01A', content: '185' }]);
  return anthropic.encodeRequest(req, 'claude-sonnet-4-5') as Json;
}

describe('reasoning_details to a Chat client and back to Anthropic', () => {
  it('whole body: the signed thinking and redacted thinking come back byte for byte, thinking on', () => {
    const req = chatRequest([{ role: 'user', content: 'What is 925 / 5?' }]);
    const body = chat.encodeResponse(anthropic.decodeResponse(REPLY), req) as Json;
    const message = body.choices[0].message;
    expect(message.reasoning_details).toEqual(EXPECTED_DETAILS);
    expect(message.reasoning_content).toBe(thinkingText);

    const next = nextAnthropicRequest({ role: 'assistant', content: message.content, reasoning_details: message.reasoning_details, tool_calls: message.tool_calls });
    expect(next.thinking).toMatchObject({ type: 'enabled' });
    expect(next.messages[1].content).toEqual([THINKING, REDACTED, TOOL_USE]);
    // The envelope carries the signed text: a client that trims the visible text still sends it back whole.
    const trimmed = message.reasoning_details.map((d: Json) => ({ ...d, text: '' }));
    expect(nextAnthropicRequest({ role: 'assistant', content: null, reasoning_details: trimmed, tool_calls: message.tool_calls }).messages[1].content[0]).toEqual(THINKING);
  });

  it('a Chat body carrying them back is converted, not passed through, for a Chat upstream', () => {
    const req = chatRequest([{ role: 'user', content: 'q' }]);
    const message = (chat.encodeResponse(anthropic.decodeResponse(REPLY), req) as Json).choices[0].message;
    const body = { model: 'g', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: null, reasoning_details: message.reasoning_details, tool_calls: message.tool_calls }, { role: 'tool', tool_call_id: 'toolu_01A', content: '185' }] };
    const raw = JSON.stringify(body);
    expect(carriesEnvelope(raw)).toBe(true);
    expect(carriesEnvelope(JSON.stringify({ messages: [{ role: 'assistant', reasoning_details: [{ type: 'reasoning.encrypted', data: message.reasoning_details[1].data }] }] }))).toBe(true);
    const converted = chat.encodeRequest(chat.decodeRequest(body, {}), 'gpt-5') as Json;
    expect(JSON.stringify(converted)).not.toContain('oe1_');
    expect(converted.messages[1].reasoning_details).toBeUndefined();
  });

  it('stream: one detail per signed block, with the whole text, as a client keeping the details sees it', () => {
    const req: CanonicalRequest = { ...chatRequest([{ role: 'user', content: 'What is 925 / 5?' }]), stream: true };
    const ev = (data: Json) => ({ event: data.type as string, data: JSON.stringify(data) });
    const upstream = [
      ev({ type: 'message_start', message: { ...REPLY, content: [], stop_reason: null } }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: thinkingText.slice(0, 7) } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: thinkingText.slice(7) } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'content_block_start', index: 1, content_block: REDACTED }),
      ev({ type: 'content_block_stop', index: 1 }),
      ev({ type: 'content_block_start', index: 2, content_block: { ...TOOL_USE, input: {} } }),
      ev({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: JSON.stringify(TOOL_USE.input) } }),
      ev({ type: 'content_block_stop', index: 2 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 20 } }),
      ev({ type: 'message_stop' }),
    ];
    const decoder = anthropic.createStreamDecoder();
    const events: StreamEvent[] = [...upstream.flatMap((e) => decoder.push(e)), ...decoder.end()];
    const encoder = chat.createStreamEncoder(req);
    const wire = events.map((e) => encoder.push(e)).join('') + encoder.end();
    const chunks = wire.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)) as Json);
    const details = chunks.flatMap((c) => c.choices[0]?.delta?.reasoning_details ?? []);
    expect(details).toEqual(EXPECTED_DETAILS);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    const toolCall = { id: calls[0].id, type: 'function', function: { name: calls[0].function.name, arguments: calls.map((c: Json) => c.function.arguments).join('') } };

    const next = nextAnthropicRequest({ role: 'assistant', content: null, reasoning_details: details, tool_calls: [toolCall] });
    expect(next.thinking).toMatchObject({ type: 'enabled' });
    expect(next.messages[1].content).toEqual([THINKING, REDACTED, TOOL_USE]);
  });

  it('refuses reasoning_details that is not an array of objects, naming the field', () => {
    expect(() => chatRequest([{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning_details: 'x' }])).toThrow(RequestDecodeError);
    expect(() => chatRequest([{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning_details: [1] }])).toThrow(/messages\.1\.reasoning_details\.0/);
  });
});

describe('reasoning_details from an OpenRouter-style upstream', () => {
  const chunk = (delta: Json, finish: string | null = null) => ({ data: JSON.stringify({ id: 'gen-1', object: 'chat.completion.chunk', created: 1, model: 'anthropic/claude-sonnet-4', choices: [{ index: 0, delta, finish_reason: finish }] }) });

  it('stream: text read once (it repeats `reasoning`), the signature on the same reasoning block', () => {
    const d = chat.createStreamDecoder();
    const detail = (text: string, sig?: string) => ({ type: 'reasoning.text', text, ...(sig !== undefined && { signature: sig }), format: 'anthropic-claude-v1', index: 0 });
    const events = [
      chunk({ role: 'assistant', content: '', reasoning: 'Let me ', reasoning_details: [detail('Let me ')] }),
      chunk({ reasoning: 'think.', reasoning_details: [detail('think.')] }),
      chunk({ reasoning_details: [detail('', 'sig-1')] }),
      chunk({ content: 'Done.' }),
      chunk({}, 'stop'),
      { data: '[DONE]' },
    ].flatMap((e) => d.push(e));
    const all = [...events, ...d.end()];
    expect(all.filter((e) => e.type === 'reasoning_delta').map((e) => (e as { text: string }).text).join('')).toBe('Let me think.');
    expect(all.filter((e) => e.type === 'block_start').map((e) => (e as { block: { type: string } }).block.type)).toEqual(['reasoning', 'text']);
    expect(all.find((e) => e.type === 'signature')).toEqual({ type: 'signature', index: 0, signature: { provider: 'anthropic', value: 'sig-1' } });
  });

  it('stream: details alone carry the text; encrypted data is a redacted block', () => {
    const d = chat.createStreamDecoder();
    const all = [
      chunk({ role: 'assistant', reasoning_details: [{ type: 'reasoning.text', text: 'Hmm.', format: 'anthropic-claude-v1', index: 0 }] }),
      chunk({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'RED', format: 'anthropic-claude-v1', index: 1 }] }),
      chunk({}, 'stop'),
      { data: '[DONE]' },
    ].flatMap((e) => d.push(e));
    expect(all.filter((e) => e.type === 'reasoning_delta').map((e) => (e as { text: string }).text)).toEqual(['Hmm.']);
    expect(all.find((e) => e.type === 'redacted_reasoning')).toMatchObject({ data: { provider: 'anthropic', value: 'RED' } });
  });

  it('whole body: details become signed reasoning parts in place of the repeated `reasoning` text', () => {
    const res = chat.decodeResponse({
      id: 'gen-1', object: 'chat.completion', created: 1, model: 'm',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Done.', reasoning: 'Hmm.', reasoning_details: [{ type: 'reasoning.text', text: 'Hmm.', signature: 'sig-2', format: 'anthropic-claude-v1', index: 0 }, { type: 'reasoning.encrypted', data: 'ENC', id: 'rs_1', format: 'openai-responses-v1', index: 1 }] } }],
    });
    expect(res.content).toEqual([
      { type: 'reasoning', text: 'Hmm.', signature: { provider: 'anthropic', value: 'sig-2' } },
      { type: 'reasoning', text: '', signature: { provider: 'openai-responses', value: 'ENC', itemId: 'rs_1' } },
      { type: 'text', text: 'Done.' },
    ]);
  });

  it('a Chat upstream gets back only the details it issued, never another provider\'s signature', () => {
    const req = chatRequest([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a', reasoning_details: [
        { type: 'reasoning.text', text: 'own', signature: 'vendor-sig', format: 'unknown', index: 0 },
        { type: 'reasoning.text', text: 'claude', signature: 'claude-sig', format: 'anthropic-claude-v1', index: 1 },
      ] },
      { role: 'user', content: 'more' },
    ]);
    const body = chat.encodeRequest({ ...req, extensions: { protocol: 'anthropic', fields: {} } }, 'up') as Json;
    expect(body.messages[1].reasoning_details).toEqual([{ type: 'reasoning.text', text: 'own', signature: 'vendor-sig', format: 'unknown', index: 0 }]);
    expect(JSON.stringify(body)).not.toContain('claude-sig');
  });
});
