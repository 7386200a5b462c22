/**
 * Canonical stream events → Anthropic Messages SSE for a client such as Claude Code (docs
 * "Streaming Messages"; SDK 1.14.0 `MessageStream`, which indexes blocks by their position and
 * skips events without an `event:` name). Output per message:
 *   message_start → (content_block_start → content_block_delta* → content_block_stop)* →
 *   message_delta {stop_reason, usage} → message_stop
 * Claude Code needs `message_start` (else it retries without streaming), one `content_block_stop`
 * per block (else the answer is empty) and the stop reason in `message_delta`.
 *
 * Blocks go out one at a time with dense indexes. Text and thinking stream as they come. A tool
 * call is held until its end because Anthropic's `tool_use` has no signature slot: a signature
 * (Gemini) must ride in the id (`packToolCallId`), which is sent first, and the signature may arrive
 * after the arguments. A text block's signature (Gemini) has no slot either and is dropped. While a tool call is held a `ping` goes out every 10 s so idle-connection
 * timeouts do not cut the stream.
 */
import type { StreamEncoder } from '../codec';
import { emptyUsage, type BlockKind, type CanonicalRequest, type FinishReason, type Opaque, type ServerToolPart as ServerTool, type StreamEvent, type Usage } from '../canonical';
import { opaqueToSlot, packToolCallId } from '../opaque';
import { citationToWire, serverToolBlocks } from './citations';
import { formatSse } from '../sse';
import { errorType } from './errors';
import { messageId, stopReasonFromFinish, usageToWire, type Json } from './wire';

/** Milliseconds without output, while a tool call is held, after which a `ping` is sent. */
export const PING_INTERVAL_MS = 10_000;

interface Block {
  kind: BlockKind;
  /** Tool calls: arguments so far (JSON text) and the signature, held until the block ends. */
  args: string;
  signature?: Opaque;
}

/** The block currently open on the wire. */
interface WireBlock {
  canonical: number;
  index: number;
}

const sse = (data: Json): string => formatSse(JSON.stringify(data), data.type as string);

export class AnthropicStreamEncoder implements StreamEncoder {
  private id = '';
  private usage: Usage = emptyUsage();
  private finish: FinishReason | undefined;
  private started = false;
  private failed = false;
  private ended = false;
  private blocks = new Map<number, Block>();
  private open: WireBlock | undefined;
  private nextIndex = 0;
  private lastOutput: number;

  constructor(private readonly req: CanonicalRequest, private readonly now: () => number = Date.now) {
    this.lastOutput = now();
  }

  push(ev: StreamEvent): string {
    if (this.failed || this.ended) return '';
    const out = this.render(ev);
    if (out !== '') this.lastOutput = this.now();
    return out;
  }

  end(): string {
    if (this.ended) return '';
    this.ended = true;
    if (this.failed) return '';
    let out = this.messageStart() + this.closeOpen();
    for (const b of this.blocks.values()) if (b.kind.type === 'tool_call') out += this.toolBlock(b);
    this.blocks.clear();
    out += sse({
      type: 'message_delta',
      delta: { stop_reason: stopReasonFromFinish(this.finish ?? 'stop'), stop_sequence: null },
      usage: usageToWire(this.usage),
    });
    return out + sse({ type: 'message_stop' });
  }

  private render(ev: StreamEvent): string {
    switch (ev.type) {
      case 'start':
        this.id = ev.id;
        return '';
      case 'usage':
        this.usage = { ...ev.usage };
        return '';
      case 'finish':
        this.finish = ev.reason;
        return '';
      case 'error':
        this.failed = true;
        return sse({ type: 'error', error: { type: errorType(ev.error.kind), message: ev.error.message } });
      case 'block_start':
        this.blocks.set(ev.index, { kind: ev.block, args: '' });
        return this.messageStart();
      case 'text_delta':
        return this.delta(ev.index, 'text', { type: 'text_delta', text: ev.text });
      case 'reasoning_delta':
        return this.delta(ev.index, 'reasoning', { type: 'thinking_delta', thinking: ev.text });
      case 'signature':
        return this.signature(ev.index, ev.signature);
      case 'redacted_reasoning':
        return this.redacted(ev.data);
      case 'tool_arguments_delta':
        return this.holdArguments(ev.index, ev.json);
      case 'block_end':
        return this.blockEnd(ev.index);
      case 'citation':
        // On the text block holding the span (Anthropic cites whole blocks: citations.ts).
        return this.delta(ev.index, 'text', { type: 'citations_delta', citation: citationToWire(ev.citation) });
      case 'server_tool':
        return this.serverTool(ev.tool);
    }
  }

