/**
 * Enforces the stream invariants between any decoder and any encoder, so encoders can trust
 * their input and no upstream oddity reaches a client:
 *
 * - exactly one `start`, first (a duplicate `message_start` is dropped; a missing one is made up);
 * - blocks numbered densely from 0; a block is started once and ended once; no empty text or
 *   reasoning block (a block is only announced when its first content arrives);
 * - deltas for unknown or ended blocks are dropped; a text/reasoning delta without a start starts one;
 * - open blocks end before `finish` or `error`; one `finish` at most; after it only `usage` and
 *   one `error` (an upstream that fails the response after its finish reason, e.g. OpenRouter's
 *   error chunk: the client must learn the response failed); nothing but `usage` after an `error`;
 * - a stream that ends with neither `finish` nor `error` gets an `error` (it ended early);
 * - a `citation` belongs to a text block and follows its `block_start` (Anthropic sends citations
 *   before the text: they wait for the block's first text; a block that never gets text drops them);
 * - a `server_tool` (a whole tool run, no block) passes before `finish`.
 */
import type { BlockKind, Citation, StreamEvent } from './canonical';

interface Block {
  out: number;
  kind: BlockKind;
  announced: boolean;
  ended: boolean;
  /** Citations that arrived before the block's first content. */
  pending?: Citation[];
}

export class StreamNormalizer {
  private started = false;
  private finished = false;
  private failed = false;
  private blocks = new Map<number, Block>();
  private nextOut = 0;

  constructor(private fallbackId: () => string = () => `msg_${Date.now().toString(36)}`) {}

  /** True once a text, reasoning or tool block has been announced (the first meaningful content). */
  get hasContent(): boolean {
    return this.nextOut > 0;
  }

  push(ev: StreamEvent): StreamEvent[] {
    const out: StreamEvent[] = [];
    switch (ev.type) {
      case 'start':
        if (!this.started && !this.finished && !this.failed) {
          this.started = true;
          out.push(ev);
        }
        return out;
      case 'usage':
        this.ensureStart(out);
        out.push(ev);
        return out;
      case 'finish':
        if (this.finished || this.failed) return out;
        this.ensureStart(out);
        this.closeAll(out);
        this.finished = true;
        out.push(ev);
        return out;
      case 'error':
        if (this.failed) return out;
        this.ensureStart(out);
        this.closeAll(out);
        this.failed = true;
        out.push(ev);
        return out;
      default:
        break;
    }
    if (this.finished || this.failed) return out;

    if (ev.type === 'server_tool') {
      this.ensureStart(out);
      out.push(ev);
      return out;
    }
    if (ev.type === 'block_start') {
      if (this.blocks.has(ev.index)) return out;
      // Tool calls are announced at once (their name is content); text and reasoning wait for content.
      const b: Block = { out: -1, kind: ev.block, announced: false, ended: false };
      this.blocks.set(ev.index, b);
      if (ev.block.type === 'tool_call') this.announce(b, out);
      return out;
    }
    if (ev.type === 'block_end') {
      const b = this.blocks.get(ev.index);
      if (!b || b.ended) return out;
      b.ended = true;
      if (b.announced) out.push({ type: 'block_end', index: b.out });
      return out;
    }

    let b = this.blocks.get(ev.index);
    if (!b) {
      if (ev.type === 'text_delta' || ev.type === 'reasoning_delta' || ev.type === 'redacted_reasoning') {
        b = { out: -1, kind: { type: ev.type === 'text_delta' ? 'text' : 'reasoning' }, announced: false, ended: false };
        this.blocks.set(ev.index, b);
      } else {
        return out;
      }
    }
    if (b.ended) return out;
    switch (ev.type) {
      case 'text_delta':
      case 'reasoning_delta':
        if (ev.text === '') return out;
        if ((ev.type === 'text_delta') !== (b.kind.type === 'text')) return out;
        this.announce(b, out);
        out.push({ ...ev, index: b.out });
        return out;
      case 'tool_arguments_delta':
        if (b.kind.type !== 'tool_call' || ev.json === '') return out;
        out.push({ ...ev, index: b.out });
        return out;
      case 'signature':
      case 'redacted_reasoning':
        this.announce(b, out);
        out.push({ ...ev, index: b.out });
        return out;
      case 'citation':
        if (b.kind.type !== 'text') return out;
        if (b.announced) out.push({ ...ev, index: b.out });
        else (b.pending ??= []).push(ev.citation);
        return out;
    }
  }

  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.finished || this.failed) return out;
    this.ensureStart(out);
    this.closeAll(out);
    this.failed = true;
    out.push({ type: 'error', error: { kind: 'upstream', message: 'The upstream stream ended before it finished.' } });
    return out;
  }

  private ensureStart(out: StreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push({ type: 'start', id: this.fallbackId(), model: '', created: Math.floor(Date.now() / 1000) });
  }

  private announce(b: Block, out: StreamEvent[]): void {
    if (b.announced) return;
    this.ensureStart(out);
    b.announced = true;
    b.out = this.nextOut++;
    out.push({ type: 'block_start', index: b.out, block: b.kind });
    for (const citation of b.pending ?? []) out.push({ type: 'citation', index: b.out, citation });
    b.pending = undefined;
  }

  private closeAll(out: StreamEvent[]): void {
    for (const b of this.blocks.values()) {
      if (b.announced && !b.ended) out.push({ type: 'block_end', index: b.out });
      b.ended = true;
    }
  }
}
