/**
 * Upstream Chat Completions stream → canonical stream events
 * (OpenAI API reference, "The chat completion chunk object"; streaming guide: `data: {chunk}`
 * events ended by `data: [DONE]`).
 *
 * What real upstreams send, and how it is read (fixtures in shared/fixtures):
 * - Only choice 0 is read; with `n > 1` the other choices interleave and are ignored
 *   (openai-chat/axonhub__openai-multiple_choice_tool.stream.jsonl).
 * - Azure opens with a chunk that has no id and `choices: []` (prompt_filter_results): `start`
 *   waits for the first chunk with an id or a choice (openai-chat/vercel__azure-model-router.1).
 * - Tool call fragments are keyed by `index`, which need not start at 0
 *   (openai-compatible/vercel__anthropic-fallback-tool-call.sse); `id` and `name` come with the
 *   first fragment of an index, a repeated name later is not a new call. A fragment that brings a
 *   different id for an index already in use (servers that number every call 0), or a new id
 *   without any `index`, is a new call; a fragment with neither continues the last call.
 * - Text, reasoning and tool calls may share a chunk, and the last arguments may share the chunk
 *   that carries `finish_reason` (openai-compatible/vercel__deepseek-tool-call); both are read in
 *   that order: reasoning, text, refusal, tool calls, then finish.
 * - Reasoning comes as `delta.reasoning_content` (DeepSeek, vLLM) or `delta.reasoning`
 *   (OpenRouter, newer vLLM); when both are present they carry the same text, so one is read.
 *   OpenRouter adds `delta.reasoning_details` (reasoning-details.ts): its text repeats `reasoning`
 *   and is read only for a block that got none that way; its signature becomes the open
 *   reasoning block's `signature`, its encrypted data a redacted reasoning block.
 * - Usage arrives in a final `choices: []` chunk (vLLM: `choices: null`), or (some vendors) on any
 *   chunk, cumulative: each change is emitted as a full `usage` event. Groq: `x_groq.usage`.
 * - `data: {"error":{...}}` mid-stream becomes an `error` event, even after `finish_reason`
 *   (OpenRouter: "Handling Errors During Streaming"); a `usage` on that chunk is emitted before it.
 *
 * - Web search citations come as `delta.annotations` (url_citation, span in the whole `content`):
 *   a `citation` of the open text block, its span made relative to that block.
 *
 * Blocks are sequential: a new block (text, reasoning or another tool call) ends the open one.
 */
import type { StreamEvent, Usage } from '../canonical';
import type { StreamDecoder } from '../codec';
import type { SseEvent } from '../sse';
import { streamErrorInfo } from './errors';
import { citationsFromAnnotations, finishFromWire, isObject, reasoningText, usageFromWire, type JsonObject } from './wire';
import { decodeReasoningDetails } from './reasoning-details';

/** A tool call being assembled, by its wire `index`. */
interface ToolCallState {
  id?: string;
  name?: string;
  custom: boolean;
  /** Canonical block index once the call is announced. */
  block?: number;
  /** Arguments received before the name was known. */
  pending: string;
  /** Any non-empty arguments emitted. */
  sentArgs: boolean;
}

/** Keys for calls that cannot use their wire index; far above any real index. */
const REUSED_INDEX_KEYS = 1_000_000;

type OpenBlock = { index: number; kind: 'text' | 'reasoning' } | { index: number; kind: 'tool'; call: ToolCallState };

export class OpenAIChatStreamDecoder implements StreamDecoder {
  private started = false;
  private finished = false;
  private failed = false;
  /** `data: [DONE]` arrived: the upstream ended cleanly. */
  private done = false;
  private nextBlock = 0;
  private open: OpenBlock | undefined;
  /** The open reasoning block got text from `reasoning` / `reasoning_content` (details repeat it). */
  private plainReasoning = false;
  private calls = new Map<number, ToolCallState>();
  private lastCallKey: number | undefined;
  /** Wire index → key of the call it now stands for, when a server reused an index for a new call. */
  private aliases = new Map<number, number>();
  private sawToolCall = false;
  private lastUsage = '';
  /** Characters of `content` so far, and where the open text block began in it (annotation spans count in `content`). */
  private contentLength = 0;
  private openTextStart = 0;

