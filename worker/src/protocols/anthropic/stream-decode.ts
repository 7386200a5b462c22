/**
 * Anthropic Messages SSE stream → canonical stream events (Anthropic API reference / docs
 * "Streaming Messages": `message_start`, `content_block_start` / `_delta` / `_stop`,
 * `message_delta`, `message_stop`, `ping`, `error`; SDK 1.14.0 `RawMessageStreamEvent`).
 *
 * Quirks handled (seen in real recordings): payloads padded with trailing spaces; events without an
 * `event:` line (the JSON `type` decides); a tool_use whose only `input_json_delta` is "" (its
 * arguments become `{}`); `message_delta` usage that revises `message_start` usage (cumulative:
 * replaced, never added); a repeated `message_start` of the same message (ignored); a different
 * message spliced in after content began (an error: the blocks can no longer be trusted).
 */
import type { StreamDecoder } from '../codec';
import { emptyUsage, type FinishReason, type ServerToolPart, type StreamEvent, type UpstreamErrorInfo, type Usage } from '../canonical';
import { opaqueFromSlot } from '../opaque';
import { applyResult, citationFromWire, citationsFromWire, isServerToolResult, serverToolFromWire } from './citations';
import type { SseEvent } from '../sse';
import { errorInfoFromBody } from './errors';
import { finishFromStopReason, isRecord, parseJson, usageFromWire, type Json } from './wire';

interface OpenBlock {
  kind: 'text' | 'reasoning' | 'tool_call' | 'server_tool';
  /** Server tools: the call, its input gathered from `input_json_delta`. */
  server?: ServerToolPart;
  /** Tool calls: arguments sent so far were all empty. */
  argsEmpty: boolean;
  /** Tool calls: `input` given whole in content_block_start (some proxies send no deltas). */
  startInput?: unknown;
  /** Server tools: input JSON text from the deltas. */
  args?: string;
}

export class AnthropicStreamDecoder implements StreamDecoder {
  private messageId: string | undefined;
  private sawContent = false;
  private usage: Usage = emptyUsage();
  private finish: FinishReason | undefined;
  private done = false;
  /** Open blocks by Anthropic index (canonical indexes are the same; skipped server-tool blocks leave gaps the normalizer closes). */
  private blocks = new Map<number, OpenBlock>();
  /** A server tool call whose result block has not come yet; sent with the result's sources, or alone. */
  private pendingServerTool: ServerToolPart | undefined;

  push(event: SseEvent): StreamEvent[] {
    if (this.done) return [];
    const data = parseJson(event.data);
    if (!isRecord(data)) {
      // A non-JSON error event still ends the stream with an error.
      return event.event === 'error' ? this.fail({ kind: 'upstream', message: event.data.trim() || 'Upstream stream error' }) : [];
    }
    const type = typeof data.type === 'string' ? data.type : event.event;
    switch (type) {
      case 'message_start': return this.onMessageStart(data);
      case 'content_block_start': return this.onBlockStart(data);
      case 'content_block_delta': return this.onBlockDelta(data);
      case 'content_block_stop': return this.onBlockStop(data);
      case 'message_delta': return this.onMessageDelta(data);
      case 'message_stop': return this.onMessageStop(true);
      case 'error': return this.fail(errorInfoFromBody(data, 500));
      default: return []; // ping and future event types
    }
  }

  end(): StreamEvent[] {
    // A stream cut after message_delta still said how it ended; without one the normalizer reports the early end.
    return this.onMessageStop(false);
  }

