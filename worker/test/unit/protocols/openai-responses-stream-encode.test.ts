/**
 * Stream encoding for Responses clients, checked with the official `openai` SDK: the wire text is
 * served through a stubbed `fetch` to `client.responses.stream()`, whose accumulator validates
 * every index and whose final response must hold exactly the text, tool calls, usage and status
 * that were fed in. The framing Codex relies on is checked on the raw events too.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, StreamEvent, Usage } from '../../../src/protocols/canonical';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { opaqueFromSlot, unpackToolCallId } from '../../../src/protocols/opaque';
import { openaiResponsesCodec as codec } from '../../../src/protocols/openai-responses/index';
import { NAMESPACES_FIELD } from '../../../src/protocols/openai-responses/wire';
import { ResponsesStreamDecoder } from '../../../src/protocols/openai-responses/stream-decode';
import { SseReader } from '../../../src/protocols/sse';

function request(extra: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'my-group', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], tools: [],
    sampling: {}, stream: true, extensions: { protocol: 'openai-responses', fields: {} }, ...extra,
  };
}

/** Wire text for canonical events (normalized first, as the relay does), plus `end()`. */
function encode(events: StreamEvent[], req = request(), normalizeEnd = false): string {
  const enc = codec.createStreamEncoder(req);
  const norm = new StreamNormalizer(() => 'msg_fallback');
  let wire = '';
  for (const e of events) for (const n of norm.push(e)) wire += enc.push(n);
  if (normalizeEnd) for (const n of norm.end()) wire += enc.push(n);
  wire += enc.end();
  expect(enc.end()).toBe(''); // closing markers exactly once
  return wire;
}

/** Parses the wire text with our SSE reader, checking the framing every Responses client expects. */
function wireEvents(wire: string): Array<Record<string, any>> {
  const reader = new SseReader();
  const events = [...reader.push(wire), ...reader.end()].map((e) => {
    const data = JSON.parse(e.data);
    expect(e.event).toBe(data.type);
    return data;
  });
  events.forEach((e, i) => expect(e.sequence_number).toBe(i));
  return events;
}

