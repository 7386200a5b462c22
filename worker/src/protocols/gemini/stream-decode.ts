/**
 * Upstream Gemini stream → canonical stream events.
 *
 * The upstream is always asked for `alt=sse`: each SSE event's data is one GenerateContentResponse
 * (Gemini API reference "models.streamGenerateContent"; framing `data: {...}\r\n\r\n`). Per chunk:
 * - text parts append to the open text block, `thought: true` parts to a reasoning block;
 * - a `functionCall` part is a whole call (one block: start, the full arguments JSON, end), or, on
 *   Vertex with streamed arguments, the start of one that `partialArgs` parts complete (partial-args.ts);
 * - `thoughtSignature` on any part becomes a `signature` event for that part's block; on an empty text
 *   part (Gemini puts the response's signature on a trailing `{"text": ""}`) it signs the open text or
 *   reasoning block, else a reasoning block of its own;
 * - `usageMetadata` is cumulative on every chunk: a `usage` event whenever the numbers change;
 * - `finishReason` (last chunk) → `finish`, `STOP` with any function call in the response → `tool_calls`;
 * - `groundingMetadata` (grounding.ts; Gemini repeats it, so each citation and query counts once):
 *   each cited source of a span in the open text block → `citation`; each web search query →
 *   `server_tool`, and the queries are `usage.webSearchRequests`;
 * - `{"error": {...}}` → `error`.
 * - `executableCode` + its `codeExecutionResult` → one `server_tool` (code_execution) event.
 * Only candidate 0 is read. Inline media parts have no canonical stream form: skipped.
 */
import type { FinishReason, Opaque, ServerToolPart, StreamEvent } from '../canonical';
import type { StreamDecoder } from '../codec';
import { opaqueFromSlot } from '../opaque';
import type { SseEvent } from '../sse';
import { errorInfoFromGoogle } from './errors';
import { applyCodeResult, codeRunFromPart, groundingFromWire } from './grounding';
import { finishFromGemini, usageFromGemini } from './mapping';
import { PartialArgs } from './partial-args';
import { field, idSafe, isObject, numberField, randomId, stringField, type Json } from './wire';

interface OpenBlock { index: number; kind: 'text' | 'reasoning'; signed: boolean }
interface OpenCall { index: number; args: PartialArgs }

/** Seconds since epoch of an RFC 3339 `createTime` (Vertex), else now. */
function createdOf(chunk: Json): number {
  const t = stringField(chunk, 'createTime');
  const ms = t ? Date.parse(t) : NaN;
  return Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
}

export class GeminiStreamDecoder implements StreamDecoder {
  private started = false;
  private stopped = false;
  private finished = false;
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  private call: OpenCall | undefined;
  private callCount = 0;
  private sawToolCall = false;
  private idPrefix = '';
  private lastUsage = '';
  /** The answer text so far (text blocks joined) and where the open text block begins in it: grounding offsets count in it. */
  private answer = '';
  private openTextStart = 0;
  /** Citations (`start:end:url`) and search queries already sent. */
  private grounded = new Set<string>();
  private queries = new Set<string>();
  /** An `executableCode` part waiting for its `codeExecutionResult`. */
  private pendingCode: ServerToolPart | undefined;
  private codeCount = 0;

