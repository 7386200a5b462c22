/**
 * Canonical stream events → a Gemini client's stream of GenerateContentResponse chunks
 * `{candidates: [{content: {role: 'model', parts}, index: 0}], modelVersion, responseId}`
 * (Gemini API reference "models.streamGenerateContent").
 *
 * - text delta → `{text}`; reasoning delta → `{text, thought: true}`;
 * - a tool call is ONE `{functionCall: {id, name, args}}` part when its block ends (Gemini never
 *   streams arguments), with its `thoughtSignature`;
 * - a text block's signature joins the text part it follows (each text part is held back by one event
 *   for that), or rides an empty text part; a reasoning block's signature is carried to the next
 *   non-thought part, because Gemini CLI keeps no thought parts in the history it sends back
 *   (another provider's as an envelope with the thinking text it signs; redacted thinking likewise);
 * - the last chunk carries `finishReason` and `usageMetadata` (Gemini CLI retries a stream that ends
 *   without finishReason); its parts are `[{"text": ""}]` (plus a carried signature) as Gemini sends;
 *   `usageMetadata` is always there, zero counts when the upstream reported none; citations and web
 *   searches go in its `groundingMetadata` (grounding.ts), as Gemini sends them at the end;
 * - a code run is an `executableCode` + `codeExecutionResult` chunk where it happened;
 * - a canonical error → `{"error": {code, message, status}}`, then the stream closes.
 *
 * Framing: `sse` (`?alt=sse`) → `data: <json>\r\n\r\n` per chunk, as Google sends; `json-array`
 * (no `alt`) → `[` + chunks (2-space indented) joined by `\n,\r\n` + `\n]`, byte-compatible with the
 * recording gemini/extracted/llmgemini__test_prompt.resp0.jsonarray.
 */
import type { BlockKind, CanonicalRequest, FinishReason, ServerToolPart, StreamEvent, Usage } from '../canonical';
import { CitationTracker, type PlacedCitation } from '../citations';
import { codeParts, groundingMetadata } from './grounding';
import { STATUS_BY_KIND, emptyUsage } from '../canonical';
import type { StreamEncoder } from '../codec';
import { opaqueToSlot, reasoningToSlot } from '../opaque';
import { formatSse } from '../sse';
import { argsObject } from './contents-encode';
import { geminiHttpStatus, googleStatusOf } from './errors';
import { finishToGemini, usageToGemini } from './mapping';
import type { Json } from './wire';

export type GeminiFraming = 'sse' | 'json-array';

/** `args`: a tool call's arguments so far, or a reasoning block's text so far (its signature may sign it). */
interface BlockState { kind: BlockKind; args: string; signature?: string }

export class GeminiStreamEncoder implements StreamEncoder {
  private responseId = '';
  private blocks = new Map<number, BlockState>();
  /** The last text/thought part, held until we know whether a signature joins it. */
  private held: { index: number; part: Json } | undefined;
  /** A reasoning signature waiting for the next non-thought part. */
  private carried: string | undefined;
  private usage: Usage | undefined;
  private finishReason: FinishReason | undefined;
  private chunks = 0;
  private failed = false;
  private ended = false;
  /** The answer text so far, its citations and the searches run, for `groundingMetadata`. */
  private text = '';
  private citations = new CitationTracker();
  private placed: PlacedCitation[] = [];
  private searches: ServerToolPart[] = [];

  constructor(private readonly req: CanonicalRequest, private readonly framing: GeminiFraming = 'sse') {}

  push(ev: StreamEvent): string {
    if (this.failed || this.ended) return '';
    switch (ev.type) {
      case 'start':
        this.responseId = ev.id;
        return '';
      case 'block_start':
        this.blocks.set(ev.index, { kind: ev.block, args: '' });
        return '';
      case 'text_delta':
        this.text += ev.text;
        this.citations.text(ev.index, ev.text);
        return this.hold(ev.index, this.takeCarried({ text: ev.text }));
      case 'citation':
        this.citations.cite(ev.index, ev.citation);
        return '';
      case 'server_tool': {
        this.searches.push(ev.tool);
        const parts = codeParts(ev.tool);
        return parts.length > 0 ? this.release() + this.emit(parts) : '';
      }
      case 'reasoning_delta': {
        const b = this.blocks.get(ev.index);
        if (b) b.args += ev.text;
        return this.hold(ev.index, { text: ev.text, thought: true });
      }
      case 'signature': {
        const b = this.blocks.get(ev.index);
        const value = b?.kind.type === 'reasoning' ? reasoningToSlot({ text: b.args, signature: ev.signature }, 'gemini') : undefined;
        return this.signature(ev.index, value ?? opaqueToSlot(ev.signature, 'gemini'));
      }
      case 'redacted_reasoning':
        // Anthropic-only data: carried like a reasoning signature, as an envelope.
        return this.carry(reasoningToSlot({ text: '', redacted: ev.data }, 'gemini')!);
      case 'tool_arguments_delta': {
        const b = this.blocks.get(ev.index);
        if (b) b.args += ev.json;
        return '';
      }
      case 'block_end':
        this.placed.push(...this.citations.end(ev.index));
        return this.blockEnd(ev.index);
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'finish':
        this.finishReason = ev.reason;
        return this.release();
      case 'error': {
        const out = this.release();
        this.failed = true;
        const status = geminiHttpStatus({ kind: ev.error.kind, status: STATUS_BY_KIND[ev.error.kind] });
        return out + this.frame({ error: { code: status, message: ev.error.message, status: googleStatusOf(ev.error.kind) } });
      }
      default:
        return '';
    }
  }

