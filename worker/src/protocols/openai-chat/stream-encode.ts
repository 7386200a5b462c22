/**
 * Canonical stream events → Chat Completions stream for the client
 * (OpenAI API reference, "The chat completion chunk object"; `stream_options.include_usage`).
 *
 * Wire produced, one `data:` event per chunk, all with the same `id`, `created` and `model`
 * (= the model the client asked for):
 * 1. `delta: {role:'assistant', content:''}` first;
 * 2. text as `delta.content`, reasoning as `delta.reasoning_content` (DeepSeek's field, which
 *    OpenAI-compatible clients such as opencode and the AI SDK read); a reasoning block's
 *    signature or redacted data as one `delta.reasoning_details` entry holding the block's whole
 *    text with it (reasoning-details.ts), so a client that keeps the details sends both back;
 * 3. each tool call as `{index, id, type:'function', function:{name, arguments:''}}` then
 *    `{index, function:{arguments}}`, `index` counting tool calls from 0. A call is written when its
 *    block ends, so a signature that arrives after the arguments (Gemini) still rides in the id
 *    (`packToolCallId`);
 * 4. a text block's citations as `delta.annotations` (url_citation, span in the whole content)
 *    when the block ends; server tools have no slot in Chat;
 * 5. `delta: {}` with `finish_reason`;
 * 6. only when the client asked (`includeUsage`), a `choices: []` chunk with `usage`, written at
 *    `end()` so the last cumulative usage wins (zeros when the upstream sent none: the client asked);
 * 7. `data: [DONE]`.
 * A canonical `error` becomes `data: {"error":{message,type,param,code}}` (what the OpenAI SDK
 * raises as an APIError), then `[DONE]`.
 */
import { emptyUsage, type CanonicalRequest, type Opaque, type ReasoningPart, type StreamEvent, type Usage } from '../canonical';
import type { StreamEncoder } from '../codec';
import { CitationTracker, type PlacedCitation } from '../citations';
import { packToolCallId } from '../opaque';
import { formatSse } from '../sse';
import { encodeOpenAIError } from './errors';
import { annotationToWire, completionId, finishToWire, usageToWire, type JsonObject } from './wire';
import { encodeReasoningDetails, encodeTextSignatureDetail } from './reasoning-details';

/** A tool call held until its block ends. */
interface PendingCall {
  /** Position among the response's tool calls (the wire `index`). */
  position: number;
  id: string;
  name: string;
  custom: boolean;
  args: string;
  signature?: Opaque;
}

export class OpenAIChatStreamEncoder implements StreamEncoder {
  private id = '';
  private created = Math.floor(Date.now() / 1000);
  private started = false;
  private ended = false;
  private failed = false;
  private toolCount = 0;
  private calls = new Map<number, PendingCall>();
  /** Text of each open reasoning block so far, by block index (for its detail when signed). */
  private thoughts = new Map<number, string>();
  /** Reasoning details written so far (the next detail's `index`). */
  private detailCount = 0;
  private usage: Usage | undefined;
  private citations = new CitationTracker();

  constructor(private readonly req: CanonicalRequest) {}

