/**
 * Whole (non-stream) Gemini responses: GenerateContentResponse {candidates: [{content: {role: 'model',
 * parts}, finishReason, index}], usageMetadata, modelVersion, responseId, promptFeedback}
 * (Gemini API reference "GenerateContentResponse").
 */
import { emptyUsage, type CanonicalRequest, type CanonicalResponse, type ReasoningPart, type ServerToolPart, type StreamEvent, type TextPart, type ToolCallPart } from '../canonical';
import { opaqueToSlot, reasoningToSlot } from '../opaque';
import { placeAll } from '../citations';
import { argsObject } from './contents-encode';
import { codeParts, groundingMetadata } from './grounding';
import { finishToGemini, usageToGemini } from './mapping';
import { GeminiStreamDecoder } from './stream-decode';
import { isObject, type Json } from './wire';

type ContentPart = TextPart | ToolCallPart | ReasoningPart;

/** Folds canonical stream events into a response (the decoder gives both paths the same semantics). */
function collect(events: StreamEvent[]): CanonicalResponse {
  const res: CanonicalResponse = { id: '', model: '', content: [], finishReason: 'stop', usage: emptyUsage(), created: 0 };
  const blocks = new Map<number, ContentPart>();
  let finished = false;
  for (const ev of events) {
    switch (ev.type) {
      case 'start':
        Object.assign(res, { id: ev.id, model: ev.model, created: ev.created });
        break;
      case 'block_start': {
        const part: ContentPart = ev.block.type === 'tool_call'
          ? { type: 'tool_call', id: ev.block.id, name: ev.block.name, arguments: '' }
          : { type: ev.block.type, text: '' };
        blocks.set(ev.index, part);
        res.content.push(part);
        break;
      }
      case 'text_delta':
      case 'reasoning_delta': {
        const part = blocks.get(ev.index);
        if (part && part.type !== 'tool_call') part.text += ev.text;
        break;
      }
      case 'tool_arguments_delta': {
        const part = blocks.get(ev.index);
        if (part?.type === 'tool_call') part.arguments += ev.json;
        break;
      }
      case 'signature': {
        const part = blocks.get(ev.index);
        if (part) part.signature = ev.signature;
        break;
      }
      case 'citation': {
        const part = blocks.get(ev.index);
        if (part?.type === 'text') (part.citations ??= []).push(ev.citation);
        break;
      }
      case 'server_tool':
        res.content.push(ev.tool);
        break;
      case 'usage':
        res.usage = ev.usage;
        break;
      case 'finish':
        res.finishReason = ev.reason;
        finished = true;
        break;
      case 'error':
        throw new Error(`Gemini response is an error: ${ev.error.message}`);
      default:
        break;
    }
  }
  for (const p of res.content) if (p.type === 'tool_call' && p.arguments === '') p.arguments = '{}';
  if (!finished && res.content.some((p) => p.type === 'tool_call')) res.finishReason = 'tool_calls';
  return res;
}

/**
 * Decodes a whole upstream response (parsed JSON; an array of stream chunks is accepted too).
 * Content order is the parts' order; see stream-decode.ts for how parts map.
 * @throws Error when the body is not a GenerateContentResponse (or is an error body).
 */
export function decodeGeminiResponse(body: unknown): CanonicalResponse {
  const chunks = Array.isArray(body) ? body : [body];
  const first = chunks[0];
  if (!isObject(first) || !('candidates' in first || 'promptFeedback' in first || 'usageMetadata' in first || 'error' in first)) {
    throw new Error('Gemini response: expected a GenerateContentResponse object');
  }
  const decoder = new GeminiStreamDecoder();
  const events = chunks.flatMap((c) => decoder.pushChunk(c));
  events.push(...decoder.end());
  return collect(events);
}

/**
 * Canonical assistant content → Gemini parts for a client. Signatures travel in `thoughtSignature`
 * (`opaqueToSlot`). A reasoning signature is carried to the next non-thought part (text or
 * functionCall) that has none, because Gemini CLI drops thought parts from the history it sends back;
 * with no such part it goes on an empty text part. Another provider's reasoning travels as an
 * envelope (`reasoningToSlot`): an Anthropic signature with the thinking text it signs, redacted
 * thinking as its data, so both come back whole from a client that kept only the signature.
 */
export function clientParts(content: CanonicalResponse['content']): Json[] {
  const parts: Json[] = [];
  let carried: string | undefined;
  const sign = (part: Json, own: string | undefined) => {
    if (own) {
      if (carried) parts.push({ text: '', thoughtSignature: carried });
      part.thoughtSignature = own;
    } else if (carried) {
      part.thoughtSignature = carried;
    }
    carried = undefined;
    parts.push(part);
  };
  for (const p of content) {
    if (p.type === 'server_tool') {
      // A code run is parts, in place; a web search is in groundingMetadata (encodeGeminiResponse).
      parts.push(...codeParts(p));
      continue;
    }
    const own = p.type === 'reasoning' ? reasoningToSlot(p, 'gemini') : p.signature ? opaqueToSlot(p.signature, 'gemini') : undefined;
    if (p.type === 'reasoning') {
      if (p.text !== '') parts.push({ text: p.text, thought: true });
      if (own) {
        if (carried) parts.push({ text: '', thoughtSignature: carried });
        carried = own;
      }
    } else if (p.type === 'text') {
      if (p.text !== '' || own) sign({ text: p.text }, own);
    } else if (p.type === 'tool_call') {
      sign({ functionCall: { id: p.id, name: p.name, args: argsObject(p) } }, own);
    }
  }
  if (carried) parts.push({ text: '', thoughtSignature: carried });
  return parts;
}

/**
 * Encodes a whole response for a Gemini client: one candidate, `modelVersion` = the model the client
 * asked for, `responseId` = the response id. With no parts the content is `{role: 'model'}` alone,
 * as Gemini sends it. Citations and web searches become the candidate's `groundingMetadata`.
 */
export function encodeGeminiResponse(res: CanonicalResponse, req: CanonicalRequest): unknown {
  const parts = clientParts(res.content);
  const texts = res.content.filter((p): p is TextPart => p.type === 'text');
  const grounding = groundingMetadata(
    texts.map((p) => p.text).join(''), placeAll(texts), res.content.filter((p): p is ServerToolPart => p.type === 'server_tool'),
  );
  return {
    candidates: [{
      content: parts.length > 0 ? { role: 'model', parts } : { role: 'model' },
      finishReason: finishToGemini(res.finishReason),
      index: 0,
      ...(grounding && { groundingMetadata: grounding }),
    }],
    usageMetadata: usageToGemini(res.usage),
    modelVersion: req.model,
    responseId: res.id,
  };
}
