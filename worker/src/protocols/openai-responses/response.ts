/**
 * Whole (non-stream) responses: the Response object of `POST /v1/responses` (OpenAI API reference,
 * "The response object": id, created_at (seconds), status, model, output[], incomplete_details,
 * usage, error).
 */
import type { CanonicalRequest, CanonicalResponse } from '../canonical';
import { emptyUsage } from '../canonical';
import {
  clientCall, clientCallId, decodeOutput, messageItem, reasoningItem, reasoningSlot, responseObject, responseId, textSignatureItem, toolCallItem,
} from './items';
import { place } from '../citations';
import { codeInterpreterItem } from './code-interpreter';
import { annotationToWire, webSearchItem } from './web-search';
import { decodeUsage, finishOf, isRecord, newId, num, statusOf, str, unwrapCustomInput, type Json } from './wire';

/**
 * Decodes an upstream Response body. Finish: `completed` with a function call → tool_calls,
 * `completed` → stop (refusal when the message refused), `incomplete` → length or
 * content_filter, `failed`/`cancelled` → error. `code_interpreter_call` items become server tool
 * parts (code_execution); `web_search_call` items become server tool parts
 * and count in `usage.webSearchRequests` (one call each; the usage object has no such count);
 * `url_citation` annotations become citations of their text. Other items are skipped.
 * @throws Error when the body is not a Response object (e.g. an error body).
 */
export function decodeResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.output)) throw new Error('not an OpenAI Responses response body');
  const { content, refused } = decodeOutput(body.output);
  const calledTools = content.some((p) => p.type === 'tool_call');
  const incomplete = isRecord(body.incomplete_details) ? body.incomplete_details.reason : undefined;
  const usage = decodeUsage(body.usage) ?? emptyUsage();
  const searches = body.output.filter((o) => isRecord(o) && o.type === 'web_search_call').length;
  if (searches > 0) usage.webSearchRequests = searches;
  return {
    id: str(body.id) ?? '',
    model: str(body.model) ?? '',
    content,
    finishReason: finishOf(body.status, incomplete, calledTools, refused),
    usage,
    created: num(body.created_at) ?? Math.floor(Date.now() / 1000),
  };
}

/**
 * A Response object for the client: each text part a `message` item, each reasoning part a
 * `reasoning` item (signature in `encrypted_content`; a signed text part's signature in a reasoning
 * item of its own after the message), each tool call a `function_call` (or
 * `custom_tool_call`) whose `call_id` carries any signature (packToolCallId), each web search a
 * `web_search_call`, each code run a `code_interpreter_call`; a text part's citations are its `url_citation` annotations. `model` is the
 * name the client asked for.
 */
export function encodeResponse(res: CanonicalResponse, req: CanonicalRequest): Json {
  const output: Json[] = [];
  for (const part of res.content) {
    if (part.type === 'text') {
      const annotations = (part.citations ?? []).map((c) => annotationToWire(place(c, 0, part.text.length)));
      if (part.text !== '') output.push(messageItem(newId('msg'), part.text, 'completed', annotations));
      if (part.signature) output.push(textSignatureItem(newId('rs'), part.signature));
    } else if (part.type === 'reasoning') {
      const own = part.signature?.provider === 'openai-responses' ? part.signature.itemId : undefined;
      const id = own ?? newId('rs');
      const encrypted = reasoningSlot(part, id);
      if (part.text !== '' || encrypted !== undefined) output.push(reasoningItem(id, part.text, encrypted));
    } else if (part.type === 'server_tool') {
      const item = webSearchItem(part, 'completed') ?? codeInterpreterItem(part, 'completed');
      if (item) output.push(item);
    } else {
      const call = clientCall(req, part.name, part.kind);
      const args = call.kind === 'custom' ? unwrapCustomInput(part.arguments) : part.arguments || '{}';
      output.push(toolCallItem(newId(call.kind === 'custom' ? 'ctc' : 'fc'), clientCallId(part), call, args, 'completed'));
    }
  }
  const { status, incomplete } = statusOf(res.finishReason);
  return responseObject({
    id: responseId(res.id),
    createdAt: res.created,
    status,
    output,
    usage: res.usage,
    incomplete,
    error: status === 'failed' ? { code: 'server_error', message: 'The upstream model failed to complete the response.' } : null,
  }, req);
}
