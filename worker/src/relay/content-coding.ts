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
 * On both, every upstream call asks for `gzip, deflate` only, and the decoded bytes are counted.
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
  constructor(readonly reason: 'decode' | 'too_large' | 'unsupported', message: string) {
    super(message);
    this.name = 'UpstreamBodyError';
  }
}

/** `DecompressionStream` format for a `content-encoding` value, '' for none, null when unsupported. */
function formatFor(contentEncoding: string | null): 'gzip' | 'deflate' | '' | null {
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
 * The reply with its body decoded (on workerd, from the raw bytes it was fetched with; on Node,
 * as undici decoded it) and capped: reading past `maxBytes` decoded bytes, or a body that does not
 * decode, fails the read with an UpstreamBodyError. Nothing is read ahead: one upstream read per
 * consumer read (backpressure as before). Status and other headers are kept; `content-encoding`
 * and `content-length` are dropped (they described the encoded body).
 * @param maxBytes largest decoded body, bytes (the group's `maxInflatedBytes`).
 */
export function decodeUpstreamBody(res: Response, maxBytes: number): Response {
  // A null-body status cannot carry a body in a constructed Response either.
  if (!res.body || res.status === 204 || res.status === 205 || res.status === 304) return res;
  const coding = res.headers.get('content-encoding');
  const format = RAW_UPSTREAM_BODIES ? formatFor(coding) : '';
  let source: ReadableStream<Uint8Array>;
  let failure: UpstreamBodyError | null = null;
  let rawError: unknown = null;
  if (format === null) {
    // Not a coding the gateway asked for: the attempt fails at its first read.
    res.body.cancel().catch(() => {});
    source = new ReadableStream<Uint8Array>({ pull: () => {} });
    failure = new UpstreamBodyError('unsupported', `the upstream answered with content-encoding ${JSON.stringify(coding)}, which the gateway did not ask for (it accepts ${UPSTREAM_ACCEPT_ENCODING})`);
  } else if (format === '') {
    source = res.body;
  } else {
    // The raw reads are watched so that a connection failure is reported as one, not as bad data.
    const rawReader = res.body.getReader();
    const raw = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const step = await rawReader.read();
          if (step.done) controller.close();
          else controller.enqueue(step.value);
        } catch (err) {
          rawError = err;
          controller.error(err);
        }
      },
      cancel: (reason) => rawReader.cancel(reason),
    }, { highWaterMark: 0 });
    source = raw.pipeThrough(new DecompressionStream(format));
  }
  const reader = source.getReader();
  let total = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (failure) {
        controller.error(failure);
        return;
      }
      // An empty piece is read past: a runtime need not pull again after a pull that enqueued nothing.
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (err) {
          // workerd: the decoder's error unless the raw read failed first; Node: undici names zlib's
          // code (Z_DATA_ERROR…) in the cause. Anything else is the connection's own failure.
          const zlib = err instanceof Error && /^Z_/.test(String((err.cause as { code?: unknown } | undefined)?.code ?? ''));
          if ((format && rawError === null) || zlib) controller.error(new UpstreamBodyError('decode', `the upstream answer could not be decoded (content-encoding ${coding}): ${describe(err)}`));
          else controller.error(err);
          return;
        }
        if (step.done) {
          controller.close();
          return;
        }
        total += step.value.byteLength;
        if (total > maxBytes) {
          reader.cancel().catch(() => {});
          controller.error(new UpstreamBodyError('too_large', `the upstream answer is larger than ${maxBytes} bytes${coding ? ' after decompression' : ''} (the group's maxInflatedBytes)`));
          return;
        }
        if (step.value.byteLength > 0) {
          controller.enqueue(step.value);
          return;
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  const headers = new Headers(res.headers);
  headers.delete('content-encoding');
  headers.delete('content-length');
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}
