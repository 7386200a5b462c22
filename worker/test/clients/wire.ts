/**
 * Hand-written streaming upstream replies, one builder per wire protocol: a plain text answer
 * and a single function/tool call. These are test data written to each provider's documented
 * streaming format (SSE framing, event names and the fields real clients insist on), used as
 * literal `body` replies of the fake upstream; one Anthropic reply opens with a recorded message's
 * signed thinking block (`recordedThinkingThenTool`).
 */
import type { Behavior, WireProtocol } from '../upstream/server.js';
import { wireEvents } from '../upstream/recordings.js';

/** SSE framing: optional `event:` line, one `data:` line, blank line. */
function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

function rid(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
}

/** What a hand-written reply carries. */
export type Reply = { kind: 'text'; text: string } | { kind: 'tool'; name: string; args: Record<string, unknown>; callId?: string };

/** Anthropic Messages SSE (`event:` names equal the payload `type`). */
function anthropic(reply: Reply, model: string): string {
  const ev = (d: { type: string; [k: string]: unknown }) => sse(d, d.type);
  const msg = {
    type: 'message_start',
    message: {
      id: rid('msg_'), type: 'message', role: 'assistant', model, content: [],
      stop_reason: null, stop_sequence: null,
      usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
    },
  };
  let out = ev(msg);
  if (reply.kind === 'text') {
    out += ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    out += ev({ type: 'ping' });
    const mid = Math.ceil(reply.text.length / 2);
    for (const part of [reply.text.slice(0, mid), reply.text.slice(mid)]) {
      out += ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: part } });
    }
    out += ev({ type: 'content_block_stop', index: 0 });
    out += ev({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 12 } });
  } else {
    out += anthropicToolUse(reply, 0);
  }
  out += ev({ type: 'message_stop' });
  return out;
}

/** Anthropic SSE events of one `tool_use` block at `index`, then `message_delta` with stop_reason tool_use. */
function anthropicToolUse(reply: Extract<Reply, { kind: 'tool' }>, index: number): string {
  const ev = (d: { type: string; [k: string]: unknown }) => sse(d, d.type);
  const id = reply.callId ?? rid('toolu_');
  const json = JSON.stringify(reply.args);
  let out = ev({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: reply.name, input: {} } });
  out += ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
  const mid = Math.ceil(json.length / 2);
  for (const part of [json.slice(0, mid), json.slice(mid)]) {
    out += ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } });
  }
  out += ev({ type: 'content_block_stop', index });
  out += ev({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } });
  return out;
}

/** The signed thinking block a {@link recordedThinkingThenTool} reply carries, as Anthropic wants it back. */
export interface SignedThinking {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/**
 * An Anthropic streaming reply that opens with a recorded message: the wire events `from` up to
 * `to` (excluded) of Anthropic recording `recording` (its `message_start` and a whole thinking
 * block with `thinking_delta` and `signature_delta`, replayed verbatim), followed by a hand-written
 * `tool_use` block calling `tool` (the CLI's own tool, which a recording cannot name) and the
 * closing `message_delta` / `message_stop`. Returns the Behavior and the signed thinking block the
 * recorded events spell out. Throws when those events hold no signed thinking block.
 */
export function recordedThinkingThenTool(
  recording: string,
  events: { from: number; to: number },
  tool: Extract<Reply, { kind: 'tool' }>,
): { behavior: Behavior; thinking: SignedThinking } {
  const decoder = new TextDecoder();
  const recorded = wireEvents(recording).slice(events.from, events.to).map((e) => decoder.decode(e));
  const thinking: SignedThinking = { type: 'thinking', thinking: '', signature: '' };
  let lastIndex = -1;
  for (const frame of recorded) {
    const data = frame.split('\n').find((l) => l.startsWith('data: '));
    const ev = data ? JSON.parse(data.slice(6)) : null;
    if (typeof ev?.index === 'number') lastIndex = Math.max(lastIndex, ev.index);
    if (ev?.delta?.type === 'thinking_delta') thinking.thinking += ev.delta.thinking;
    if (ev?.delta?.type === 'signature_delta') thinking.signature += ev.delta.signature;
  }
  if (!thinking.thinking || !thinking.signature) throw new Error(`${recording} events ${events.from}..${events.to} hold no signed thinking block`);
  const body = recorded.join('') + anthropicToolUse(tool, lastIndex + 1) + sse({ type: 'message_stop' }, 'message_stop');
  return { behavior: { body, headers: SSE_HEADERS, protocol: 'anthropic', split: 'random', seed: 7 }, thinking };
}

/** OpenAI Chat Completions SSE (`data:` only, usage chunk, `[DONE]`). */
function openaiChat(reply: Reply, model: string): string {
  const id = rid('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: object, finish: string | null) =>
    sse({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  let out = '';
  if (reply.kind === 'text') {
    out += chunk({ role: 'assistant', content: '' }, null);
    const mid = Math.ceil(reply.text.length / 2);
    for (const part of [reply.text.slice(0, mid), reply.text.slice(mid)]) out += chunk({ content: part }, null);
    out += chunk({}, 'stop');
  } else {
    const callId = reply.callId ?? rid('call_');
    const json = JSON.stringify(reply.args);
    const mid = Math.ceil(json.length / 2);
    out += chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: reply.name, arguments: '' } }] }, null);
    for (const part of [json.slice(0, mid), json.slice(mid)]) out += chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }, null);
    out += chunk({}, 'tool_calls');
  }
  out += sse({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 } });
  out += sse('[DONE]');
  return out;
}

