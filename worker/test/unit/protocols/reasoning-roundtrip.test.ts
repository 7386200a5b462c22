/**
 * Reasoning survives a client of another protocol (issue 13, items 2 and 3): a provider's reply is
 * encoded for a client, the client sends its history back as real clients do (Gemini CLI drops
 * thought parts; the Gemini SDK keeps every part; Codex replays output items; Claude Code replays
 * content blocks), and the next request to the same provider carries the opaque data unchanged:
 * Anthropic thinking (text + signature, byte for byte) and redacted_thinking, Gemini text-part
 * thoughtSignature. Both the whole-body and the streaming encoders are exercised.
 *
 * The thinking text and signature are the recorded ones of
 * fixtures/anthropic/vercel__anthropic-clear-thinking.1.chunks.txt; the Gemini text signature is
 * those of fixtures/gemini/vercel__google-text.json and .chunks.txt. No recording has redacted_thinking: its data
 * here is made up (the gateway never looks inside it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../../src/protocols/canonical';
import type { ProtocolCodec } from '../../../src/protocols/codec';
import { codecFor } from '../../../src/protocols/index';
import { fixturesDir } from '../../upstream/recordings';
import { RECORDED_THINKING, signature, thinkingText } from './recorded-thinking';

type Json = Record<string, any>;

const anthropic = codecFor('anthropic');
const gemini = codecFor('gemini');
const responses = codecFor('openai-responses');
const chat = codecFor('openai-chat');

// ---- the recorded Anthropic thinking block ----
const THINKING = { ...RECORDED_THINKING };
const REDACTED = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP' };
const TOOL_USE = { type: 'tool_use', id: 'toolu_01A', name: 'divide', input: { a: 925, b: 5 } };

/** An Anthropic Message whose content is `blocks`. */
function anthropicReply(blocks: Json[]): Json {
  return {
    id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: blocks,
    stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 10, output_tokens: 20 },
  };
}

/** The same Message as Anthropic streams it (event name + JSON data per SSE event). */
function anthropicStream(message: Json): Array<{ event: string; data: string }> {
  const ev = (data: Json) => ({ event: data.type as string, data: JSON.stringify(data) });
  const out = [ev({ type: 'message_start', message: { ...message, content: [], stop_reason: null } })];
  (message.content as Json[]).forEach((b, index) => {
    if (b.type === 'thinking') {
      out.push(ev({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      // Cut the text in three, as Anthropic streams it.
      const t = b.thinking as string;
      for (const piece of [t.slice(0, 5), t.slice(5, 40), t.slice(40)]) {
        out.push(ev({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } }));
      }
      out.push(ev({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: b.signature } }));
    } else if (b.type === 'tool_use') {
      out.push(ev({ type: 'content_block_start', index, content_block: { ...b, input: {} } }));
      out.push(ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } }));
    } else if (b.type === 'text') {
      out.push(ev({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      out.push(ev({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } }));
    } else {
      out.push(ev({ type: 'content_block_start', index, content_block: b }));
    }
    out.push(ev({ type: 'content_block_stop', index }));
  });
  out.push(ev({ type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: 20 } }));
  out.push(ev({ type: 'message_stop' }));
  return out;
}

/** Canonical stream events of an upstream codec for SSE events. */
function decodeStream(codec: ProtocolCodec, events: Array<{ event?: string; data: string }>): StreamEvent[] {
  const d = codec.createStreamDecoder();
  return [...events.flatMap((e) => d.push(e)), ...d.end()];
}

/** Encodes `events` with the client codec's stream encoder; returns the `data:` payloads. */
function encodeStream(codec: ProtocolCodec, req: CanonicalRequest, events: StreamEvent[]): Json[] {
  const enc = codec.createStreamEncoder(req, { geminiAlt: 'sse' });
  const text = events.map((e) => enc.push(e)).join('') + enc.end();
  return text.split(/\r?\n\r?\n/).flatMap((block) => block.split(/\r?\n/).filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]').map((l) => JSON.parse(l.slice(6)) as Json));
}

const clientReq = (codec: ProtocolCodec, body: Json, model = 'my-group'): CanonicalRequest =>
  codec.decodeRequest(body, { model, stream: false });

// ---- Gemini client ----

const GEMINI_FIRST = { contents: [{ role: 'user', parts: [{ text: 'What is 925 / 5?' }] }] };

