/**
 * Canonical stream events → a Responses stream for the client (OpenAI API reference, "Streaming
 * events"), in the order the API itself emits them:
 *
 *   response.created, response.in_progress
 *   per block, one output item:
 *     text:      output_item.added (message) · content_part.added · output_text.delta… ·
 *                output_text.annotation.added… (the block's citations, at its end: an
 *                Anthropic citation spans its whole block) · output_text.done ·
 *                content_part.done · output_item.done
 *     reasoning: output_item.added (reasoning) · reasoning_summary_part.added ·
 *                reasoning_summary_text.delta… · reasoning_summary_text.done ·
 *                reasoning_summary_part.done · output_item.done (encrypted_content = signature)
 *     tool call: output_item.added (function_call) · function_call_arguments.delta… ·
 *                function_call_arguments.done · output_item.done
 *                (custom tools: custom_tool_call_input.delta/.done with the whole input at the end)
 *   per web search another provider ran (a `server_tool` event), one web_search_call item:
 *     output_item.added · web_search_call.in_progress · .searching · .completed · output_item.done
 *   per code run another provider did, one code_interpreter_call item:
 *     output_item.added · code_interpreter_call.in_progress · code_interpreter_call_code.delta ·
 *     code_interpreter_call_code.done · code_interpreter_call.interpreting · .completed · output_item.done
 *   response.completed | response.incomplete (length, content_filter) | response.failed
 *
 * Every event has `sequence_number`, from 0. Codex needs `output_item.added`, `output_item.done`
 * with the full item (its source of truth) and a terminal event with `usage`; the terminal event
 * is held until `end()` so late usage is included, and its `usage` is all zeros when none came.
 * A canonical `error` (even after `finish`) becomes an `error` event and `response.failed`, with
 * the usage known so far. Tool call items are announced at their first argument delta (or end), so
 * a signature that comes with the call (Gemini) is already packed into `call_id`. A text block's
 * signature (Gemini) has no slot in a message item: a reasoning item carrying it follows the
 * message (output_item.added + output_item.done, `textSignatureItem`).
 */
import { emptyUsage, type BlockKind, type CanonicalRequest, type FinishReason, type Citation, type Opaque, type ServerToolPart, type StreamEvent, type UpstreamErrorInfo, type Usage } from '../canonical';
import type { StreamEncoder } from '../codec';
import { formatSse } from '../sse';
import { clientStreamError } from './errors';
import {
  clientCall, clientCallId, messageItem, outputText, reasoningItem, reasoningSlot, responseObject, responseId, textSignatureItem, toolCallItem,
  type ClientCall,
} from './items';
import { place } from '../citations';
import { codeInterpreterItem } from './code-interpreter';
import { annotationToWire, webSearchItem } from './web-search';
import { newId, statusOf, unwrapCustomInput, type Json } from './wire';

interface Block {
  kind: 'message' | 'reasoning' | 'tool';
  itemId: string;
  /** Position in `output`; -1 until the item is announced. */
  outputIndex: number;
  /** Text, reasoning text, or JSON arguments so far. */
  text: string;
  signature?: Opaque;
  redacted?: Opaque;
  /** Reasoning: the summary part has been announced. */
  partOpen?: boolean;
  /** Tool call: canonical id and how the client sees the call. */
  toolId?: string;
  call?: ClientCall;
  done?: boolean;
  /** Message: citations of the text, annotated at the end. */
  citations?: Citation[];
}

/** One per client response; see the module comment for the event order. Never throws. */
export class ResponsesStreamEncoder implements StreamEncoder {
  private seq = 0;
  private id = newId('resp');
  private createdAt = Math.floor(Date.now() / 1000);
  private opened = false;
  private closed = false;
  private blocks = new Map<number, Block>();
  private output: Json[] = [];
  private usage?: Usage;
  private finish?: FinishReason;

  /** @param req the client's request: `model` shown is `req.model`; tools tell function from custom calls. */
  constructor(private readonly req: CanonicalRequest) {}

  push(ev: StreamEvent): string {
    if (this.closed) return '';
    switch (ev.type) {
      case 'start':
        if (!this.opened) {
          this.id = responseId(ev.id);
          if (ev.created > 0) this.createdAt = ev.created;
        }
        return this.open();
      case 'block_start':
        return this.open() + this.startBlock(ev.index, ev.block);
      case 'text_delta':
      case 'reasoning_delta':
        return this.textDelta(ev.index, ev.text);
      case 'tool_arguments_delta':
        return this.argumentsDelta(ev.index, ev.json);
      case 'signature':
      case 'redacted_reasoning': {
        const b = this.blocks.get(ev.index);
        if (b && ev.type === 'signature') b.signature = ev.signature;
        if (b && ev.type === 'redacted_reasoning') b.redacted = ev.data;
        return '';
      }
      case 'block_end':
        return this.endBlock(ev.index);
      case 'citation': {
        const b = this.blocks.get(ev.index);
        if (b && b.kind === 'message' && !b.done) (b.citations ??= []).push(ev.citation);
        return '';
      }
      case 'server_tool':
        return this.open() + this.webSearch(ev.tool) + this.codeRun(ev.tool);
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'finish':
        this.finish = ev.reason;
        return '';
      case 'error':
        return this.fail(ev.error);
      default:
        return '';
    }
  }