  push(event: SseEvent): StreamEvent[] {
    if (this.stopped) return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      return [];
    }
    return this.pushChunk(chunk);
  }

  /** Decodes one already-parsed GenerateContentResponse (an array of them is taken in order). */
  pushChunk(chunk: unknown): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (Array.isArray(chunk)) {
      for (const c of chunk) out.push(...this.pushChunk(c));
      return out;
    }
    if (!isObject(chunk) || this.stopped) return out;
    if (isObject(chunk.error)) {
      this.stopped = true;
      out.push({ type: 'error', error: errorInfoFromGoogle(chunk.error) });
      return out;
    }
    this.ensureStart(chunk, out);
    const candidates = field(chunk, 'candidates');
    const candidate = Array.isArray(candidates)
      ? candidates.find((c): c is Json => isObject(c) && (numberField(c, 'index') ?? 0) === 0)
      : undefined;
    let finishReason: string | undefined;
    if (candidate && !this.finished) {
      const content = field(candidate, 'content');
      const parts = isObject(content) ? field(content, 'parts') : undefined;
      if (Array.isArray(parts)) for (const p of parts) if (isObject(p)) this.part(p, out);
      finishReason = stringField(candidate, 'finishReason');
      this.grounding(field(candidate, 'groundingMetadata'), out);
    }
    this.usage(chunk, out);
    const feedback = field(chunk, 'promptFeedback');
    const blocked = !candidate && isObject(feedback) && stringField(feedback, 'blockReason') !== undefined;
    if (!this.finished && (finishReason !== undefined || blocked)) {
      this.finish(blocked ? 'content_filter' : finishFromGemini(finishReason, this.sawToolCall), out);
    }
    return out;
  }

  /** Completes a streamed call cut short; the normalizer closes blocks and reports a missing finish. */
  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (!this.stopped && !this.finished) this.completeCall(out);
    return out;
  }

  private ensureStart(chunk: Json, out: StreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    const responseId = stringField(chunk, 'responseId');
    const id = responseId || `gemini_${randomId()}`;
    this.idPrefix = `call_${idSafe(id)}`;
    out.push({ type: 'start', id, model: stringField(chunk, 'modelVersion') ?? '', created: createdOf(chunk) });
  }

  /** Citations of the open text block and new search queries of a `groundingMetadata`. */
  private grounding(meta: unknown, out: StreamEvent[]): void {
    if (meta === undefined) return;
    const g = groundingFromWire(meta, this.answer, this.idPrefix);
    const open = this.open?.kind === 'text' ? this.open : undefined;
    for (const p of g.placed) {
      const key = `${p.start}:${p.end}:${p.citation.url}`;
      if (!open || p.start < this.openTextStart || this.grounded.has(key)) continue;
      this.grounded.add(key);
      out.push({ type: 'citation', index: open.index, citation: { ...p.citation, start: p.start - this.openTextStart, end: p.end - this.openTextStart } });
    }
    for (const tool of g.searches) {
      if (this.queries.has(tool.arguments)) continue;
      this.queries.add(tool.arguments);
      out.push({ type: 'server_tool', tool: { ...tool, id: `${this.idPrefix}_search_${this.queries.size - 1}` } });
    }
  }

  private usage(chunk: Json, out: StreamEvent[]): void {
    const usage = usageFromGemini(field(chunk, 'usageMetadata'));
    if (!usage) return;
    if (this.queries.size > 0) usage.webSearchRequests = this.queries.size;
    const key = JSON.stringify(usage);
    if (key === this.lastUsage) return;
    this.lastUsage = key;
    out.push({ type: 'usage', usage });
  }

  private flushCode(out: StreamEvent[]): void {
    if (this.pendingCode) out.push({ type: 'server_tool', tool: this.pendingCode });
    this.pendingCode = undefined;
  }

  private finish(reason: FinishReason, out: StreamEvent[]): void {
    this.flushCode(out);
    this.completeCall(out);
    this.closeOpen(out);
    this.finished = true;
    out.push({ type: 'finish', reason });
  }

  private part(part: Json, out: StreamEvent[]): void {
    const code = field(part, 'executableCode');
    const result = field(part, 'codeExecutionResult');
    if (isObject(result) && this.pendingCode) {
      applyCodeResult(this.pendingCode, result);
      this.flushCode(out);
      return;
    }
    this.flushCode(out);
    if (isObject(code)) {
      this.pendingCode = codeRunFromPart(code, `${this.idPrefix}_code_${this.codeCount++}`);
      return;
    }
    const sig = stringField(part, 'thoughtSignature');
    const signature = sig ? opaqueFromSlot(sig, 'gemini') : undefined;
    const fc = field(part, 'functionCall');
    if (isObject(fc)) {
      this.functionCall(fc, signature, out);
      return;
    }
    const text = field(part, 'text');
    if (typeof text !== 'string') return;
    this.completeCall(out);
    if (text === '') {
      if (signature) this.signEmpty(signature, out);
      return;
    }
    const kind = field(part, 'thought') === true ? 'reasoning' : 'text';
    let block = this.open;
    if (!block || block.kind !== kind || (signature && block.signed)) {
      this.closeOpen(out);
      block = this.openBlock(kind, out);
      if (kind === 'text') this.openTextStart = this.answer.length;
    }
    if (kind === 'text') this.answer += text;
    out.push(kind === 'text' ? { type: 'text_delta', index: block.index, text } : { type: 'reasoning_delta', index: block.index, text });
    if (signature) {
      out.push({ type: 'signature', index: block.index, signature });
      block.signed = true;
    }
  }

  /** A signature on an empty text part signs the open block, else a reasoning block of its own. */
  private signEmpty(signature: Opaque, out: StreamEvent[]): void {
    if (this.open && !this.open.signed) {
      out.push({ type: 'signature', index: this.open.index, signature });
      this.open.signed = true;
      return;
    }
    this.closeOpen(out);
    const index = this.nextIndex++;
    out.push({ type: 'block_start', index, block: { type: 'reasoning' } }, { type: 'signature', index, signature }, { type: 'block_end', index });
  }

  private functionCall(fc: Json, signature: Opaque | undefined, out: StreamEvent[]): void {
    const name = stringField(fc, 'name');
    if (name) {
      this.completeCall(out);
      this.closeOpen(out);
      const index = this.nextIndex++;
      const id = stringField(fc, 'id') || `${this.idPrefix}_${this.callCount}`;
      this.callCount++;
      this.sawToolCall = true;
      out.push({ type: 'block_start', index, block: { type: 'tool_call', id, name } });
      this.call = { index, args: new PartialArgs(field(fc, 'args')) };
    } else if (!this.call) {
      return; // a continuation with no call open
    }
    const call = this.call as OpenCall;
    if (signature) out.push({ type: 'signature', index: call.index, signature });
    call.args.apply(field(fc, 'partialArgs'));
    if (field(fc, 'willContinue') !== true) this.completeCall(out);
  }

  private completeCall(out: StreamEvent[]): void {
    if (!this.call) return;
    const { index, args } = this.call;
    this.call = undefined;
    out.push({ type: 'tool_arguments_delta', index, json: JSON.stringify(args.args) }, { type: 'block_end', index });
  }

  private openBlock(kind: OpenBlock['kind'], out: StreamEvent[]): OpenBlock {
    const block: OpenBlock = { index: this.nextIndex++, kind, signed: false };
    this.open = block;
    out.push({ type: 'block_start', index: block.index, block: { type: kind } });
    return block;
  }

  private closeOpen(out: StreamEvent[]): void {
    if (!this.open) return;
    out.push({ type: 'block_end', index: this.open.index });
    this.open = undefined;
  }
}