  /** A server tool another provider ran, as whole blocks (`serverToolBlocks`). */
  private serverTool(tool: ServerTool): string {
    const blocks = serverToolBlocks(tool);
    if (blocks.length === 0) return '';
    let out = this.messageStart() + this.closeOpen();
    for (const block of blocks) {
      const index = this.nextIndex++;
      if (block.type === 'server_tool_use') {
        out += sse({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
        out += sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
      } else {
        out += sse({ type: 'content_block_start', index, content_block: block });
      }
      out += sse({ type: 'content_block_stop', index });
    }
    return out;
  }

  /** `message_start` once, with the usage known so far (zeros when none came before the content). */
  private messageStart(): string {
    if (this.started) return '';
    this.started = true;
    return sse({
      type: 'message_start',
      message: {
        id: messageId(this.id), type: 'message', role: 'assistant', model: this.req.model, content: [],
        stop_reason: null, stop_sequence: null, usage: usageToWire(this.usage),
      },
    });
  }

  private closeOpen(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = undefined;
    return sse({ type: 'content_block_stop', index });
  }

  /** Makes `canonical` the open wire block (closing another one first), starting it as text or thinking. */
  private openBlock(canonical: number, kind: 'text' | 'reasoning'): string {
    if (this.open?.canonical === canonical) return '';
    let out = this.messageStart() + this.closeOpen();
    const index = this.nextIndex++;
    this.open = { canonical, index };
    const content_block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    out += sse({ type: 'content_block_start', index, content_block });
    return out;
  }

  private delta(canonical: number, kind: 'text' | 'reasoning', delta: Json): string {
    const b = this.blocks.get(canonical);
    if (!b || b.kind.type !== kind) return '';
    const out = this.openBlock(canonical, kind);
    return out + sse({ type: 'content_block_delta', index: this.open!.index, delta });
  }

  private signature(canonical: number, sig: Opaque): string {
    const b = this.blocks.get(canonical);
    if (!b) return '';
    if (b.kind.type === 'tool_call') {
      b.signature = sig;
      return '';
    }
    // Anthropic text blocks have no signature slot; see response.ts encodeContentBlocks for why a
    // thinking block after the text is not used instead.
    if (b.kind.type === 'text') return '';
    const out = this.openBlock(canonical, 'reasoning');
    return out + sse({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'signature_delta', signature: opaqueToSlot(sig, 'anthropic') } });
  }

  /** A redacted thinking block goes out whole: its data is all it has. */
  private redacted(data: Opaque): string {
    let out = this.messageStart() + this.closeOpen();
    const index = this.nextIndex++;
    out += sse({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: opaqueToSlot(data, 'anthropic') } });
    return out + sse({ type: 'content_block_stop', index });
  }

  private holdArguments(canonical: number, json: string): string {
    const b = this.blocks.get(canonical);
    if (!b || b.kind.type !== 'tool_call') return '';
    b.args += json;
    if (this.now() - this.lastOutput < PING_INTERVAL_MS) return '';
    return this.messageStart() + sse({ type: 'ping' });
  }

  private blockEnd(canonical: number): string {
    const b = this.blocks.get(canonical);
    if (!b) return '';
    this.blocks.delete(canonical);
    if (b.kind.type === 'tool_call') return this.toolBlock(b);
    return this.open?.canonical === canonical ? this.closeOpen() : '';
  }

  /** A held tool call, whole: start (id with its signature packed in), all arguments, stop. */
  private toolBlock(b: Block): string {
    if (b.kind.type !== 'tool_call') return '';
    let out = this.messageStart() + this.closeOpen();
    const index = this.nextIndex++;
    const id = packToolCallId(b.kind.id, b.signature);
    out += sse({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: b.kind.name, input: {} } });
    out += sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: b.args === '' ? '{}' : b.args } });
    return out + sse({ type: 'content_block_stop', index });
  }
}
