/** Building client responses: errors in the client's protocol, and upstream replies passed through. */
import type { GatewayError } from '../protocols/canonical';
import { encodeOpenAIError } from '../protocols/openai-chat/errors';

/** An OpenAI-shaped JSON error response with the error's status and Retry-After. */
export function openAIErrorResponse(err: GatewayError): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(err.retryAfterSeconds)));
  return new Response(JSON.stringify(encodeOpenAIError(err)), { status: err.status, headers });
}

/**
 * Upstream response headers a client may see. Everything else is dropped: hop-by-hop headers,
 * `content-length`/`content-encoding` (the runtime may have decoded the body), cookies, and the
 * upstream's rate-limit headers (they describe our channel key, not the client).
 */
const PASSED_HEADERS = ['content-type', 'cache-control', 'retry-after', 'x-request-id', 'request-id', 'openai-processing-ms'];

/** The upstream response, body untouched (streams chunk by chunk with backpressure). */
export function passThrough(upstream: Response): Response {
  const headers = new Headers();
  for (const name of PASSED_HEADERS) {
    const v = upstream.headers.get(name);
    if (v !== null) headers.set(name, v);
  }
  return new Response(upstream.body, { status: upstream.status, headers });
}