/** The model turn as Gemini CLI keeps it: every chunk's parts, minus thoughts and bare empty texts. */
function geminiCliHistory(parts: Json[]): Json[] {
  return parts.filter((p) => p.thought !== true && !(p.text === '' && p.thoughtSignature === undefined));
}

/** The next Gemini request: the user turn, the replayed model turn, the function's answer. */
function geminiNext(modelParts: Json[]): Json {
  const calls = modelParts.filter((p) => p.functionCall).map((p) => p.functionCall as Json);
  return {
    contents: [
      ...GEMINI_FIRST.contents,
      { role: 'model', parts: modelParts },
      { role: 'user', parts: calls.map((c) => ({ functionResponse: { id: c.id, name: c.name, response: { output: '185' } } })) },
    ],
  };
}

/** Thinking and redacted_thinking blocks of the assistant turn of an Anthropic request body. */
function thinkingBlocksSent(body: Json): Json[] {
  const assistant = (body.messages as Json[]).find((m) => m.role === 'assistant')!;
  return (assistant.content as Json[]).filter((b) => b.type === 'thinking' || b.type === 'redacted_thinking');
}

const CASES: Array<{ name: string; blocks: Json[] }> = [
  { name: 'thinking + signature + tool_use', blocks: [THINKING, TOOL_USE] },
  { name: 'redacted_thinking + thinking + tool_use', blocks: [REDACTED, THINKING, TOOL_USE] },
  { name: 'thinking, text, tool_use', blocks: [THINKING, { type: 'text', text: 'Dividing.' }, TOOL_USE] },
];

describe('Anthropic reasoning through a Gemini client', () => {
  const req = clientReq(gemini, GEMINI_FIRST);
  for (const { name, blocks } of CASES) {
    const original = blocks.filter((b) => b.type !== 'tool_use' && b.type !== 'text');
    const whole = (gemini.encodeResponse(anthropic.decodeResponse(anthropicReply(blocks)), req) as Json).candidates[0].content.parts as Json[];
    const streamed = encodeStream(gemini, req, decodeStream(anthropic, anthropicStream(anthropicReply(blocks))))
      .flatMap((c) => (c.candidates?.[0]?.content?.parts ?? []) as Json[]);

    for (const [how, parts] of [['whole', whole], ['streamed', streamed]] as const) {
      it(`${name} (${how}, Gemini CLI history): comes back to Anthropic byte for byte`, () => {
        const next = gemini.decodeRequest(geminiNext(geminiCliHistory(parts)), { model: 'my-group', stream: true });
        const body = anthropic.encodeRequest(next, 'claude-sonnet-4-5') as Json;
        expect(JSON.stringify(thinkingBlocksSent(body))).toBe(JSON.stringify(original));
        const assistant = (body.messages as Json[]).find((m) => m.role === 'assistant')!;
        expect((assistant.content as Json[]).find((b) => b.type === 'tool_use')).toMatchObject({ id: TOOL_USE.id, name: TOOL_USE.name, input: TOOL_USE.input });
      });

      it(`${name} (${how}, every part replayed): comes back once, byte for byte`, () => {
        const next = gemini.decodeRequest(geminiNext(parts), { model: 'my-group', stream: true });
        const body = anthropic.encodeRequest(next, 'claude-sonnet-4-5') as Json;
        expect(JSON.stringify(thinkingBlocksSent(body))).toBe(JSON.stringify(original));
        const reasoning = next.messages[1]!.parts.filter((p) => p.type === 'reasoning');
        expect(reasoning.length).toBe(original.length);
      });
    }
  }

  it('shows the thought text to the client as a thought part', () => {
    const res = anthropic.decodeResponse(anthropicReply([THINKING, TOOL_USE]));
    const parts = (gemini.encodeResponse(res, req) as Json).candidates[0].content.parts as Json[];
    expect(parts[0]).toEqual({ text: thinkingText, thought: true });
    expect(parts[1]!.functionCall).toMatchObject({ name: 'divide', args: TOOL_USE.input });
    expect(parts[1]!.thoughtSignature).toMatch(/^oe1_/);
  });
});

// ---- Responses client ----

const RESPONSES_FIRST = { model: 'my-group', input: [{ role: 'user', content: 'What is 925 / 5?' }] };

