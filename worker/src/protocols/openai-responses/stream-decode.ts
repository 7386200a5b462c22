/**
 * Upstream Responses stream → canonical stream events (OpenAI API reference, "Streaming events").
 *
 * Each output item is one canonical block, opened at `response.output_item.added` and closed at
 * `response.output_item.done`: a `message` is a text block, a `reasoning` item a reasoning block
 * (summary deltas, or raw `reasoning_text` deltas, are its text; summary parts are separated by a
 * blank line; `encrypted_content` of the finished item is its signature), a `function_call` or
 * `custom_tool_call` a tool_call block (id = `call_id`). A finished `web_search_call` is a
 * `server_tool` event (and one search in `usage.webSearchRequests`), a finished
 * `code_interpreter_call` a `code_execution` one; a `url_citation` from
 * `response.output_text.annotation.added` (or, when none came, from the finished message) is a
 * `citation` of its text block. Other items carry no canonical content and are skipped. When a
 * `.done` event or the finished item holds more than the deltas did, the rest is emitted then, so
 * text is never lost.
 *
 * The stream ends at the first `response.completed` / `response.incomplete` (usage + finish),
 * `response.failed` or `error` (error); anything after it is ignored.
 */
import type { Opaque, StreamEvent } from '../canonical';
import type { StreamDecoder } from '../codec';
import type { SseEvent } from '../sse';
import { errorInfo } from './errors';
import { callName, messageTexts, reasoningOpaque, reasoningText } from './items';
import { serverToolFromCodeItem } from './code-interpreter';
import { citationFromAnnotation, citationsFromPart, serverToolFromItem } from './web-search';
import { decodeUsage, escapeJsonFragment, finishOf, isRecord, num, parseJson, str, type Json } from './wire';

type ItemType = 'message' | 'reasoning' | 'function_call' | 'custom_tool_call';

interface ItemState {
  block: number;
  type: ItemType;
  /** Text, reasoning text, JSON arguments or (custom tools) raw input emitted so far. */
  emitted: string;
  /** Reasoning: summary index of the last delta, to separate summary parts. */
  part: number;
  /** Custom tool: `{"input":"` has been emitted. */
  opened: boolean;
  ended: boolean;
  /** Message: citations emitted from annotation events. */
  citations?: number;
}

const ITEM_TYPES = new Set<string>(['message', 'reasoning', 'function_call', 'custom_tool_call']);

/** What `text` adds to `emitted`, when it extends it (else nothing: never emit a contradiction). */
function remainder(emitted: string, text: string): string {
  return text.length > emitted.length && text.startsWith(emitted) ? text.slice(emitted.length) : '';
}

/** One per upstream response; see the module comment for the mapping. Never throws. */
export class ResponsesStreamDecoder implements StreamDecoder {
  private items = new Map<number, ItemState>();
  private nextBlock = 0;
  private started = false;
  private terminated = false;
  private calledTools = false;
  private refused = false;
  /** `web_search_call` items finished so far. */
  private searches = 0;

  push(ev: SseEvent): StreamEvent[] {
    if (this.terminated) return [];
    const data = parseJson(ev.data);
    if (!isRecord(data)) return [];
    const out: StreamEvent[] = [];
    const type = str(data.type) ?? ev.event ?? '';
    switch (type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        this.start(data.response, out);
        break;
      case 'response.output_item.added':
        if (isRecord(data.item)) this.open(num(data.output_index), data.item, out);
        break;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (type === 'response.refusal.delta') this.refused = true;
        this.delta(data, 'message', str(data.delta), out);
        break;
      case 'response.reasoning_summary_text.delta':
        this.reasoningDelta(data, num(data.summary_index) ?? 0, out);
        break;
      case 'response.reasoning_text.delta':
        this.reasoningDelta(data, num(data.content_index) ?? 0, out);
        break;
      case 'response.function_call_arguments.delta':
        this.delta(data, 'function_call', str(data.delta), out);
        break;
      case 'response.function_call_arguments.done':
        this.catchUp(this.find(data, 'function_call'), str(data.arguments), out);
        break;
      case 'response.custom_tool_call_input.delta':
        this.customDelta(this.find(data, 'custom_tool_call'), str(data.delta) ?? '', out);
        break;
      case 'response.custom_tool_call_input.done':
        this.customCatchUp(this.find(data, 'custom_tool_call'), str(data.input), out);
        break;
      case 'response.output_text.annotation.added': {
        const state = this.find(data, 'message');
        const citation = citationFromAnnotation(data.annotation);
        if (state && citation) {
          state.citations = (state.citations ?? 0) + 1;
          out.push({ type: 'citation', index: state.block, citation });
        }
        break;
      }
      case 'response.output_item.done':
        if (isRecord(data.item) && data.item.type === 'web_search_call') {
          this.searches++;
          out.push({ type: 'server_tool', tool: serverToolFromItem(data.item) });
        } else if (isRecord(data.item) && data.item.type === 'code_interpreter_call') {
          out.push({ type: 'server_tool', tool: serverToolFromCodeItem(data.item) });
        } else if (isRecord(data.item)) {
          this.close(num(data.output_index), data.item, out);
        }
        break;
      case 'response.completed':
      case 'response.incomplete':
        this.complete(data.response, out);
        break;
      case 'response.failed':
        this.fail(data.response, out);
        break;
      case 'error':
        this.error(data, out);
        break;
      default:
        break; // content parts, web search progress, keepalive: nothing canonical
    }
    return out;
  }