  /** The terminal event (completed, incomplete or failed), exactly once. */
  end(): string {
    if (this.closed) return '';
    let s = this.open() + this.closeBlocks();
    const { status, incomplete } = statusOf(this.finish ?? 'error');
    this.closed = true;
    const type = status === 'completed' ? 'response.completed' : status === 'incomplete' ? 'response.incomplete' : 'response.failed';
    const error = status === 'failed'
      ? { code: 'server_error', message: this.finish ? 'The upstream model failed to complete the response.' : 'The stream ended before the response was complete.' }
      : null;
    s += this.event(type, { response: this.snapshot(status, { incomplete, error }) });
    return s;
  }

  // ---- framing ----

  private event(type: string, payload: Json): string {
    return formatSse(JSON.stringify({ type, sequence_number: this.seq++, ...payload }), type);
  }

  private snapshot(status: 'in_progress' | 'completed' | 'incomplete' | 'failed', extra: { incomplete?: Json | null; error?: { code: string; message: string } | null } = {}): Json {
    return responseObject({
      id: this.id,
      createdAt: this.createdAt,
      status,
      output: status === 'in_progress' ? [] : this.output,
      // A terminal event always carries a whole usage object, zeros when the upstream sent none
      // (clients such as Codex read `usage` there); only the in-progress snapshots have `null`, as the API's.
      ...(status !== 'in_progress' && { usage: this.usage ?? emptyUsage() }),
      ...extra,
    }, this.req);
  }