/** OpenAI Responses SSE (`event:` = payload type, increasing `sequence_number`, full items in `.done` and `response.completed`). */
function openaiResponses(reply: Reply, model: string): string {
  let seq = 0;
  const ev = (d: Record<string, unknown> & { type: string }) => sse({ ...d, sequence_number: seq++ }, d.type);
  const created_at = Math.floor(Date.now() / 1000);
  const base = {
    id: rid('resp_'), object: 'response', created_at, status: 'in_progress', background: false, error: null,
    incomplete_details: null, instructions: null, max_output_tokens: null, model, output: [] as unknown[],
    parallel_tool_calls: true, previous_response_id: null, reasoning: { effort: null, summary: null }, store: false,
    temperature: 1, text: { format: { type: 'text' }, verbosity: 'medium' }, tool_choice: 'auto', tools: [], top_p: 1,
    truncation: 'disabled', usage: null as unknown, user: null, metadata: {},
  };
  let out = ev({ type: 'response.created', response: base });
  out += ev({ type: 'response.in_progress', response: base });
  let item: Record<string, unknown>;
  if (reply.kind === 'text') {
    const itemId = rid('msg_');
    out += ev({ type: 'response.output_item.added', output_index: 0, item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' } });
    out += ev({ type: 'response.content_part.added', item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    const mid = Math.ceil(reply.text.length / 2);
    for (const part of [reply.text.slice(0, mid), reply.text.slice(mid)]) {
      out += ev({ type: 'response.output_text.delta', item_id: itemId, output_index: 0, content_index: 0, delta: part, logprobs: [] });
    }
    out += ev({ type: 'response.output_text.done', item_id: itemId, output_index: 0, content_index: 0, text: reply.text, logprobs: [] });
    const part = { type: 'output_text', annotations: [], logprobs: [], text: reply.text };
    out += ev({ type: 'response.content_part.done', item_id: itemId, output_index: 0, content_index: 0, part });
    item = { id: itemId, type: 'message', status: 'completed', content: [part], role: 'assistant' };
  } else {
    const itemId = rid('fc_');
    const callId = reply.callId ?? rid('call_');
    const json = JSON.stringify(reply.args);
    out += ev({ type: 'response.output_item.added', output_index: 0, item: { id: itemId, type: 'function_call', status: 'in_progress', arguments: '', call_id: callId, name: reply.name } });
    const mid = Math.ceil(json.length / 2);
    for (const part of [json.slice(0, mid), json.slice(mid)]) {
      out += ev({ type: 'response.function_call_arguments.delta', item_id: itemId, output_index: 0, delta: part });
    }
    out += ev({ type: 'response.function_call_arguments.done', item_id: itemId, output_index: 0, arguments: json });
    item = { id: itemId, type: 'function_call', status: 'completed', arguments: json, call_id: callId, name: reply.name };
  }
  out += ev({ type: 'response.output_item.done', output_index: 0, item });
  out += ev({
    type: 'response.completed',
    response: {
      ...base, status: 'completed', output: [item],
      usage: { input_tokens: 25, input_tokens_details: { cached_tokens: 0 }, output_tokens: 12, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 37 },
    },
  });
  return out;
}

/** Gemini `streamGenerateContent?alt=sse` (`data:` only; `finishReason` on the last chunk). */
function gemini(reply: Reply, model: string): string {
  const responseId = rid('');
  const usage = { promptTokenCount: 25, candidatesTokenCount: 12, totalTokenCount: 37 };
  const chunk = (parts: unknown[], finish?: string) =>
    sse({
      candidates: [{ content: { parts, role: 'model' }, ...(finish && { finishReason: finish }), index: 0 }],
      usageMetadata: usage, modelVersion: model, responseId,
    });
  if (reply.kind === 'text') {
    const mid = Math.ceil(reply.text.length / 2);
    return chunk([{ text: reply.text.slice(0, mid) }]) + chunk([{ text: reply.text.slice(mid) }], 'STOP');
  }
  return chunk([{ functionCall: { name: reply.name, args: reply.args } }], 'STOP');
}

const BUILDERS: Record<WireProtocol, (r: Reply, model: string) => string> = {
  anthropic,
  'openai-chat': openaiChat,
  'openai-responses': openaiResponses,
  gemini,
};

/** A fake-upstream Behavior answering one streaming request in `protocol` with `reply`. */
export function streamReply(protocol: WireProtocol, reply: Reply, model = 'fake-model'): Behavior {
  return { body: BUILDERS[protocol](reply, model), headers: SSE_HEADERS, protocol, split: 'random', seed: 7 };
}