  /** Nothing is held back; a stream that never finished is turned into an error by the normalizer. */
  end(): StreamEvent[] {
    return [];
  }

  private start(response: unknown, out: StreamEvent[]): void {
    if (this.started || !isRecord(response)) return;
    this.started = true;
    out.push({
      type: 'start',
      id: str(response.id) ?? '',
      model: str(response.model) ?? '',
      created: num(response.created_at) ?? Math.floor(Date.now() / 1000),
    });
  }

  /** Opens the block of an output item (once); undefined for items with no canonical content. */
  private open(index: number | undefined, item: Json, out: StreamEvent[]): ItemState | undefined {
    const type = str(item.type) ?? '';
    if (index === undefined || !ITEM_TYPES.has(type)) return undefined;
    const known = this.items.get(index);
    if (known) return known.type === type ? known : undefined;
    const state: ItemState = { block: this.nextBlock++, type: type as ItemType, emitted: '', part: -1, opened: false, ended: false };
    this.items.set(index, state);
    if (type === 'message' || type === 'reasoning') {
      out.push({ type: 'block_start', index: state.block, block: { type: type === 'message' ? 'text' : 'reasoning' } });
    } else {
      this.calledTools = true;
      const kind = type === 'custom_tool_call' ? { kind: 'custom' as const } : {};
      out.push({ type: 'block_start', index: state.block, block: { type: 'tool_call', id: str(item.call_id) ?? str(item.id) ?? '', name: callName(item), ...kind } });
    }
    return state;
  }

  /** The open item a delta event refers to (`output_index`), opened on the fly for text. */
  private find(data: Json, type: ItemType, out?: StreamEvent[]): ItemState | undefined {
    const index = num(data.output_index);
    if (index === undefined) return undefined;
    const state = this.items.get(index) ?? (out && (type === 'message' || type === 'reasoning')
      ? this.open(index, { type, id: data.item_id }, out) : undefined);
    return state && state.type === type && !state.ended ? state : undefined;
  }

  private delta(data: Json, type: 'message' | 'function_call', text: string | undefined, out: StreamEvent[]): void {
    const state = this.find(data, type, out);
    if (state && text) this.emit(state, text, out);
  }

  private reasoningDelta(data: Json, part: number, out: StreamEvent[]): void {
    const state = this.find(data, 'reasoning', out);
    const text = str(data.delta);
    if (!state || !text) return;
    if (part !== state.part) {
      if (state.part >= 0 && state.emitted !== '') this.emit(state, '\n\n', out);
      state.part = part;
    }
    this.emit(state, text, out);
  }

  /** Emits more text / arguments for a text, reasoning or function-call block. */
  private emit(state: ItemState, text: string, out: StreamEvent[]): void {
    if (text === '') return;
    state.emitted += text;
    if (state.type === 'message') out.push({ type: 'text_delta', index: state.block, text });
    else if (state.type === 'reasoning') out.push({ type: 'reasoning_delta', index: state.block, text });
    else out.push({ type: 'tool_arguments_delta', index: state.block, json: text });
  }

  private catchUp(state: ItemState | undefined, final: string | undefined, out: StreamEvent[]): void {
    if (state && final !== undefined) this.emit(state, remainder(state.emitted, final), out);
  }

