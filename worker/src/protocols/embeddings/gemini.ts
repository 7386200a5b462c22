/**
 * Gemini embeddings (API reference, "Embeddings": `models/{model}:embedContent` with
 * {content:{parts:[{text}]}, taskType?, title?, outputDimensionality?} → {embedding:{values}};
 * `:batchEmbedContents` with {requests:[EmbedContentRequest + model]} → {embeddings:[{values}]}).
 * Only `parts.text` is embedded, as the reference says.
 */
import { RequestDecodeError } from '../canonical';
import { joinUrl } from '../url';
import type { EmbedRequest, EmbedResponse } from './canonical';

type Json = Record<string, unknown>;

function textOf(content: unknown, where: string): string {
  const parts = (content as { parts?: unknown })?.parts;
  if (!Array.isArray(parts)) throw new RequestDecodeError(`${where}.parts: expected an array`, `${where}.parts`);
  return parts.map((p) => (typeof (p as Json)?.text === 'string' ? (p as Json).text as string : '')).join('');
}

function dims(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** Decodes `:embedContent` (batch = false) or `:batchEmbedContents` (batch = true). @throws RequestDecodeError */
export function decodeGeminiEmbedRequest(body: Json, model: string, batch: boolean): EmbedRequest {
  const items: Json[] = batch ? (Array.isArray(body.requests) ? body.requests as Json[] : []) : [body];
  if (items.length === 0) throw new RequestDecodeError('requests: expected a non-empty array', 'requests');
  const first = items[0]!;
  const dimensions = dims(first.outputDimensionality ?? first.output_dimensionality);
  const taskType = first.taskType ?? first.task_type;
  return {
    model,
    inputs: items.map((it, i) => textOf(it.content, batch ? `requests.${i}.content` : 'content')),
    ...(dimensions !== undefined && { dimensions }),
    ...(typeof taskType === 'string' && { taskType }),
  };
}

/** Upstream URL: always the batch method, which serves one input as well as many. */
export function geminiEmbedUrl(baseUrl: string, upstreamModel: string): string {
  return joinUrl(baseUrl, `models/${upstreamModel.replace(/^models\//, '')}:batchEmbedContents`);
}

export function encodeGeminiEmbedRequest(req: EmbedRequest, upstreamModel: string): Json {
  const model = `models/${upstreamModel.replace(/^models\//, '')}`;
  return {
    requests: req.inputs.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(req.taskType !== undefined && { taskType: req.taskType }),
      ...(req.dimensions !== undefined && { outputDimensionality: req.dimensions }),
    })),
  };
}

/** Reads a batchEmbedContents (or embedContent) response. @throws Error on a malformed body. */
export function decodeGeminiEmbedResponse(body: unknown): EmbedResponse {
  const b = body as { embeddings?: { values?: number[] }[]; embedding?: { values?: number[] }; usageMetadata?: { promptTokenCount?: number } };
  const rows = b?.embeddings ?? (b?.embedding ? [b.embedding] : null);
  if (!rows) throw new Error('Gemini embeddings response without embeddings');
  return { vectors: rows.map((r) => r.values ?? []), inputTokens: b.usageMetadata?.promptTokenCount ?? 0 };
}

/** The client body for `:embedContent` (one vector) or `:batchEmbedContents`. */
export function encodeGeminiEmbedResponse(res: EmbedResponse, batch: boolean): Json {
  return batch ? { embeddings: res.vectors.map((values) => ({ values })) } : { embedding: { values: res.vectors[0] ?? [] } };
}
