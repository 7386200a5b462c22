/**
 * Output items and the Response object (OpenAI API reference, "The response object" › output:
 * `message`, `reasoning`, `function_call`, `custom_tool_call`), both directions. Shared by the
 * whole-body and the streaming code so a client sees the same items either way.
 */
import type { CanonicalRequest, CanonicalResponse, Opaque, ReasoningPart, TextPart, ToolCallPart, Usage } from '../canonical';
import { serverToolFromCodeItem } from './code-interpreter';
import { citationsFromPart, serverToolFromItem } from './web-search';
import { opaqueFromSlot, opaqueToSlot, packToolCallId, reasoningFromSlot, reasoningToSlot, textSignatureToSlot } from '../opaque';
import {
  PROTOCOL, REDACTED_MARK, encodeUsage, flatToolName, isRecord, namespaceTable, newId, str, wrapCustomInput, type Json,
} from './wire';

// ---------------------------------------------------------------------------------------------
// Decoding (upstream output items and client input items)
// ---------------------------------------------------------------------------------------------

/** Visible text of a reasoning item: summaries, else raw `reasoning_text` content, joined by blank lines. */
export function reasoningText(item: Json): string {
  const texts = (list: unknown, type: string) => (Array.isArray(list) ? list : [])
    .filter((s): s is Json => isRecord(s) && s.type === type && typeof s.text === 'string')
    .map((s) => s.text as string);
  const summary = texts(item.summary, 'summary_text');
  return (summary.length > 0 ? summary : texts(item.content, 'reasoning_text')).join('\n\n');
}

/** The canonical form of a reasoning item's `encrypted_content` (with the item id as Opaque.itemId). */
export function reasoningOpaque(encrypted: string, itemId: string | undefined): Pick<ReasoningPart, 'signature' | 'redacted'> {
  const o = opaqueFromSlot(encrypted, PROTOCOL, itemId);
  if (o.provider !== PROTOCOL && o.itemId === REDACTED_MARK) return { redacted: { provider: o.provider, value: o.value } };
  return { signature: o };
}

/**
 * A reasoning item as a reasoning part; undefined when it has neither text nor
 * `encrypted_content` (a bare `rs_…` reference only a storing upstream could resolve).
 * `encrypted_content` may be an envelope (protocols/opaque.ts `reasoningFromSlot`): another
 * provider's reasoning (an Anthropic signature with the exact thinking text it signs, redacted
 * thinking) or a Gemini text part's signature, which becomes an empty signed text part.
 */
export function decodeReasoningItem(item: Json): ReasoningPart | TextPart | undefined {
  const text = reasoningText(item);
  const enc = str(item.encrypted_content);
  if (!enc) return text ? { type: 'reasoning', text } : undefined;
  const legacy = reasoningOpaque(enc, str(item.id));
  if (legacy.redacted) return { type: 'reasoning', text, ...legacy };
  return reasoningFromSlot(enc, PROTOCOL, text, str(item.id));
}

/** Text of each `output_text` / `refusal` part of a message item, with the url citations of the text. */
export function messageTexts(item: Json): Array<{ text: string; refusal: boolean; citations?: TextPart['citations'] }> {
  const content = Array.isArray(item.content) ? item.content : [];
  const out: Array<{ text: string; refusal: boolean; citations?: TextPart['citations'] }> = [];
  for (const c of content) {
    if (!isRecord(c)) continue;
    if (typeof c.text === 'string') {
      const citations = citationsFromPart(c);
      out.push({ text: c.text, refusal: false, ...(citations.length > 0 && { citations }) });
    }
    else if (c.type === 'refusal' && typeof c.refusal === 'string') out.push({ text: c.refusal, refusal: true });
  }
  return out;
}

/** Canonical name of the tool an item calls (namespaced tools are flattened). */
export function callName(item: Json): string {
  return flatToolName(str(item.namespace), str(item.name) ?? '');
}

/** A `function_call` / `custom_tool_call` item as a tool call part (`{}` when there are no arguments). */
export function decodeToolCallItem(item: Json): ToolCallPart {
  const id = str(item.call_id) ?? str(item.id) ?? '';
  if (item.type === 'custom_tool_call') {
    return { type: 'tool_call', id, name: callName(item), arguments: wrapCustomInput(str(item.input) ?? ''), kind: 'custom' };
  }
  const args = str(item.arguments) ?? '';
  return { type: 'tool_call', id, name: callName(item), arguments: args.trim() === '' ? '{}' : args };
}

/**
 * Output items → canonical content, in order; `web_search_call` and `code_interpreter_call` items
 * become server tool parts;
 * items with no canonical meaning are skipped.
 */
export function decodeOutput(output: unknown): { content: CanonicalResponse['content']; refused: boolean } {
  const content: CanonicalResponse['content'] = [];
  let refused = false;
  for (const item of Array.isArray(output) ? output : []) {
    if (!isRecord(item)) continue;
    if (item.type === 'reasoning') {
      const part = decodeReasoningItem(item);
      if (part) content.push(part);
    } else if (item.type === 'message') {
      for (const t of messageTexts(item)) {
        refused ||= t.refusal;
        if (t.text !== '') content.push({ type: 'text', text: t.text, ...(t.citations && { citations: t.citations }) });
      }
    } else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      content.push(decodeToolCallItem(item));
    } else if (item.type === 'web_search_call') {
      content.push(serverToolFromItem(item));
    } else if (item.type === 'code_interpreter_call') {
      content.push(serverToolFromCodeItem(item));
    }
  }
  return { content, refused };
}