  private open(): string {
    if (this.opened) return '';
    this.opened = true;
    const response = this.snapshot('in_progress');
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  // ---- blocks ----

  private startBlock(index: number, kind: BlockKind): string {
    if (this.blocks.has(index)) return '';
    if (kind.type === 'tool_call') {
      const call = clientCall(this.req, kind.name, kind.kind);
      this.blocks.set(index, { kind: 'tool', itemId: newId(call.kind === 'custom' ? 'ctc' : 'fc'), outputIndex: -1, text: '', toolId: kind.id, call });
      return ''; // announced at the first argument delta, see module comment
    }
    const b: Block = { kind: kind.type === 'text' ? 'message' : 'reasoning', itemId: newId(kind.type === 'text' ? 'msg' : 'rs'), outputIndex: -1, text: '' };
    this.blocks.set(index, b);
    return this.announce(b);
  }

  private announce(b: Block): string {
    if (b.outputIndex >= 0) return '';
    b.outputIndex = this.output.length;
    this.output.push({});
    const at = { item_id: b.itemId, output_index: b.outputIndex };
    switch (b.kind) {
      case 'message':
        return this.event('response.output_item.added', { output_index: b.outputIndex, item: messageItem(b.itemId, '', 'in_progress') })
          + this.event('response.content_part.added', { ...at, content_index: 0, part: outputText('') });
      case 'reasoning':
        return this.event('response.output_item.added', { output_index: b.outputIndex, item: reasoningItem(b.itemId, '', undefined) });
      case 'tool':
        return this.event('response.output_item.added', { output_index: b.outputIndex, item: this.toolItem(b, '', 'in_progress') });
    }
  }

  private textDelta(index: number, text: string): string {
    const b = this.blocks.get(index);
    if (!b || b.done || b.kind === 'tool' || text === '') return '';
    b.text += text;
    const at = { item_id: b.itemId, output_index: b.outputIndex };
    if (b.kind === 'message') return this.event('response.output_text.delta', { ...at, content_index: 0, delta: text, logprobs: [] });
    let s = '';
    if (!b.partOpen) {
      b.partOpen = true;
      s += this.event('response.reasoning_summary_part.added', { ...at, summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    return s + this.event('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: text });
  }

  private argumentsDelta(index: number, json: string): string {
    const b = this.blocks.get(index);
    if (!b || b.done || b.kind !== 'tool' || json === '') return '';
    const s = this.announce(b);
    b.text += json;
    // Custom tool input is the text inside {"input": …}: sent whole at the end, when it can be unwrapped.
    if (b.call?.kind === 'custom') return s;
    return s + this.event('response.function_call_arguments.delta', { item_id: b.itemId, output_index: b.outputIndex, delta: json });
  }

  private endBlock(index: number): string {
    const b = this.blocks.get(index);
    if (!b || b.done) return '';
    b.done = true;
    let s = this.announce(b);
    const at = { item_id: b.itemId, output_index: b.outputIndex };
    let item: Json;
    if (b.kind === 'message') {
      const annotations = (b.citations ?? []).map((c) => annotationToWire(place(c, 0, b.text.length)));
      annotations.forEach((annotation, i) => {
        s += this.event('response.output_text.annotation.added', { ...at, content_index: 0, annotation_index: i, annotation });
      });
      s += this.event('response.output_text.done', { ...at, content_index: 0, text: b.text, logprobs: [] })
        + this.event('response.content_part.done', { ...at, content_index: 0, part: outputText(b.text, annotations) });
      item = messageItem(b.itemId, b.text, 'completed', annotations);
    } else if (b.kind === 'reasoning') {
      if (b.partOpen) {
        const part = { type: 'summary_text', text: b.text };
        s += this.event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: b.text })
          + this.event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part });
      }
      item = reasoningItem(b.itemId, b.text, reasoningSlot(b, b.itemId));
    } else {
      s += this.endToolCall(b);
      item = this.toolItem(b, this.toolInput(b), 'completed');
    }
    this.output[b.outputIndex] = item;
    s += this.event('response.output_item.done', { output_index: b.outputIndex, item });
    return b.kind === 'message' && b.signature ? s + this.textSignature(b.signature) : s;
  }

  /** A web search another provider ran, as a whole web_search_call item (none for other server tools). */
  private webSearch(tool: ServerToolPart): string {
    const item = webSearchItem(tool, 'completed');
    if (!item) return '';
    const outputIndex = this.output.length;
    this.output.push(item);
    const at = { output_index: outputIndex, item_id: item.id };
    return this.event('response.output_item.added', { output_index: outputIndex, item: webSearchItem(tool, 'in_progress') })
      + this.event('response.web_search_call.in_progress', at)
      + this.event('response.web_search_call.searching', at)
      + this.event('response.web_search_call.completed', at)
      + this.event('response.output_item.done', { output_index: outputIndex, item });
  }

  /** A code run another provider did, as a whole code_interpreter_call item (none for other server tools). */
  private codeRun(tool: ServerToolPart): string {
    const item = codeInterpreterItem(tool, 'completed');
    if (!item) return '';
    const outputIndex = this.output.length;
    this.output.push(item);
    const at = { output_index: outputIndex, item_id: item.id };
    return this.event('response.output_item.added', { output_index: outputIndex, item: codeInterpreterItem(tool, 'in_progress') })
      + this.event('response.code_interpreter_call.in_progress', at)
      + (item.code !== '' ? this.event('response.code_interpreter_call_code.delta', { ...at, delta: item.code }) : '')
      + this.event('response.code_interpreter_call_code.done', { ...at, code: item.code })
      + this.event('response.code_interpreter_call.interpreting', at)
      + this.event('response.code_interpreter_call.completed', at)
      + this.event('response.output_item.done', { output_index: outputIndex, item });
  }

  /** A text block's signature as a reasoning item of its own, announced and done at once. */
  private textSignature(signature: Opaque): string {
    const outputIndex = this.output.length;
    const item = textSignatureItem(newId('rs'), signature);
    this.output.push(item);
    return this.event('response.output_item.added', { output_index: outputIndex, item: { ...item } })
      + this.event('response.output_item.done', { output_index: outputIndex, item });
  }

  private endToolCall(b: Block): string {
    const at = { item_id: b.itemId, output_index: b.outputIndex };
    const input = this.toolInput(b);
    if (b.call?.kind === 'custom') {
      return (input !== '' ? this.event('response.custom_tool_call_input.delta', { ...at, delta: input }) : '')
        + this.event('response.custom_tool_call_input.done', { ...at, input });
    }
    // A tool without arguments still shows `{}` to clients that only add up deltas.
    const s = b.text === '' ? this.event('response.function_call_arguments.delta', { ...at, delta: input }) : '';
    return s + this.event('response.function_call_arguments.done', { ...at, name: b.call?.name ?? '', arguments: input });
  }

  /** Final arguments (function) or free-text input (custom) of a tool block. */
  private toolInput(b: Block): string {
    if (b.call?.kind === 'custom') return b.text === '' ? '' : unwrapCustomInput(b.text);
    return b.text === '' ? '{}' : b.text;
  }

  private toolItem(b: Block, args: string, status: 'in_progress' | 'completed'): Json {
    const callId = clientCallId({ id: b.toolId ?? '', signature: b.signature });
    return toolCallItem(b.itemId, callId, b.call ?? { kind: 'function', name: '' }, args, status);
  }

  /** Ends blocks left open (input that skipped the normalizer), in order. */
  private closeBlocks(): string {
    let s = '';
    for (const [index, b] of this.blocks) if (!b.done) s += this.endBlock(index);
    return s;
  }

  private fail(err: UpstreamErrorInfo): string {
    let s = this.open() + this.closeBlocks();
    const { code, message } = clientStreamError(err);
    this.closed = true;
    s += this.event('error', { code, message, param: null });
    return s + this.event('response.failed', { response: this.snapshot('failed', { error: { code, message } }) });
  }
}