/** The next Responses request as Codex sends it: earlier output items replayed, then the call's output. */
function responsesNext(output: Json[]): Json {
  const calls = output.filter((i) => i.type === 'function_call');
  return {
    model: 'my-group',
    input: [
      ...RESPONSES_FIRST.input,
      ...output,
      ...calls.map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: '185' })),
    ],
  };
}

describe('Anthropic reasoning through a Responses client', () => {
  const req = clientReq(responses, RESPONSES_FIRST);
  for (const { name, blocks } of CASES) {
    const original = blocks.filter((b) => b.type !== 'tool_use' && b.type !== 'text');
    const whole = (responses.encodeResponse(anthropic.decodeResponse(anthropicReply(blocks)), req) as Json).output as Json[];
    const streamed = encodeStream(responses, req, decodeStream(anthropic, anthropicStream(anthropicReply(blocks))))
      .filter((e) => e.type === 'response.output_item.done').map((e) => e.item as Json);

    for (const [how, output] of [['whole', whole], ['streamed', streamed]] as const) {
      it(`${name} (${how}): comes back to Anthropic byte for byte`, () => {
        const next = responses.decodeRequest(responsesNext(output), {});
        const body = anthropic.encodeRequest(next, 'claude-sonnet-4-5') as Json;
        expect(JSON.stringify(thinkingBlocksSent(body))).toBe(JSON.stringify(original));
      });

      it(`${name} (${how}): the exact thinking text comes back even when the summary was edited`, () => {
        const edited = output.map((i) => (i.type === 'reasoning' ? { ...i, summary: [{ type: 'summary_text', text: 'edited' }] } : i));
        const next = responses.decodeRequest(responsesNext(edited), {});
        const body = anthropic.encodeRequest(next, 'claude-sonnet-4-5') as Json;
        expect(JSON.stringify(thinkingBlocksSent(body))).toBe(JSON.stringify(original));
      });
    }
  }
});

// ---- Gemini text-part thoughtSignature through Anthropic and Responses clients ----

const geminiText = JSON.parse(readFileSync(`${fixturesDir()}/gemini/vercel__google-text.json`, 'utf8')) as Json;
const geminiTextPart = geminiText.candidates[0].content.parts[0] as Json;

/** Signed parts of the model turn of a Gemini request body (the signature back on its text). */
function signedPartsSent(body: Json): Json[] {
  const model = (body.contents as Json[]).find((c) => c.role === 'model')!;
  return (model.parts as Json[]).filter((p) => p.thoughtSignature !== undefined);
}

/** The recorded Gemini stream: text chunks, then the signature on an empty text part. */
const geminiChunks = readFileSync(`${fixturesDir()}/gemini/vercel__google-text.chunks.txt`, 'utf8').split('\n').filter((l) => l.trim() !== '');
const chunkSignature = geminiChunks.map((l) => JSON.parse(l) as Json).flatMap((c) => c.candidates[0].content.parts as Json[]).find((p) => p.thoughtSignature)!.thoughtSignature as string;

/** The recorded Gemini replies as canonical: whole (signature on the text part), and streamed (on a trailing empty part). */
function geminiUpstream(): { whole: CanonicalResponse; events: StreamEvent[] } {
  return { whole: gemini.decodeResponse(geminiText), events: decodeStream(gemini, geminiChunks.map((data) => ({ data }))) };
}