// ---------------------------------------------------------------------------------------------
// Encoding (items shown to a Responses client)
// ---------------------------------------------------------------------------------------------

type Status = 'in_progress' | 'completed';

/** An `output_text` content part; `annotations` are wire `url_citation`s (web-search.ts). */
export function outputText(text: string, annotations: Json[] = []): Json {
  return { type: 'output_text', annotations, logprobs: [], text };
}

/** An assistant `message` item (no content while in progress). */
export function messageItem(id: string, text: string, status: Status, annotations: Json[] = []): Json {
  return { id, type: 'message', status, content: status === 'in_progress' ? [] : [outputText(text, annotations)], role: 'assistant' };
}

/** A `reasoning` item: the text as one summary; `encrypted_content` when there is opaque data. */
export function reasoningItem(id: string, text: string, encrypted: string | undefined): Json {
  return {
    id,
    type: 'reasoning',
    summary: text ? [{ type: 'summary_text', text }] : [],
    ...(encrypted !== undefined && { encrypted_content: encrypted }),
  };
}

/**
 * The `encrypted_content` for a reasoning part shown to a client with item id `itemId`: another
 * provider's data as an envelope (`reasoningToSlot`: redacted thinking; an Anthropic signature
 * with its thinking text, so the exact text comes back whatever the client does with the summary).
 * A Responses signature whose own item id differs from `itemId` (a stream must announce the item
 * before the signature arrives) travels as an envelope too, so the provider's item id comes back.
 */
export function reasoningSlot(part: { text: string; signature?: Opaque; redacted?: Opaque }, itemId: string): string | undefined {
  const sig = part.signature;
  if (!part.redacted && sig?.provider === PROTOCOL && sig.itemId !== undefined && sig.itemId !== itemId) return envelope(sig);
  return reasoningToSlot(part, PROTOCOL);
}

/**
 * A reasoning item (no summary) carrying a text part's signature (Gemini) for a client: Responses
 * message items have no slot for it. It follows the message item; decoded back into an empty
 * signed text part (`decodeReasoningItem`).
 */
export function textSignatureItem(id: string, signature: Opaque): Json {
  return reasoningItem(id, '', textSignatureToSlot(signature));
}

/**
 * Always the `oe1_` envelope, even for the slot's own provider. The envelope does not depend on
 * the slot owner (protocols/opaque.ts), so asking for any other provider's slot yields it.
 */
function envelope(o: Opaque): string {
  return opaqueToSlot(o, o.provider === 'gemini' ? 'anthropic' : 'gemini');
}

/** How a canonical tool call looks to the client: function or custom, with its namespace if any. */
export interface ClientCall {
  kind: 'function' | 'custom';
  name: string;
  namespace?: string;
}

/** Kind and (namespace, name) of a call to canonical tool `name`, from the client's own tool list. */
export function clientCall(req: CanonicalRequest, name: string, kind: 'function' | 'custom' | undefined): ClientCall {
  const isCustom = kind === 'custom' || req.tools.some((t) => t.name === name && t.kind === 'custom');
  const ns = req.extensions.protocol === PROTOCOL ? namespaceTable(req.extensions.fields)[name] : undefined;
  return { kind: isCustom ? 'custom' : 'function', name: ns ? ns.name : name, ...(ns && { namespace: ns.namespace }) };
}

/** A `function_call` or `custom_tool_call` item; `callId` is already packed with any signature. */
export function toolCallItem(id: string, callId: string, call: ClientCall, args: string, status: Status): Json {
  const ns = call.namespace !== undefined ? { namespace: call.namespace } : {};
  if (call.kind === 'custom') return { id, type: 'custom_tool_call', status, call_id: callId, name: call.name, ...ns, input: args };
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name: call.name, ...ns };
}

/** The call id a client sees: the canonical id with the tool call's signature packed in. */
export function clientCallId(part: Pick<ToolCallPart, 'id' | 'signature'>): string {
  return packToolCallId(part.id, part.signature);
}

/** Fields of a Response object that change while it is produced. */
export interface ResponseState {
  id: string;
  createdAt: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  output: Json[];
  usage?: Usage;
  error?: { code: string; message: string } | null;
  incomplete?: Json | null;
}

/** A Response object (`object: "response"`) echoing what the client asked for. */
export function responseObject(s: ResponseState, req: CanonicalRequest): Json {
  return {
    id: s.id,
    object: 'response',
    created_at: s.createdAt,
    status: s.status,
    background: false,
    error: s.error ?? null,
    incomplete_details: s.incomplete ?? null,
    instructions: null,
    max_output_tokens: req.sampling.maxTokens ?? null,
    model: req.model,
    output: s.output,
    parallel_tool_calls: req.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.includeThoughts ? 'auto' : null },
    store: false,
    temperature: req.sampling.temperature ?? null,
    text: { format: { type: req.responseFormat?.type ?? 'text' } },
    tool_choice: req.toolChoice?.type === 'tool' ? { type: 'function', name: req.toolChoice.name } : (req.toolChoice?.type ?? 'auto'),
    tools: [],
    top_p: req.sampling.topP ?? null,
    truncation: 'disabled',
    usage: s.usage ? encodeUsage(s.usage) : null,
    user: null,
    metadata: {},
  };
}

/** `resp_`-prefixed response id for an upstream message id. */
export function responseId(upstreamId: string): string {
  if (upstreamId.startsWith('resp_')) return upstreamId;
  const clean = upstreamId.replace(/[^A-Za-z0-9_-]/g, '');
  return clean ? `resp_${clean}` : newId('resp');
}
