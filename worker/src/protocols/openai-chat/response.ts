/**
 * Whole (non-stream) chat completions, both ways
 * (OpenAI API reference, "The chat completion object").
 *
 * Only `choices[0]` is read: the canonical response has one answer, so a request with `n > 1`
 * keeps the first. `message.refusal` is text the model wrote instead of an answer; it becomes a
 * text part, and the finish reason stays what the upstream said (OpenAI ends refusals with
 * `stop`; a vendor that says `refusal` gets canonical `refusal`).
 */
import type { CanonicalRequest, CanonicalResponse, ToolCallPart } from '../canonical';
import { emptyUsage } from '../canonical';
import { placeAll } from '../citations';
import { packToolCallId } from '../opaque';
import { decodeReasoningDetails, encodeReasoningDetails, encodeTextSignatureDetail } from './reasoning-details';
import {
  annotationToWire, argumentsText, citationsFromAnnotations, completionId, finishFromWire, finishToWire, isObject, plainText, reasoningText,
  usageFromWire, usageToWire, type JsonObject,
} from './wire';

/**
 * Decodes an upstream `chat.completion` body.
 * @throws Error when the body has no `choices` array (not a chat completion).
 */
export function decodeResponse(body: unknown): CanonicalResponse {
  if (!isObject(body) || !Array.isArray(body.choices)) throw new Error('upstream body is not a chat completion (no choices)');
  const choices = body.choices.filter(isObject);
  const choice = choices.find((c) => (c.index ?? 0) === 0) ?? choices[0] ?? {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: CanonicalResponse['content'] = [];
  const details = Array.isArray(message.reasoning_details) ? decodeReasoningDetails(message.reasoning_details, 'reasoning_details') : [];
  const reasoning = reasoningText(message);
  if (details.length > 0) content.push(...details);
  else if (reasoning) content.push({ type: 'reasoning', text: reasoning });
  const text = plainText(message.content) || (typeof message.refusal === 'string' ? message.refusal : '');
  const citations = citationsFromAnnotations(message.annotations);
  if (text !== '') content.push({ type: 'text', text, ...(citations.length > 0 && { citations }) });
  const calls = responseToolCalls(message);
  content.push(...calls);
  let finishReason = finishFromWire(choice.finish_reason);
  // Some compatible servers (older Ollama, vLLM) end a tool-calling turn with `stop`.
  if (finishReason === 'stop' && calls.length > 0) finishReason = 'tool_calls';
  return {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    content,
    finishReason,
    usage: usageFromWire(body.usage) ?? emptyUsage(),
    created: typeof body.created === 'number' ? body.created : Math.floor(Date.now() / 1000),
  };
}

/** `message.tool_calls` (function and custom), or the deprecated `message.function_call`. */
function responseToolCalls(message: JsonObject): ToolCallPart[] {
  const out: ToolCallPart[] = [];
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
  calls.forEach((c, i) => {
    const id = typeof c.id === 'string' && c.id !== '' ? c.id : `call_${i}`;
    if (c.type === 'custom' && isObject(c.custom)) {
      out.push({ type: 'tool_call', id, name: String(c.custom.name ?? ''), arguments: typeof c.custom.input === 'string' ? c.custom.input : '', kind: 'custom' });
    } else if (isObject(c.function)) {
      out.push({ type: 'tool_call', id, name: String(c.function.name ?? ''), arguments: argumentsText(c.function.arguments) });
    }
  });
  if (out.length === 0 && isObject(message.function_call)) {
    const fc = message.function_call;
    out.push({ type: 'tool_call', id: 'call_0', name: String(fc.name ?? ''), arguments: argumentsText(fc.arguments) });
  }
  return out;
}

/**
 * The `chat.completion` body for the client. `model` is what the client asked for; tool call ids
 * carry any signature (`packToolCallId`), reasoning text goes in `reasoning_content` (the field
 * DeepSeek-style clients read), and reasoning with opaque data (signatures, redacted thinking)
 * also in `reasoning_details` (reasoning-details.ts), which OpenRouter-style clients send back.
 * Citations of the text become `message.annotations`; server tools (searches) have no slot in
 * Chat: their effect is the text.
 */
export function encodeResponse(res: CanonicalResponse, req: CanonicalRequest): JsonObject {
  let text = '';
  let reasoning = '';
  const toolCalls: JsonObject[] = [];
  const details: JsonObject[] = [];
  for (const p of res.content) {
    if (p.type === 'text') {
      text += p.text;
      if (p.signature) details.push(encodeTextSignatureDetail(p.signature, details.length));
    } else if (p.type === 'reasoning') {
      reasoning += p.text;
      details.push(...encodeReasoningDetails(p, details.length));
    } else if (p.type === 'tool_call') {
      const id = packToolCallId(p.id, p.signature);
      toolCalls.push(p.kind === 'custom'
        ? { id, type: 'custom', custom: { name: p.name, input: p.arguments } }
        : { id, type: 'function', function: { name: p.name, arguments: p.arguments } });
    }
  }
  const message: JsonObject = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (details.length > 0) message.reasoning_details = details;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const annotations = placeAll(res.content.filter((p) => p.type === 'text')).map(annotationToWire);
  if (annotations.length > 0) message.annotations = annotations;
  return {
    id: completionId(res.id),
    object: 'chat.completion',
    created: res.created,
    model: req.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishToWire(res.finishReason) }],
    usage: usageToWire(res.usage),
  };
}