  /** Custom tool input is free text; canonically it is the JSON `{"input": "<text>"}`, streamed escaped. */
  private customDelta(state: ItemState | undefined, text: string, out: StreamEvent[]): void {
    if (!state || text === '') return;
    let json = escapeJsonFragment(text);
    if (!state.opened) {
      state.opened = true;
      json = `{"input":"${json}`;
    }
    state.emitted += text;
    out.push({ type: 'tool_arguments_delta', index: state.block, json });
  }

  private customCatchUp(state: ItemState | undefined, final: string | undefined, out: StreamEvent[]): void {
    if (state && final !== undefined) this.customDelta(state, remainder(state.emitted, final), out);
  }

  /** Finishes an item: emits what its final form holds beyond the deltas, its signature, block_end. */
  private close(index: number | undefined, item: Json, out: StreamEvent[]): void {
    const state = this.open(index, item, out);
    if (!state || state.ended) return;
    switch (state.type) {
      case 'message': {
        const texts = messageTexts(item);
        if (texts.some((t) => t.refusal)) this.refused = true;
        this.catchUp(state, texts.map((t) => t.text).join(''), out);
        // Annotations only in the finished item (no annotation events): they still count.
        if (!state.citations && Array.isArray(item.content)) {
          const first = item.content.find((c): c is Json => isRecord(c) && typeof c.text === 'string');
          for (const citation of first ? citationsFromPart(first) : []) out.push({ type: 'citation', index: state.block, citation });
        }
        break;
      }
      case 'reasoning': {
        this.catchUp(state, reasoningText(item), out);
        const enc = str(item.encrypted_content);
        if (enc) this.opaque(state, reasoningOpaque(enc, str(item.id)), out);
        break;
      }
      case 'function_call':
        this.catchUp(state, str(item.arguments), out);
        if (state.emitted.trim() === '') this.emit(state, '{}', out);
        break;
      case 'custom_tool_call':
        this.customCatchUp(state, str(item.input), out);
        out.push({ type: 'tool_arguments_delta', index: state.block, json: state.opened ? '"}' : '{"input":""}' });
        state.opened = true;
        break;
    }
    this.endBlock(state, out);
  }

  private opaque(state: ItemState, o: { signature?: Opaque; redacted?: Opaque }, out: StreamEvent[]): void {
    if (o.signature) out.push({ type: 'signature', index: state.block, signature: o.signature });
    if (o.redacted) out.push({ type: 'redacted_reasoning', index: state.block, data: o.redacted });
  }

  private endBlock(state: ItemState, out: StreamEvent[]): void {
    if (state.ended) return;
    state.ended = true;
    out.push({ type: 'block_end', index: state.block });
  }

  private closeAll(out: StreamEvent[]): void {
    for (const state of this.items.values()) this.endBlock(state, out);
  }

  /** What every terminal event does first: start if not yet, close open blocks, report usage. */
  private terminate(response: unknown, out: StreamEvent[]): Record<string, unknown> {
    this.terminated = true;
    const r = isRecord(response) ? response : {};
    this.start(r, out);
    this.closeAll(out);
    const usage = decodeUsage(r.usage);
    if (usage && this.searches > 0) usage.webSearchRequests = this.searches;
    if (usage) out.push({ type: 'usage', usage });
    return r;
  }

  private complete(response: unknown, out: StreamEvent[]): void {
    const r = this.terminate(response, out);
    const calledTools = this.calledTools || (Array.isArray(r.output) && r.output.some(
      (o) => isRecord(o) && (o.type === 'function_call' || o.type === 'custom_tool_call')));
    const reason = isRecord(r.incomplete_details) ? r.incomplete_details.reason : undefined;
    const status = r.status ?? 'completed';
    out.push({ type: 'finish', reason: finishOf(status, reason, calledTools, this.refused) });
  }

  private fail(response: unknown, out: StreamEvent[]): void {
    const r = this.terminate(response, out);
    const e = isRecord(r.error) ? r.error : {};
    out.push({ type: 'error', error: errorInfo(str(e.code), str(e.message) ?? 'The upstream response failed.') });
  }

  /** `error` event: `{code, message, param}` per the API reference; OpenAI also sends `{error: {type, code, message}}`. */
  private error(data: Json, out: StreamEvent[]): void {
    this.terminated = true;
    const e = isRecord(data.error) ? data.error : data;
    this.closeAll(out);
    out.push({ type: 'error', error: errorInfo(str(e.code) ?? str(e.type), str(e.message) ?? 'The upstream stream reported an error.') });
  }
}