  push(ev: StreamEvent): string {
    if (this.ended || this.failed) return '';
    switch (ev.type) {
      case 'start':
        if (this.started) return '';
        this.id = completionId(ev.id);
        if (ev.created > 0) this.created = ev.created;
        return this.begin();
      case 'block_start':
        if (ev.block.type === 'tool_call') {
          this.calls.set(ev.index, {
            position: this.toolCount++, id: ev.block.id, name: ev.block.name, custom: ev.block.kind === 'custom', args: '',
          });
        } else if (ev.block.type === 'reasoning') this.thoughts.set(ev.index, '');
        return this.begin();
      case 'text_delta':
        this.citations.text(ev.index, ev.text);
        return this.begin() + this.chunk({ content: ev.text });
      case 'citation':
        this.citations.cite(ev.index, ev.citation);
        return '';
      case 'server_tool':
        return '';
      case 'reasoning_delta':
        if (this.thoughts.has(ev.index)) this.thoughts.set(ev.index, this.thoughts.get(ev.index)! + ev.text);
        return this.begin() + this.chunk({ reasoning_content: ev.text });
      case 'signature': {
        const call = this.calls.get(ev.index);
        if (call) {
          call.signature = ev.signature;
          return '';
        }
        const text = this.thoughts.get(ev.index);
        if (text !== undefined) return this.details({ type: 'reasoning', text, signature: ev.signature });
        // A text block's signature (Gemini): a detail of its own, after the text it signs.
        const detail = encodeTextSignatureDetail(ev.signature, this.detailCount++);
        return this.begin() + this.chunk({ reasoning_details: [detail] });
      }
      case 'redacted_reasoning':
        return this.details({ type: 'reasoning', text: '', redacted: ev.data });
      case 'tool_arguments_delta': {
        const call = this.calls.get(ev.index);
        if (call) call.args += ev.json;
        return '';
      }
      case 'block_end':
        this.thoughts.delete(ev.index);
        return this.flushCall(ev.index) + this.annotations(this.citations.end(ev.index));
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'finish':
        return this.begin() + this.flushAll() + this.chunk({}, finishToWire(ev.reason));
      case 'error': {
        this.failed = true;
        const body = encodeOpenAIError({ status: 0, kind: ev.error.kind, code: ev.error.code ?? ev.error.kind, message: ev.error.message });
        return this.begin() + this.flushAll() + formatSse(JSON.stringify(body));
      }
    }
  }

  end(): string {
    if (this.ended) return '';
    let s = '';
    if (!this.failed) {
      s += this.begin() + this.flushAll();
      if (this.req.includeUsage) s += this.usageChunk(this.usage ?? emptyUsage());
    }
    this.ended = true;
    return s + 'data: [DONE]\n\n';
  }

  /** The opening chunk, once (made up if no `start` came). */
  private begin(): string {
    if (this.started) return '';
    this.started = true;
    if (this.id === '') this.id = completionId('');
    return this.chunk({ role: 'assistant', content: '' });
  }

  private chunk(delta: JsonObject, finishReason: string | null = null): string {
    return formatSse(JSON.stringify({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.req.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    }));
  }

  private usageChunk(usage: Usage): string {
    return formatSse(JSON.stringify({
      id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.req.model, choices: [], usage: usageToWire(usage),
    }));
  }

  /** A chunk with the `reasoning_details` of one reasoning part. */
  private details(part: ReasoningPart): string {
    const details = encodeReasoningDetails(part, this.detailCount);
    if (details.length === 0) return '';
    this.detailCount += 1;
    return this.begin() + this.chunk({ reasoning_details: details });
  }

  /** Writes a finished tool call: its header, then its arguments (`{}` for a function call without any). */
  private flushCall(block: number): string {
    const call = this.calls.get(block);
    if (!call) return '';
    this.calls.delete(block);
    const id = packToolCallId(call.id, call.signature);
    if (call.custom) {
      return this.chunk({ tool_calls: [{ index: call.position, id, type: 'custom', custom: { name: call.name, input: call.args } }] });
    }
    const header = { index: call.position, id, type: 'function', function: { name: call.name, arguments: '' } };
    return this.chunk({ tool_calls: [header] })
      + this.chunk({ tool_calls: [{ index: call.position, function: { arguments: call.args === '' ? '{}' : call.args } }] });
  }

  private annotations(placed: PlacedCitation[]): string {
    return placed.length > 0 ? this.chunk({ annotations: placed.map(annotationToWire) }) : '';
  }

  private flushAll(): string {
    let s = this.annotations(this.citations.endAll());
    for (const block of [...this.calls.keys()]) s += this.flushCall(block);
    return s;
  }
}
