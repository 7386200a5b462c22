/**
 * OpenAI embeddings (API reference, "Embeddings › Create embeddings": `POST /embeddings`,
 * body {model, input: string | string[], dimensions?, encoding_format?: 'float' | 'base64', user?};
 * response {object:'list', data:[{object:'embedding', index, embedding}], model, usage:{prompt_tokens, total_tokens}}).
 * `base64` is little-endian float32 bytes; the official SDK asks for it unless told otherwise.
 */
import { RequestDecodeError } from '../canonical';
import { joinUrl } from '../url';
import type { EmbedRequest, EmbedResponse } from './canonical';

/** Decodes a client request. @throws RequestDecodeError naming the bad field. */
export function decodeOpenAIEmbedRequest(body: Record<string, unknown>): { req: EmbedRequest; base64: boolean } {
  if (typeof body.model !== 'string' || body.model === '') throw new RequestDecodeError('model: expected a non-empty string', 'model');
  const input = body.input;
  let inputs: string[];
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string')) inputs = input as string[];
  else if (Array.isArray(input) && input.length > 0) throw new RequestDecodeError('input: token arrays are not supported; send strings', 'input');
  else throw new RequestDecodeError('input: expected a string or a non-empty array of strings', 'input');
  if (body.dimensions !== undefined && !(Number.isInteger(body.dimensions) && (body.dimensions as number) > 0)) {
    throw new RequestDecodeError('dimensions: expected a positive integer', 'dimensions');
  }
  const format = body.encoding_format;
  if (format !== undefined && format !== 'float' && format !== 'base64') throw new RequestDecodeError("encoding_format: expected 'float' or 'base64'", 'encoding_format');
  return { req: { model: body.model, inputs, ...(body.dimensions !== undefined && { dimensions: body.dimensions as number }) }, base64: format === 'base64' };
}

/** Upstream URL of an OpenAI-compatible embeddings endpoint. */
export function openAIEmbedUrl(baseUrl: string): string {
  return joinUrl(baseUrl, 'embeddings');
}

/** Upstream body; always asks for floats so the gateway can read and re-encode them. */
export function encodeOpenAIEmbedRequest(req: EmbedRequest, upstreamModel: string): Record<string, unknown> {
  return { model: upstreamModel, input: req.inputs, encoding_format: 'float', ...(req.dimensions !== undefined && { dimensions: req.dimensions }) };
}

/** Reads an upstream response (floats or base64). @throws Error on a malformed body. */
export function decodeOpenAIEmbedResponse(body: unknown): EmbedResponse {
  const b = body as { data?: { index?: number; embedding?: number[] | string }[]; usage?: { prompt_tokens?: number } };
  if (!Array.isArray(b?.data)) throw new Error('embeddings response without data');
  const rows = [...b.data].sort((x, y) => (x.index ?? 0) - (y.index ?? 0));
  return {
    vectors: rows.map((r) => (typeof r.embedding === 'string' ? fromBase64Floats(r.embedding) : r.embedding ?? [])),
    inputTokens: b.usage?.prompt_tokens ?? 0,
  };
}

/** The client body. `model` is the name the client asked for. */
export function encodeOpenAIEmbedResponse(res: EmbedResponse, model: string, base64: boolean): Record<string, unknown> {
  return {
    object: 'list',
    data: res.vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64Floats(v) : v })),
    model,
    usage: { prompt_tokens: res.inputTokens, total_tokens: res.inputTokens },
  };
}

/** Little-endian float32 bytes of a vector, base64. */
export function toBase64Floats(v: number[]): string {
  const bytes = new Uint8Array(new Float32Array(v).buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64Floats(b64: string): number[] {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return Array.from(new Float32Array(bytes.buffer, 0, Math.floor(bytes.length / 4)));
}