/** Runs the wire text through the official SDK's Responses stream helper. */
async function sdkFinal(wire: string) {
  const client = new OpenAI({
    apiKey: 'test', baseURL: 'http://gateway.test/v1', maxRetries: 0,
    fetch: async () => new Response(wire, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.responses.stream({ model: 'my-group', input: 'hi' });
  const deltas: string[] = [];
  stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
  const final = await stream.finalResponse();
  return { final, deltas };
}

const START: StreamEvent = { type: 'start', id: 'msg_up_1', model: 'upstream-model', created: 1700000000 };
const USAGE: Usage = { input: 100, cacheRead: 1000, cacheWrite: 50, output: 300, reasoning: 120 };

describe('Responses stream encoder, read back by the openai SDK', () => {
  it('text: deltas, usage with cache read/write and reasoning, status completed', async () => {
    const wire = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hel' },
      { type: 'text_delta', index: 0, text: 'lo 😀' },
      { type: 'block_end', index: 0 },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: USAGE }, // usage after finish still lands in response.completed
    ]);
    const { final, deltas } = await sdkFinal(wire);
    expect(final.output_text).toBe('Hello 😀');
    expect(deltas).toEqual(['Hel', 'lo 😀']);
    expect(final.status).toBe('completed');
    expect(final.model).toBe('my-group');
    expect(final.id).toBe('resp_msg_up_1');
    expect(final.usage).toEqual({
      input_tokens: 1150, input_tokens_details: { cached_tokens: 1000 },
      output_tokens: 300, output_tokens_details: { reasoning_tokens: 120 }, total_tokens: 1450,
    });
    const types = wireEvents(wire).map((e) => e.type);
    expect(types).toEqual([
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      'response.output_text.delta', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done',
      'response.output_item.done', 'response.completed',
    ]);
  });

  it('reasoning with a signature, then text: summary events and encrypted_content', async () => {
    const sig = { provider: 'anthropic' as const, value: 'EqQBCkYIBxgCKkB…' };
    const wire = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'reasoning_delta', index: 0, text: 'Let me ' },
      { type: 'reasoning_delta', index: 0, text: 'think.' },
      { type: 'signature', index: 0, signature: sig },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'Answer.' },
      { type: 'block_end', index: 1 },
      { type: 'finish', reason: 'stop' },
    ]);
    const { final } = await sdkFinal(wire);
    const [rs, msg] = final.output as any[];
    expect(rs.type).toBe('reasoning');
    expect(rs.summary).toEqual([{ type: 'summary_text', text: 'Let me think.' }]);
    expect(opaqueFromSlot(rs.encrypted_content, 'openai-responses', rs.id)).toEqual(sig);
    expect(msg.type).toBe('message');
    expect(final.output_text).toBe('Answer.');
    // No usage came: response.completed still carries a whole usage object, all zeros.
    expect(final.usage).toEqual({
      input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0,
    });
    const events = wireEvents(wire);
    const summaryDeltas = events.filter((e) => e.type === 'response.reasoning_summary_text.delta');
    expect(summaryDeltas.map((e) => e.delta)).toEqual(['Let me ', 'think.']);
    expect(summaryDeltas.every((e) => e.summary_index === 0 && e.item_id === rs.id && e.output_index === 0)).toBe(true);
    const added = events.find((e) => e.type === 'response.output_item.added')!;
    expect(added.item).toEqual({ id: rs.id, type: 'reasoning', summary: [] });
  });

  it('a Responses signature whose item id differs from the announced one comes back with its own id', async () => {
    const sig = { provider: 'openai-responses' as const, value: 'gAAAAB…', itemId: 'rs_upstream' };
    const wire = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'reasoning_delta', index: 0, text: 'x' },
      { type: 'signature', index: 0, signature: sig },
      { type: 'block_end', index: 0 },
      { type: 'finish', reason: 'stop' },
    ]);
    const { final } = await sdkFinal(wire);
    const rs = final.output[0] as any;
    expect(rs.id).not.toBe('rs_upstream');
    expect(opaqueFromSlot(rs.encrypted_content, 'openai-responses', rs.id)).toEqual(sig);
  });

  it('two parallel tool calls (interleaved deltas) and a tool without arguments → function_call items', async () => {
    const wire = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_a', name: 'get_weather' } },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_b', name: 'get_time' } },
      { type: 'tool_arguments_delta', index: 0, json: '{"city":' },
      { type: 'tool_arguments_delta', index: 1, json: '{"tz":"UTC"}' },
      { type: 'tool_arguments_delta', index: 0, json: '"Paris"}' },
      { type: 'block_end', index: 0 },
      { type: 'block_end', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_c', name: 'now' } },
      { type: 'block_end', index: 2 },
      { type: 'usage', usage: { input: 5, cacheRead: 0, cacheWrite: 0, output: 7, reasoning: 0 } },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    const { final } = await sdkFinal(wire);
    const calls = final.output.map((o: any) => ({ type: o.type, call_id: o.call_id, name: o.name, arguments: o.arguments, status: o.status }));
    expect(calls).toEqual([
      { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
      { type: 'function_call', call_id: 'call_b', name: 'get_time', arguments: '{"tz":"UTC"}', status: 'completed' },
      { type: 'function_call', call_id: 'call_c', name: 'now', arguments: '{}', status: 'completed' },
    ]);
    expect(final.status).toBe('completed');
    expect(final.usage).toMatchObject({ input_tokens: 5, output_tokens: 7, total_tokens: 12 });
    const done = wireEvents(wire).filter((e) => e.type === 'response.function_call_arguments.done');
    expect(done.map((e) => [e.name, e.arguments])).toEqual([['get_weather', '{"city":"Paris"}'], ['get_time', '{"tz":"UTC"}'], ['now', '{}']]);
  });

  it('a Gemini-signed tool call packs the signature into call_id; namespaced and custom tools keep their form', async () => {
    const gsig = { provider: 'gemini' as const, value: 'CiQB…' };
    const req = request({
      tools: [
        { name: 'agents__spawn', parameters: { type: 'object', properties: {} } },
        { name: 'apply_patch', parameters: { type: 'object', properties: {} }, kind: 'custom' },
      ],
      extensions: { protocol: 'openai-responses', fields: { [NAMESPACES_FIELD]: { agents__spawn: { namespace: 'agents', name: 'spawn' } } } },
    });
    const wire = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'fc_1', name: 'agents__spawn' } },
      { type: 'signature', index: 0, signature: gsig },
      { type: 'tool_arguments_delta', index: 0, json: '{"task":"x"}' },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'fc_2', name: 'apply_patch' } },
      { type: 'tool_arguments_delta', index: 1, json: '{"input":"*** Begin Patch\\n' },
      { type: 'tool_arguments_delta', index: 1, json: '*** End Patch"}' },
      { type: 'block_end', index: 1 },
      { type: 'finish', reason: 'tool_calls' },
    ], req);
    const { final } = await sdkFinal(wire);
    const [spawn, patch] = final.output as any[];
    expect(spawn).toMatchObject({ type: 'function_call', name: 'spawn', namespace: 'agents', arguments: '{"task":"x"}' });
    expect(unpackToolCallId(spawn.call_id)).toEqual({ id: 'fc_1', signature: gsig });
    expect(patch).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', call_id: 'fc_2', input: '*** Begin Patch\n*** End Patch' });
    const events = wireEvents(wire);
    const added = events.filter((e) => e.type === 'response.output_item.added');
    expect(added[0]!.item.call_id).toBe(spawn.call_id); // signature known before the item was announced
    expect(events.find((e) => e.type === 'response.custom_tool_call_input.done')!.input).toBe('*** Begin Patch\n*** End Patch');
  });

  it('finish length → response.incomplete with incomplete_details', async () => {
    const wire = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'cut' },
      { type: 'block_end', index: 0 },
      { type: 'finish', reason: 'length' },
    ]);
    const { final } = await sdkFinal(wire);
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(final.output_text).toBe('cut');
    expect(wireEvents(wire).at(-1)!.type).toBe('response.incomplete');
  });

  it('an error mid-stream → error event, then response.failed with the partial output', async () => {
    const wire = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'partial' },
      { type: 'error', error: { kind: 'rate_limit', message: 'Slow down.', code: 'rate_limit_error', retryAfterSeconds: 2 } },
      { type: 'finish', reason: 'stop' }, // ignored: the stream already failed
    ]);
    const events = wireEvents(wire);
    expect(events.map((e) => e.type).slice(-4)).toEqual(['response.content_part.done', 'response.output_item.done', 'error', 'response.failed']);
    const error = events.at(-2)!;
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', message: 'Slow down. Please try again in 2s.', param: null });
    const failed = events.at(-1)!.response;
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Slow down. Please try again in 2s.' } });
    expect(failed.output).toEqual([expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'partial' })] })]);
    // The SDK turns an `error` event into a rejected stream, as it does for OpenAI's own.
    await expect(sdkFinal(wire)).rejects.toThrow('Slow down. Please try again in 2s.');
  });

  it('a stream that ended early (normalizer error) → response.failed; no finish at all → failed once', async () => {
    const wire = encode([START, { type: 'block_start', index: 0, block: { type: 'text' } }, { type: 'text_delta', index: 0, text: 'half' }], request(), true);
    const events = wireEvents(wire);
    expect(events.map((e) => e.type).slice(-3)).toEqual(['response.output_item.done', 'error', 'response.failed']);
    expect(events.at(-1)!.response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: expect.stringMatching(/ended before it finished/) } });
    await expect(sdkFinal(wire)).rejects.toThrow(/ended before it finished/);

    const enc = codec.createStreamEncoder(request());
    const bare = enc.end();
    expect(enc.end()).toBe('');
    expect(wireEvents(bare).map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
  });

  it('our own decoder reads our stream back to the same canonical events (ids aside)', () => {
    const sig = { provider: 'anthropic' as const, value: 'sig-1' };
    const events: StreamEvent[] = [
      START,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'reasoning_delta', index: 0, text: 'hmm' },
      { type: 'signature', index: 0, signature: sig },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'ok' },
      { type: 'block_end', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_9', name: 'f' } },
      { type: 'tool_arguments_delta', index: 2, json: '{"a":1}' },
      { type: 'block_end', index: 2 },
      { type: 'usage', usage: USAGE },
      { type: 'finish', reason: 'tool_calls' },
    ];
    const wire = encode(events);
    const reader = new SseReader();
    const decoder = new ResponsesStreamDecoder();
    const norm = new StreamNormalizer();
    const back: StreamEvent[] = [];
    for (const sse of [...reader.push(wire), ...reader.end()]) for (const e of decoder.push(sse)) back.push(...norm.push(e));
    expect(back[0]).toMatchObject({ type: 'start', id: 'resp_msg_up_1', model: 'my-group', created: 1700000000 });
    expect(back.slice(1)).toEqual([
      ...events.slice(1, 11),
      // Responses has no cache-write counter: written tokens come back as plain input.
      { type: 'usage', usage: { ...USAGE, input: USAGE.input + USAGE.cacheWrite, cacheWrite: 0 } },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('Anthropic redacted thinking survives a round trip through a Responses client as redacted data', async () => {
    const data = { provider: 'anthropic' as const, value: 'EmwKAhgBEgy3va3pzix…' };
    const wire = encode([
      START,
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'redacted_reasoning', index: 0, data },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'Done.' },
      { type: 'block_end', index: 1 },
      { type: 'finish', reason: 'stop' },
    ]);
    const { final } = await sdkFinal(wire);
    // The client sends its output back as history on the next turn.
    const next = codec.decodeRequest({ model: 'g', input: [...final.output, { role: 'user', content: 'more' }] }, {});
    expect(next.messages[0]).toEqual({ role: 'assistant', parts: [{ type: 'reasoning', text: '', redacted: data }, { type: 'text', text: 'Done.' }] });
  });
});

