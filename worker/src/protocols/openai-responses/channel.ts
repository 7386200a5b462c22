/**
 * How to call an OpenAI Responses channel (OpenAI API reference, "Create a model response":
 * `POST {base}/responses`, `Authorization: Bearer <key>`; the same URL streams when the body
 * says `stream: true`).
 */
import { joinUrl } from '../url';

/** Endpoint URL on a channel whose base URL is e.g. `https://api.openai.com/v1`. */
export function upstreamUrl(baseUrl: string, _upstreamModel: string, _stream: boolean): string {
  return joinUrl(baseUrl, 'responses');
}

/** Auth header for the channel's key. */
export function upstreamHeaders(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
