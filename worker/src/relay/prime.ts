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
import type { ChunkReader } from './upstream';

/** A stream read up to its first meaningful event; the pipeline continues from here. */
export interface PrimedStream {
  reader: ChunkReader;
  /** Reads of `reader` under the idle limit (one timer for the whole stream); stop it when the stream is over. */
  reads: IdleReads;
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

/**
 * Chunk-by-chunk reads of one stream with an idle limit per read (rejects with IdleTimeoutError
 * when a read gets nothing within the limit), on one timer re-armed per read. A promise race and a
 * new timer for every chunk were ~4% of the Node gateway's CPU on a 20-chunk stream (issue 11).
 * Call `stop()` once the stream is over (end, failure or cancel) so no timer is left behind.
 */
export class IdleReads {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedMs = -1;
  /** Rejects the read in progress; null between reads. */
  private pending: ((err: Error) => void) | null = null;
  private readonly fire = () => {
    const reject = this.pending;
    this.pending = null;
    // Fired between two reads (a slow client): nothing is waiting; the next read re-arms it.
    reject?.(new IdleTimeoutError(this.armedMs));
  };

  constructor(private readonly reader: ChunkReader) {}

  /** The next chunk, or a rejection with IdleTimeoutError after `idleMs` ms without one (or the read's own error). */
  read(idleMs: number): Promise<ReadableStreamReadResult<Uint8Array>> {
    this.arm(idleMs);
    return new Promise((resolve, reject) => {
      this.pending = reject;
      this.reader.read().then((r) => {
        this.pending = null;
        resolve(r);
      }, (err) => {
        this.pending = null;
        reject(err);
      });
    });
  }

  /** Clears the timer. Idempotent; a later `read` arms it again. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedMs = -1;
  }

  /** Starts the idle clock now: Node's Timeout is re-armed in place (`refresh`), elsewhere (workerd) replaced. */
  private arm(ms: number): void {
    const t = this.timer as { refresh?: () => unknown } | undefined;
    if (t && ms === this.armedMs && typeof t.refresh === 'function') {
      t.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.armedMs = ms;
    this.timer = setTimeout(this.fire, ms);
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
export async function primeStream(body: ReadableStream<Uint8Array> | ChunkReader, decoder: StreamDecoder, idleMs: number, startedAt: number, now: () => number, limits?: StreamLimits): Promise<PrimeResult> {
  const reader = 'getReader' in body ? body.getReader() : body;
  const primed: PrimedStream = {
    reader, reads: new IdleReads(reader), chunks: [], sseEvents: [], sse: new SseReader(limits?.maxEventChars ?? Infinity), decoder, normalizer: new StreamNormalizer(),
    events: [], done: false, firstEventMs: 0, bytesRead: 0, maxBytes: limits?.maxInflatedBytes ?? Infinity, contentEncoding: limits?.contentEncoding ?? null,
  };
  const feed = (events: StreamEvent[]) => {
    for (const ev of events) primed.events.push(...primed.normalizer.push(ev));
  };
  try {
    for (;;) {
      const { done, value } = await primed.reads.read(idleMs);
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
    primed.reads.stop();
    primed.reader.cancel().catch(() => {});
    const message = readErrorMessage(err, primed.contentEncoding) ?? (err instanceof Error ? err.message : String(err));
    return { kind: 'fault', error: { kind: err instanceof IdleTimeoutError ? 'timeout' : 'upstream', message } };
  }
  if (!primed.normalizer.hasContent) {
    const error = primed.events.find((e): e is Extract<StreamEvent, { type: 'error' }> => e.type === 'error');
    const finished = primed.events.some((e) => e.type === 'finish');
    if (error || !finished) {
      primed.reads.stop();
      primed.reader.cancel().catch(() => {});
      if (error) return { kind: 'fault', error: error.error, fromUpstream: true };
      return { kind: 'fault', error: { kind: 'upstream', message: 'the upstream stream ended before any content' } };
    }
  }
  primed.firstEventMs = now() - startedAt;
  return { kind: 'ok', primed };
}