  private fail(error: UpstreamErrorInfo): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error }];
  }

  private onMessageStart(data: Json): StreamEvent[] {
    const m = isRecord(data.message) ? data.message : {};
    const id = typeof m.id === 'string' ? m.id : '';
    if (this.messageId !== undefined) {
      if (id === this.messageId || !this.sawContent) return [];
      return this.fail({ kind: 'upstream', message: `The upstream started message ${id} before message ${this.messageId} ended.` });
    }
    this.messageId = id;
    const out: StreamEvent[] = [{ type: 'start', id, model: typeof m.model === 'string' ? m.model : '', created: Math.floor(Date.now() / 1000) }];
    if (isRecord(m.usage)) {
      this.usage = usageFromWire(m.usage, this.usage);
      out.push({ type: 'usage', usage: { ...this.usage } });
    }
    return out;
  }

  private onBlockStart(data: Json): StreamEvent[] {
    const index = data.index;
    const b = data.content_block;
    if (typeof index !== 'number' || !isRecord(b) || this.blocks.has(index)) return [];
    this.sawContent = true;
    if (isServerToolResult(b)) return this.serverToolResult(b);
    const out = this.flushServerTool();
    return out.concat(this.startBlock(index, b));
  }

  private startBlock(index: number, b: Json): StreamEvent[] {
    switch (b.type) {
      case 'text': {
        this.blocks.set(index, { kind: 'text', argsEmpty: true });
        const out: StreamEvent[] = [{ type: 'block_start', index, block: { type: 'text' } }];
        for (const citation of citationsFromWire(b.citations)) out.push({ type: 'citation', index, citation });
        if (typeof b.text === 'string' && b.text !== '') out.push({ type: 'text_delta', index, text: b.text });
        return out;
      }
      case 'server_tool_use': {
        const server = serverToolFromWire(b);
        if (server) this.blocks.set(index, { kind: 'server_tool', argsEmpty: true, server });
        return [];
      }
      case 'thinking': {
        this.blocks.set(index, { kind: 'reasoning', argsEmpty: true });
        const out: StreamEvent[] = [{ type: 'block_start', index, block: { type: 'reasoning' } }];
        if (typeof b.thinking === 'string' && b.thinking !== '') out.push({ type: 'reasoning_delta', index, text: b.thinking });
        if (typeof b.signature === 'string' && b.signature !== '') out.push({ type: 'signature', index, signature: opaqueFromSlot(b.signature, 'anthropic') });
        return out;
      }
      case 'redacted_thinking': {
        this.blocks.set(index, { kind: 'reasoning', argsEmpty: true });
        const out: StreamEvent[] = [{ type: 'block_start', index, block: { type: 'reasoning' } }];
        if (typeof b.data === 'string') out.push({ type: 'redacted_reasoning', index, data: opaqueFromSlot(b.data, 'anthropic') });
        return out;
      }
      case 'tool_use': {
        if (typeof b.id !== 'string' || typeof b.name !== 'string') return [];
        this.blocks.set(index, { kind: 'tool_call', argsEmpty: true, startInput: b.input });
        return [{ type: 'block_start', index, block: { type: 'tool_call', id: b.id, name: b.name } }];
      }
      default:
        return []; // future block types: no canonical form
    }
  }

  /** A server tool's result: the pending call goes out with the pages found or the output printed. */
  private serverToolResult(b: Json): StreamEvent[] {
    const call = this.pendingServerTool;
    if (call && call.id === b.tool_use_id) applyResult(call, b);
    return this.flushServerTool();
  }

  private flushServerTool(): StreamEvent[] {
    const tool = this.pendingServerTool;
    this.pendingServerTool = undefined;
    return tool ? [{ type: 'server_tool', tool }] : [];
  }

  private onBlockDelta(data: Json): StreamEvent[] {
    const index = data.index;
    const d = data.delta;
    const block = typeof index === 'number' ? this.blocks.get(index) : undefined;
    if (!block || typeof index !== 'number' || !isRecord(d)) return [];
    switch (d.type) {
      case 'text_delta':
        return block.kind === 'text' && typeof d.text === 'string' && d.text !== '' ? [{ type: 'text_delta', index, text: d.text }] : [];
      case 'thinking_delta':
        return block.kind === 'reasoning' && typeof d.thinking === 'string' && d.thinking !== '' ? [{ type: 'reasoning_delta', index, text: d.thinking }] : [];
      case 'signature_delta':
        return block.kind === 'reasoning' && typeof d.signature === 'string' && d.signature !== ''
          ? [{ type: 'signature', index, signature: opaqueFromSlot(d.signature, 'anthropic') }]
          : [];
      case 'citations_delta': {
        const citation = block.kind === 'text' ? citationFromWire(d.citation) : undefined;
        return citation ? [{ type: 'citation', index, citation }] : [];
      }
      case 'input_json_delta':
        if (block.kind === 'server_tool' && typeof d.partial_json === 'string') {
          block.args = (block.args ?? '') + d.partial_json;
          return [];
        }
        if (block.kind !== 'tool_call' || typeof d.partial_json !== 'string' || d.partial_json === '') return [];
        block.argsEmpty = false;
        return [{ type: 'tool_arguments_delta', index, json: d.partial_json }];
      default:
        return []; // future deltas
    }
  }

  private onBlockStop(data: Json): StreamEvent[] {
    const index = data.index;
    const block = typeof index === 'number' ? this.blocks.get(index) : undefined;
    if (!block || typeof index !== 'number') return [];
    this.blocks.delete(index);
    if (block.kind === 'server_tool') {
      // The call is whole; it waits for its result block (which names the pages found).
      if (block.server && block.args) block.server.arguments = block.args;
      const out = this.flushServerTool();
      this.pendingServerTool = block.server;
      return out;
    }
    const out: StreamEvent[] = [];
    if (block.kind === 'tool_call' && block.argsEmpty) {
      // No argument deltas: the input given at the start (usually {}) is the whole input.
      const input = isRecord(block.startInput) ? block.startInput : {};
      out.push({ type: 'tool_arguments_delta', index, json: JSON.stringify(input) });
    }
    out.push({ type: 'block_end', index });
    return out;
  }

  private onMessageDelta(data: Json): StreamEvent[] {
    const delta = isRecord(data.delta) ? data.delta : {};
    if (typeof delta.stop_reason === 'string') this.finish = finishFromStopReason(delta.stop_reason);
    if (!isRecord(data.usage)) return [];
    const next = usageFromWire(data.usage, this.usage);
    if (JSON.stringify(next) === JSON.stringify(this.usage)) return [];
    this.usage = next;
    return [{ type: 'usage', usage: { ...next } }];
  }

  /** `explicit`: a message_stop arrived (a normal end even without a stop_reason); else the body just ended. */
  private onMessageStop(explicit: boolean): StreamEvent[] {
    if (this.done || (this.finish === undefined && !explicit)) return [];
    this.done = true;
    return [...this.flushServerTool(), { type: 'finish', reason: this.finish ?? 'stop' }];
  }
}
