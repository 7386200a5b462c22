/**
 * Holds a streaming upstream response until its first meaningful event, so that an upstream that
 * fails before producing anything (an error event, a stream that ends empty) can still be retried
 * on another channel. Nothing has reached the client yet while priming.
 */
import type { StreamEvent, UpstreamErrorInfo } from '../protocols/canonical';
import type { StreamDecoder } from '../protocols/codec';
import { StreamNormalizer } from '../protocols/normalize';
import { SseReader, type SseEvent } from '../protocols/sse';
import { readErrorMessage, tooLarge } from './content-coding';

/** A stream read up to its first meaningful event; the pipeline continues from here. */
export interface PrimedStream {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Raw bytes read so far (replayed first in byte passthrough). */
  chunks: Uint8Array[];
  /** SSE events parsed so far (replayed first in filtered passthrough). */
  sseEvents: SseEvent[];
  sse: SseReader;
  decoder: StreamDecoder;
  normalizer: StreamNormalizer;
  /** Normalized events produced so far (emitted first when converting). */
  events: StreamEvent[];
  /** The upstream body already ended while priming. */
  done: boolean;
  /** ms from the attempt's start to the first meaningful event. */
  firstEventMs: number;
  /** Decoded bytes read so far, and the most that may be (the group's maxInflatedBytes). */
  bytesRead: number;
  maxBytes: number;
  /** The reply's content-encoding header (for error messages), or null. */
  contentEncoding: string | null;
}

/** Caps of one stream (group settings) and what the reply says of its coding. */
export interface StreamLimits {
  /** Largest SSE event held, characters. */
  maxEventChars: number;
  /** Largest body after decoding, bytes. */
  maxInflatedBytes: number;
  contentEncoding: string | null;
}

/** Counts `n` more decoded bytes. @throws UpstreamBodyError past the stream's cap. */
export function countBytes(primed: PrimedStream, n: number): void {
  primed.bytesRead += n;
  if (primed.bytesRead > primed.maxBytes) throw tooLarge(primed.maxBytes, primed.contentEncoding);
}

export type PrimeResult =
  | { kind: 'ok'; primed: PrimedStream }
  | {
    kind: 'fault';
    error: UpstreamErrorInfo | { kind: 'upstream'; message: string };
    /** The upstream's own error event (not a read failure, an idle timeout or an empty end). */
    fromUpstream?: true;
  };

/** Reads with an idle limit: rejects with a timeout error when no chunk arrives within `idleMs`. */
export async function readWithIdle(reader: ReadableStreamDefaultReader<Uint8Array>, idleMs: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IdleTimeoutError(idleMs)), idleMs);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    clearTimeout(timer);
  }
}

export class IdleTimeoutError extends Error {
  constructor(readonly idleMs: number) {
    super(`no data from the upstream for ${idleMs} ms`);
    this.name = 'IdleTimeoutError';
  }
}

/**
 * Reads until the first content block, a `finish` (a reply may legitimately have no content, e.g. a
 * refusal), an error event, or the end of the body. A read that fails (reset, stall, a body that
 * does not decode or inflates past its cap) or an event past `maxEventChars` is a fault: the next
 * member gets the request.
 * @param idleMs longest gap between chunks before the attempt is given up.
 * @param limits the group's caps and the reply's content-encoding (none by default).
 */
export async function primeStream(body: ReadableStream<Uint8Array>, decoder: StreamDecoder, idleMs: number, startedAt: number, now: () => number, limits?: StreamLimits): Promise<PrimeResult> {
  const primed: PrimedStream = {
    reader: body.getReader(), chunks: [], sseEvents: [], sse: new SseReader(limits?.maxEventChars ?? Infinity), decoder, normalizer: new StreamNormalizer(),
    events: [], done: false, firstEventMs: 0, bytesRead: 0, maxBytes: limits?.maxInflatedBytes ?? Infinity, contentEncoding: limits?.contentEncoding ?? null,
  };
  const feed = (events: StreamEvent[]) => {
    for (const ev of events) primed.events.push(...primed.normalizer.push(ev));
  };
  try {
    for (;;) {
      const { done, value } = await readWithIdle(primed.reader, idleMs);
      if (done) {
        primed.done = true;
        for (const sseEvent of primed.sse.end()) {
          primed.sseEvents.push(sseEvent);
          feed(decoder.push(sseEvent));
        }
        feed(decoder.end());
        break;
      }
      countBytes(primed, value.byteLength);
      primed.chunks.push(value);
      for (const sseEvent of primed.sse.push(value)) {
        primed.sseEvents.push(sseEvent);
        feed(decoder.push(sseEvent));
      }
      if (primed.normalizer.hasContent || primed.events.some((e) => e.type === 'finish' || e.type === 'error')) break;
    }
  } catch (err) {
    primed.reader.cancel().catch(() => {});
    const message = readErrorMessage(err, primed.contentEncoding) ?? (err instanceof Error ? err.message : String(err));
    return { kind: 'fault', error: { kind: err instanceof IdleTimeoutError ? 'timeout' : 'upstream', message } };
  }
  if (!primed.normalizer.hasContent) {
    const error = primed.events.find((e): e is Extract<StreamEvent, { type: 'error' }> => e.type === 'error');
    const finished = primed.events.some((e) => e.type === 'finish');
    if (error || !finished) {
      primed.reader.cancel().catch(() => {});
      if (error) return { kind: 'fault', error: error.error, fromUpstream: true };
      return { kind: 'fault', error: { kind: 'upstream', message: 'the upstream stream ended before any content' } };
    }
  }
  primed.firstEventMs = now() - startedAt;
  return { kind: 'ok', primed };
}