  push(event: SseEvent): StreamEvent[] {
    const out: StreamEvent[] = [];
    const data = event.data.trim();
    if (data === '' || this.failed) return out;
    if (data === '[DONE]') {
      this.done = true;
      return out;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return out; // not JSON: skip (comments and keep-alives never reach here; garbage is ignored)
    }
    if (!isObject(chunk)) return out;
    if (chunk.error !== undefined && chunk.error !== null) {
      // OpenRouter reports a failure after the finish reason as `{"error":…}` with the usage of the
      // generation on the same chunk: the usage is read first, so it is counted.
      const errorUsage = usageFromWire(chunk.usage);
      if (errorUsage) this.usage(errorUsage, chunk, out);
      this.fail(chunk.error, chunk, out);
      return out;
    }
    const choices = Array.isArray(chunk.choices) ? chunk.choices.filter(isObject) : [];
    this.ensureStart(chunk, out, choices.length > 0);
    const choice = choices.find((c) => (c.index ?? 0) === 0);
    if (choice && !this.finished) {
      if (isObject(choice.delta)) this.delta(choice.delta, chunk, out);
      if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') this.finish(choice.finish_reason, chunk, out);
    }
    // Groq reports stream usage in `x_groq.usage` of the last chunk.
    const usage = usageFromWire(chunk.usage) ?? usageFromWire(isObject(chunk.x_groq) ? chunk.x_groq.usage : undefined);
    if (usage) this.usage(usage, chunk, out);
    return out;
  }

  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.finished || this.failed) return out;
    this.closeOpen(out);
    // `[DONE]` without a finish_reason (lax servers) is still a clean end; without either, the
    // normalizer reports the early end.
    if (this.done) this.finish('', {}, out);
    return out;
  }

  private ensureStart(chunk: JsonObject, out: StreamEvent[], force: boolean): void {
    if (this.started) return;
    const id = typeof chunk.id === 'string' ? chunk.id : '';
    if (id === '' && !force) return;
    this.started = true;
    out.push({
      type: 'start',
      id: id || `chatcmpl-${Date.now().toString(36)}`,
      model: typeof chunk.model === 'string' ? chunk.model : '',
      created: typeof chunk.created === 'number' ? chunk.created : Math.floor(Date.now() / 1000),
    });
  }

  private delta(delta: JsonObject, chunk: JsonObject, out: StreamEvent[]): void {
    const reasoning = reasoningText(delta);
    if (reasoning) {
      this.text('reasoning', reasoning, chunk, out);
      this.plainReasoning = true;
    }
    if (Array.isArray(delta.reasoning_details)) this.details(delta.reasoning_details, chunk, out);
    if (typeof delta.content === 'string' && delta.content !== '') this.text('text', delta.content, chunk, out);
    if (typeof delta.refusal === 'string' && delta.refusal !== '') this.text('text', delta.refusal, chunk, out);
    if (this.open?.kind === 'text') {
      for (const c of citationsFromAnnotations(delta.annotations)) {
        // A span that begins before this block cannot be placed in it: the citation covers the block.
        const inBlock = c.start !== undefined && c.end !== undefined && c.start >= this.openTextStart;
        const citation = { url: c.url, ...(c.title !== undefined && { title: c.title }) };
        out.push({ type: 'citation', index: this.open.index, citation: inBlock ? { ...citation, start: c.start! - this.openTextStart, end: c.end! - this.openTextStart } : citation });
      }
    }
    if (Array.isArray(delta.tool_calls)) {
      delta.tool_calls.forEach((f, position) => { if (isObject(f)) this.toolFragment(f, position, chunk, out); });
    }
  }

  /** `delta.reasoning_details`: text (unless the block has it from `reasoning`), signatures, encrypted data. */
  private details(raw: unknown[], chunk: JsonObject, out: StreamEvent[]): void {
    for (const d of raw) {
      if (!isObject(d)) continue;
      const [part] = decodeReasoningDetails([d], 'reasoning_details');
      if (!part) continue;
      if (part.redacted) {
        this.openBlock('reasoning', chunk, out);
        out.push({ type: 'redacted_reasoning', index: this.open!.index, data: part.redacted });
        this.closeOpen(out);
        continue;
      }
      const continues = this.open?.kind === 'reasoning';
      if (part.text !== '' && !(continues && this.plainReasoning)) this.text('reasoning', part.text, chunk, out);
      if (!part.signature) continue;
      if (this.open?.kind !== 'reasoning') this.openBlock('reasoning', chunk, out);
      out.push({ type: 'signature', index: this.open!.index, signature: part.signature });
    }
  }

  /** Ends the open block and starts a `kind` block. */
  private openBlock(kind: 'text' | 'reasoning', chunk: JsonObject, out: StreamEvent[]): void {
    this.plainReasoning = false;
    this.closeOpen(out);
    this.ensureStart(chunk, out, true);
    this.open = { index: this.nextBlock++, kind };
    if (kind === 'text') this.openTextStart = this.contentLength;
    out.push({ type: 'block_start', index: this.open.index, block: { type: kind } });
  }

  private text(kind: 'text' | 'reasoning', text: string, chunk: JsonObject, out: StreamEvent[]): void {
    if (this.open?.kind !== kind) this.openBlock(kind, chunk, out);
    if (kind === 'text') this.contentLength += text.length;
    const index = this.open!.index;
    out.push(kind === 'text' ? { type: 'text_delta', index, text } : { type: 'reasoning_delta', index, text });
  }

  private toolFragment(f: JsonObject, position: number, chunk: JsonObject, out: StreamEvent[]): void {
    const key = this.callKey(f, position);
    let call = this.calls.get(key);
    if (!call) {
      call = { custom: f.type === 'custom', pending: '', sentArgs: false };
      this.calls.set(key, call);
    }
    this.lastCallKey = key;
    const fn = isObject(f.function) ? f.function : isObject(f.custom) ? f.custom : {};
    if (call.block === undefined) {
      if (typeof f.id === 'string' && f.id !== '') call.id ??= f.id;
      if (typeof fn.name === 'string' && fn.name !== '') call.name ??= fn.name;
    }
    let args = fragmentArguments(fn);
    if (call.block === undefined) {
      call.pending += args;
      if (call.name === undefined) return; // wait for the name before announcing the call
      args = call.pending;
      call.pending = '';
      this.announce(call, key, chunk, out);
    } else if (this.open?.kind !== 'tool' || this.open.call !== call) {
      return; // a fragment for a call already ended (blocks are sequential): cannot be delivered
    }
    if (args !== '') {
      call.sentArgs = true;
      out.push({ type: 'tool_arguments_delta', index: call.block!, json: args });
    }
  }

  /**
   * Key of the call a fragment belongs to: its wire `index`, unless that index already holds a call
   * with another id (servers that number every call 0), which makes it a new call. Without an
   * index, a new id means a new call, else the last call continues.
   */
  private callKey(f: JsonObject, position: number): number {
    const id = typeof f.id === 'string' && f.id !== '' ? f.id : undefined;
    if (typeof f.index === 'number') {
      let key = this.aliases.get(f.index) ?? f.index;
      const known = this.calls.get(key)?.id;
      if (id !== undefined && known !== undefined && known !== id) {
        key = REUSED_INDEX_KEYS + this.aliases.size + this.calls.size;
        this.aliases.set(f.index, key);
      }
      return key;
    }
    if (id !== undefined) {
      for (const [k, c] of this.calls) if (c.id === id) return k;
      return REUSED_INDEX_KEYS + this.aliases.size + this.calls.size;
    }
    return this.lastCallKey ?? position;
  }

  private announce(call: ToolCallState, key: number, chunk: JsonObject, out: StreamEvent[]): void {
    this.closeOpen(out);
    this.ensureStart(chunk, out, true);
    call.block = this.nextBlock++;
    this.open = { index: call.block, kind: 'tool', call };
    this.sawToolCall = true;
    const id = call.id ?? `call_${key}`;
    out.push({
      type: 'block_start',
      index: call.block,
      block: { type: 'tool_call', id, name: call.name!, ...(call.custom && { kind: 'custom' as const }) },
    });
  }

  /** Ends the open block; a function call that got no arguments gets `{}`. */
  private closeOpen(out: StreamEvent[]): void {
    const b = this.open;
    if (!b) return;
    if (b.kind === 'tool' && !b.call.sentArgs && !b.call.custom) {
      b.call.sentArgs = true;
      out.push({ type: 'tool_arguments_delta', index: b.index, json: '{}' });
    }
    out.push({ type: 'block_end', index: b.index });
    this.open = undefined;
  }

  private finish(reason: string, chunk: JsonObject, out: StreamEvent[]): void {
    if (this.finished) return;
    this.closeOpen(out);
    this.ensureStart(chunk, out, true);
    this.finished = true;
    let canonical = finishFromWire(reason);
    // Some compatible servers end a tool-calling turn with `stop`.
    if (canonical === 'stop' && this.sawToolCall) canonical = 'tool_calls';
    out.push({ type: 'finish', reason: canonical });
  }

  private usage(usage: Usage, chunk: JsonObject, out: StreamEvent[]): void {
    const key = JSON.stringify(usage);
    if (key === this.lastUsage) return;
    this.lastUsage = key;
    this.ensureStart(chunk, out, true);
    out.push({ type: 'usage', usage });
  }

  private fail(error: unknown, chunk: JsonObject, out: StreamEvent[]): void {
    this.closeOpen(out);
    this.ensureStart(chunk, out, true);
    this.failed = true;
    out.push({ type: 'error', error: streamErrorInfo(error) });
  }
}

/** Argument text of a fragment: `function.arguments` (string, or an object some servers send) or custom `input`. */
function fragmentArguments(fn: JsonObject): string {
  const v = fn.arguments ?? fn.input;
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return JSON.stringify(v);
}
