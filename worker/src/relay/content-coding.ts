/**
 * Content codings of upstream replies (RFC 9110 §8.4): what the gateway asks for, how a reply is
 * decoded, and the cap on its decoded size, so that a body that does not decode, or that inflates
 * without end (a "gzip bomb"), fails one attempt (a channel fault, or the client protocol's error
 * event once the stream is committed) instead of the process.
 *
 * The two runtimes' fetch differ (measured, worker/test/upstream and the edge suites):
 * - workerd decodes `gzip` and `br` itself but passes `deflate` through undecoded; with
 *   `encodeResponseBody: "manual"` it hands over the raw bytes. The gateway takes raw bytes and
 *   decodes with `DecompressionStream` (output in 4 KiB pieces, so the cap below holds memory).
 * - Node's fetch (undici) decodes `gzip`, `deflate` and `br` itself, in 16 KiB pieces, as the body
 *   is read; a bad body fails the read ("terminated", cause `Z_DATA_ERROR`).
 * On both, every upstream call asks for `gzip, deflate` only, and the readers count the decoded
 * bytes against the group's `maxInflatedBytes`.
 */

/** The `accept-encoding` of every upstream call: the codings both runtimes decode. */
export const UPSTREAM_ACCEPT_ENCODING = 'gzip, deflate';

/**
 * Whether the runtime's fetch can hand over raw (still encoded) bodies: workerd, recognised by its
 * documented `navigator.userAgent` "Cloudflare-Workers". Node's fetch cannot and decodes itself.
 */
export const RAW_UPSTREAM_BODIES = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';

/** Why an upstream body could not be read to its end; the attempt is a channel fault. */
export class UpstreamBodyError extends Error {
  constructor(readonly reason: 'too_large' | 'unsupported', message: string) {
    super(message);
    this.name = 'UpstreamBodyError';
  }
}

/**
 * The decoder (`DecompressionStream` format, or node:zlib's on Node) for a `content-encoding` value:
 * '' for none, null for a coding the gateway did not ask for (or stacked codings).
 */
export function formatFor(contentEncoding: string | null): 'gzip' | 'deflate' | '' | null {
  const codings = (contentEncoding ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '' && s !== 'identity');
  if (codings.length === 0) return '';
  if (codings.length > 1) return null; // stacked codings: never asked for
  const c = codings[0];
  if (c === 'gzip' || c === 'x-gzip') return 'gzip';
  if (c === 'deflate') return 'deflate'; // RFC 9110 §8.4.1.2: the zlib format
  return null;
}

/** The message of an error and of its cause (undici puts the zlib reason in `cause`). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message || err.name;
}

/**
 * The reply with its body decoded. On workerd (raw bodies) a gzip or deflate body is piped
 * through `DecompressionStream` (native: no JavaScript between the socket and the reader, and
 * nothing read ahead), a coding not asked for fails at the first read with UpstreamBodyError; on
 * Node the body is already decoded and the reply is returned as it is. The `content-encoding`
 * header is kept (it names the coding in error messages; nothing copies it to a client).
 * The decoded size is capped by the readers (readWholeBody, primeStream, pipeStream), which count
 * what they read: see {@link tooLarge}.
 */
export function decodeUpstreamBody(res: Response): Response {
  // A null-body status cannot carry a body in a constructed Response either.
  if (!RAW_UPSTREAM_BODIES || !res.body || res.status === 204 || res.status === 205 || res.status === 304) return res;
  const coding = res.headers.get('content-encoding');
  const format = formatFor(coding);
  if (format === '') return res;
  const headers = new Headers(res.headers);
  headers.delete('content-length'); // it counted the encoded bytes
  let body: ReadableStream<Uint8Array>;
  if (format === null) {
    res.body.cancel().catch(() => {});
    const failure = unsupportedCoding(coding);
    body = new ReadableStream<Uint8Array>({ start: (controller) => controller.error(failure) });
  } else {
    body = res.body.pipeThrough(new DecompressionStream(format));
  }
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}

/** The error for a reply in a coding the gateway did not ask for (raised at the first read). */
export function unsupportedCoding(contentEncoding: string | null): UpstreamBodyError {
  return new UpstreamBodyError('unsupported', `the upstream answered with content-encoding ${JSON.stringify(contentEncoding)}, which the gateway did not ask for (it accepts ${UPSTREAM_ACCEPT_ENCODING})`);
}

/** The error for a reply whose decoded size passed the cap. */
export function tooLarge(maxBytes: number, contentEncoding: string | null): UpstreamBodyError {
  return new UpstreamBodyError('too_large', `the upstream answer is larger than ${maxBytes} bytes${contentEncoding ? ' after decompression' : ''} (the group's maxInflatedBytes)`);
}

/**
 * What to say about an error thrown while reading an upstream body, or null when it is the
 * connection's own failure (the caller words that). Errors are the gateway's own
 * (UpstreamBodyError), or the decoder's: on workerd any read error of a compressed body comes
 * through DecompressionStream (a reset then reads as bad data too: both are channel faults); on
 * Node zlib's code (Z_DATA_ERROR…) is on the error itself (node:zlib streams, node/upstream-agent.ts)
 * or, through fetch, on its cause.
 */
export function readErrorMessage(err: unknown, contentEncoding: string | null): string | null {
  if (err instanceof UpstreamBodyError) return err.message;
  const codeOf = (e: unknown) => String((e as { code?: unknown } | undefined)?.code ?? '');
  const zlib = err instanceof Error && (/^Z_/.test(codeOf(err)) || /^Z_/.test(codeOf(err.cause)));
  if (zlib || (RAW_UPSTREAM_BODIES && formatFor(contentEncoding))) return `the upstream answer could not be decoded (content-encoding ${contentEncoding}): ${describe(err)}`;
  return null;
}