  end(): string {
    if (this.ended) return '';
    let out = '';
    if (!this.failed) {
      out += this.release();
      if (this.finishReason !== undefined) out += this.finalChunk(this.finishReason);
    }
    this.ended = true;
    if (this.framing === 'json-array') out += this.chunks === 0 ? '[]' : '\n]';
    return out;
  }

  private hold(index: number, part: Json): string {
    const out = this.release();
    this.held = { index, part };
    return out;
  }

  private release(): string {
    if (!this.held) return '';
    const { part } = this.held;
    this.held = undefined;
    return this.emit([part]);
  }

  private takeCarried(part: Json): Json {
    if (this.carried) {
      part.thoughtSignature = this.carried;
      this.carried = undefined;
    }
    return part;
  }

  private signature(index: number, value: string): string {
    const b = this.blocks.get(index);
    if (!b) return '';
    if (b.kind.type === 'tool_call') {
      b.signature = value;
      return '';
    }
    if (b.kind.type === 'text') {
      if (this.held?.index === index && this.held.part.thoughtSignature === undefined) {
        this.held.part.thoughtSignature = value;
        return '';
      }
      return this.release() + this.emit([{ text: '', thoughtSignature: value }]);
    }
    return this.carry(value);
  }

  /** Holds a reasoning slot value for the next non-thought part (one already waiting goes out alone). */
  private carry(value: string): string {
    let out = this.release();
    if (this.carried) out += this.emit([{ text: '', thoughtSignature: this.carried }]);
    this.carried = value;
    return out;
  }

  private blockEnd(index: number): string {
    const b = this.blocks.get(index);
    if (!b) return '';
    // No signature can follow a block's end: a held part of it goes out now, not after the next block.
    if (b.kind.type !== 'tool_call') return this.held?.index === index ? this.release() : '';
    const out = this.release();
    const part: Json = { functionCall: { id: b.kind.id, name: b.kind.name, args: argsObject({ arguments: b.args, kind: b.kind.kind }) } };
    if (b.signature) part.thoughtSignature = b.signature;
    else this.takeCarried(part);
    return out + this.emit([part]);
  }

  private finalChunk(reason: FinishReason): string {
    const part: Json = this.carried ? { text: '', thoughtSignature: this.carried } : { text: '' };
    this.carried = undefined;
    const chunk = this.chunk([part]);
    const candidate = (chunk.candidates as Json[])[0]!;
    candidate.finishReason = finishToGemini(reason);
    const grounding = groundingMetadata(this.text, [...this.placed, ...this.citations.endAll()], this.searches);
    if (grounding) candidate.groundingMetadata = grounding;
    chunk.usageMetadata = usageToGemini(this.usage ?? emptyUsage());
    return this.frame(chunk);
  }

  private chunk(parts: Json[]): Json {
    return {
      candidates: [{ content: { role: 'model', parts }, index: 0 }],
      modelVersion: this.req.model,
      responseId: this.responseId,
    };
  }

  private emit(parts: Json[]): string {
    return this.frame(this.chunk(parts));
  }

  private frame(chunk: Json): string {
    const n = this.chunks++;
    if (this.framing === 'sse') return formatSse(JSON.stringify(chunk), undefined, '\r\n');
    return (n === 0 ? '[' : '\n,\r\n') + JSON.stringify(chunk, null, 2);
  }
}

/** Content type of a streamed reply for each framing. */
export function geminiStreamContentType(framing: GeminiFraming = 'sse'): string {
  return framing === 'sse' ? 'text/event-stream' : 'application/json';
}
