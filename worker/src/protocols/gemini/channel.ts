/**
 * How to call a Gemini channel (Gemini API reference "models.generateContent" /
 * "models.streamGenerateContent", API keys via the `x-goog-api-key` header). The base URL includes
 * the API version, e.g. `https://generativelanguage.googleapis.com/v1beta` (v1beta: the request
 * encoder uses `parametersJsonSchema` and `responseJsonSchema`).
 */
import { joinUrl } from '../url';
import { stripModelsPrefix } from './wire';

/**
 * Generation endpoint: `{base}/models/{model}:generateContent`, or
 * `{base}/models/{model}:streamGenerateContent?alt=sse` (SSE framing, which the stream decoder reads).
 */
export function geminiUpstreamUrl(baseUrl: string, upstreamModel: string, stream: boolean): string {
  const model = stripModelsPrefix(upstreamModel);
  return joinUrl(baseUrl, stream ? `models/${model}:streamGenerateContent?alt=sse` : `models/${model}:generateContent`);
}

/** Auth header for the channel's API key. */
export function geminiUpstreamHeaders(key: string): Record<string, string> {
  return { 'x-goog-api-key': key };
}
