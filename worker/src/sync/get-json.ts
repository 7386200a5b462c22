/**
 * One GET of a JSON document from an upstream, with a timeout and errors that are safe to show:
 * every message goes through a redactor, so the channel key never appears even when the upstream
 * echoes it.
 */

import { BodyError, readCappedText } from '../relay/body';

/** How many characters of an upstream body an error message quotes. */
export const BODY_SNIPPET_CHARS = 200;

/**
 * Largest JSON document a sync reads, bytes after decompression (models.dev's api.json is about
 * 4 MB; a model list is far smaller): a reply that inflates past it fails the sync, not the process.
 */
export const MAX_SYNC_JSON_BYTES = 32 * 1024 * 1024;

/**
 * A reply's body as text, read with a cap on its decoded size (the runtime's fetch inflates gzip
 * as it is read; reading stops at the cap, so a small compressed bomb never becomes a large string).
 * @throws Error naming the cap, or the read failure (a body that does not decode, a reset).
 */
export async function readCappedReply(res: Response, maxBytes = MAX_SYNC_JSON_BYTES): Promise<string> {
  try {
    return await readCappedText(res, maxBytes);
  } catch (err) {
    if (!(err instanceof BodyError)) throw err;
    throw new Error(err.problem.kind === 'too_large' ? `the reply is larger than ${maxBytes} bytes` : `the reply could not be read: ${err.problem.kind === 'read_failed' ? err.problem.message : err.message}`);
  }
}

/** A failed model-list call. `status` is the upstream HTTP status, or null when no usable reply arrived (network error, timeout, paging limit). */
export class ModelListError extends Error {
  override name = 'ModelListError';
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}

/** What {@link getJson} needs besides the URL. */
export interface GetJsonOptions {
  /** Web-standard fetch (injected so tests and platforms choose the transport). */
  fetchFn: typeof fetch;
  /** Request headers (auth included). */
  headers: Record<string, string>;
  /** Abort the request (headers and body) after this many ms. */
  timeoutMs: number;
  /** Applied to every error message (removes the key and secret header values). */
  redact: (text: string) => string;
  /** Prefix of every error message, e.g. `Gemini model list`. */
  what: string;
}

/** The first {@link BODY_SNIPPET_CHARS} characters of an (already redacted) body, or a note that it was empty. */
export function bodySnippet(text: string): string {
  const t = text.trim();
  return t === '' ? '(empty body)' : t.slice(0, BODY_SNIPPET_CHARS);
}

/**
 * GETs `url` and parses the body as JSON.
 * @returns the parsed JSON value and the body text (for error messages about its shape).
 * @throws ModelListError
 *   - `status: null` on a network error, when `timeoutMs` passed, or when the body is larger than
 *     MAX_SYNC_JSON_BYTES once decompressed;
 *   - `status: <HTTP status>` on a 3xx reply (redirects are not followed), naming its `location`;
 *   - `status: <HTTP status>` on a non-2xx reply, quoting the first 200 characters of the body;
 *   - `status: <HTTP status>` when a 2xx body is not JSON, quoting its first 200 characters.
 */
export async function getJson(url: string, o: GetJsonOptions): Promise<{ json: unknown; text: string; status: number }> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  const at = `${o.what}: GET ${url}`;
  const fail = (message: string, status: number | null): never => {
    throw new ModelListError(o.redact(message), status);
  };
  const failed = (err: unknown): never =>
    signal.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError'
      ? fail(`${at} timed out after ${o.timeoutMs} ms`, null)
      : fail(`${at} failed: ${err instanceof Error ? err.message : String(err)}`, null);

  let res: Response;
  let text: string;
  try {
    // Called unbound: workerd's fetch throws "Illegal invocation" when `this` is the options object.
    const fetchFn = o.fetchFn;
    // Redirects are not followed, as on the relay path (relay/upstream.ts): fetch drops only
    // `authorization` on a cross-origin redirect, so `x-api-key`, `x-goog-api-key` and the
    // channel's own headers would reach whatever host the base URL redirects to.
    res = await fetchFn(url, { method: 'GET', headers: o.headers, signal, redirect: 'manual' });
    text = res.status >= 300 && res.status < 400 ? '' : await readCappedReply(res);
  } catch (err) {
    return failed(err);
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    const to = res.headers.get('location');
    return fail(`${at} returned HTTP ${res.status}${to ? ` (a redirect to ${to})` : ''}: redirects are not followed, so the key is never sent elsewhere; set the base URL to the final address`, res.status);
  }
  // Redact the whole body before cutting it, so a key straddling the cut cannot leak a prefix.
  const snippet = () => bodySnippet(o.redact(text));
  if (!res.ok) return fail(`${at} returned HTTP ${res.status}: ${snippet()}`, res.status);
  try {
    return { json: JSON.parse(text) as unknown, text, status: res.status };
  } catch {
    return fail(`${at} returned HTTP ${res.status} but the body is not JSON: ${snippet()}`, res.status);
  }
}