describe('Gemini text-part thoughtSignature through other clients', () => {
  it('Anthropic client (whole and streamed): the text ends the message; the signature has no slot and is dropped', () => {
    // A thinking block carrying it after the text made Claude Code (`claude -p`) print nothing: the
    // real-client run (npm run test:clients, claude-code text → gemini) failed with it.
    const req = clientReq(anthropic, { model: 'my-group', max_tokens: 100, messages: [{ role: 'user', content: 'How many r in strawberry?' }] });
    const { whole, events } = geminiUpstream();
    const wholeBlocks = (anthropic.encodeResponse(whole, req) as Json).content as Json[];
    expect(wholeBlocks[0]).toEqual({ type: 'text', text: geminiTextPart.text });
    const streamedBlocks = blocksOfAnthropicStream(encodeStream(anthropic, req, events));
    for (const blocks of [wholeBlocks, streamedBlocks]) {
      expect(blocks.map((b) => b.type)).toEqual(['text']);
      const next = anthropic.decodeRequest({
        model: 'my-group', max_tokens: 100,
        messages: [{ role: 'user', content: 'How many r in strawberry?' }, { role: 'assistant', content: blocks }, { role: 'user', content: 'Thanks' }],
      }, {});
      const body = gemini.encodeRequest(next, 'gemini-3-pro-preview') as Json;
      expect(signedPartsSent(body)).toEqual([]);
      expect(JSON.stringify(anthropic.encodeRequest(next, 'claude-sonnet-4-5'))).not.toContain('oe1_');
    }
  });

  it('OpenAI Chat client keeping reasoning_details (whole and streamed): the signature reaches Gemini again unchanged', () => {
    const req = clientReq(chat, { model: 'my-group', messages: [{ role: 'user', content: 'How many r in strawberry?' }] });
    const { whole, events } = geminiUpstream();
    const wholeMessage = ((chat.encodeResponse(whole, req) as Json).choices[0] as Json).message as Json;
    const deltas = encodeStream(chat, req, events).map((c) => (c.choices as Json[] | undefined)?.[0]?.delta as Json | undefined).filter((d): d is Json => d !== undefined);
    const streamedMessage = {
      role: 'assistant', content: deltas.map((d) => d.content ?? '').join(''),
      reasoning_details: deltas.flatMap((d) => (d.reasoning_details as Json[] | undefined) ?? []),
    };
    for (const [message, sig] of [[wholeMessage, geminiTextPart.thoughtSignature], [streamedMessage, chunkSignature]] as const) {
      expect(message.content).not.toBe('');
      expect(message.reasoning_details).toEqual([expect.objectContaining({ type: 'reasoning.encrypted', format: 'unknown' })]);
      const next = chat.decodeRequest({
        model: 'my-group',
        messages: [{ role: 'user', content: 'How many r in strawberry?' }, { role: 'assistant', content: message.content, reasoning_details: message.reasoning_details }, { role: 'user', content: 'Thanks' }],
      }, {});
      const body = gemini.encodeRequest(next, 'gemini-3-pro-preview') as Json;
      expect(signedPartsSent(body)).toEqual([{ text: message.content, thoughtSignature: sig }]);
      // No other provider gets the envelope, and a client without the details is served as before.
      expect(JSON.stringify(chat.encodeRequest(next, 'gpt-4.1'))).not.toContain('oe1_');
      expect(JSON.stringify(anthropic.encodeRequest(next, 'claude-sonnet-4-5'))).not.toContain('oe1_');
    }
  });

  it('Responses client (whole and streamed): the signature reaches Gemini again unchanged', () => {
    const req = clientReq(responses, { model: 'my-group', input: 'How many r in strawberry?' });
    const { whole, events } = geminiUpstream();
    const wholeOutput = (responses.encodeResponse(whole, req) as Json).output as Json[];
    const streamedOutput = encodeStream(responses, req, events).filter((e) => e.type === 'response.output_item.done').map((e) => e.item as Json);
    for (const [output, sig] of [[wholeOutput, geminiTextPart.thoughtSignature], [streamedOutput, chunkSignature]] as const) {
      expect(output.map((i) => i.type)).toEqual(['message', 'reasoning']);
      const next = responses.decodeRequest({ model: 'my-group', input: [{ role: 'user', content: 'How many r in strawberry?' }, ...output, { role: 'user', content: 'Thanks' }] }, {});
      const body = gemini.encodeRequest(next, 'gemini-3-pro-preview') as Json;
      expect(signedPartsSent(body)).toEqual([{ text: output[0]!.content[0].text, thoughtSignature: sig }]);
      const toResponses = responses.encodeRequest(next, 'gpt-5') as Json;
      expect(JSON.stringify(toResponses)).not.toContain('oe1_');
    }
  });
});

/** Content blocks of an Anthropic client stream, assembled as the SDK's MessageStream does. */
function blocksOfAnthropicStream(events: Json[]): Json[] {
  const blocks: Json[] = [];
  for (const e of events) {
    if (e.type === 'content_block_start') blocks[e.index] = { ...e.content_block };
    if (e.type === 'content_block_delta') {
      const b = blocks[e.index]!;
      if (e.delta.type === 'text_delta') b.text += e.delta.text;
      if (e.delta.type === 'thinking_delta') b.thinking += e.delta.thinking;
      if (e.delta.type === 'signature_delta') b.signature = e.delta.signature;
    }
  }
  return blocks;
}
