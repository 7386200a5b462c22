/**
 * How to call an Anthropic Messages channel (Anthropic API reference, "Messages": `POST {base}/messages`
 * with `x-api-key` and `anthropic-version`). The base URL includes the version path, e.g.
 * `https://api.anthropic.com/v1`. Version 2023-06-01 is pinned: the request encoder writes that
 * version's body (2026-10-21 rejects sampling fields outright and expects `Authorization: Bearer`).
 */
import { joinUrl } from '../url';

/** The `anthropic-version` header value sent upstream. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Endpoint URL for a Messages request; the model and stream flag travel in the body. */
export function upstreamUrl(baseUrl: string, _model: string, _stream: boolean): string {
  return joinUrl(baseUrl, 'messages');
}

/** Auth and version headers for the channel's key. */
export function upstreamHeaders(key: string): Record<string, string> {
  return { 'x-api-key': key, 'anthropic-version': ANTHROPIC_VERSION };
}
