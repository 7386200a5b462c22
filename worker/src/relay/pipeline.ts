/**
 * The committed stream: upstream → client, one upstream chunk per client pull (so a slow client
 * slows the upstream read: backpressure), with a tap that reads usage, finish and errors.
 *
 * Output modes:
 * - `bytes`: same protocol; the upstream bytes unchanged.
 * - `filter`: same protocol, but some SSE events are withheld (e.g. the usage chunk the gateway
 *   asked for and the client did not); kept events are re-framed as the upstream framed them.
 * - `convert`: another protocol; normalized canonical events through the client's encoder.
 */
import { emptyUsage, type FinishReason, type StreamEvent, type UpstreamErrorInfo, type Usage } from '../protocols/canonical';
import type { StreamEncoder } from '../protocols/codec';
import { SseEventCutter, SseEventTooLargeError, formatSse, type SseEvent } from '../protocols/sse';
import { readErrorMessage } from './content-coding';
import { IdleTimeoutError, countBytes, type PrimedStream } from './prime';
import { StreamRedactor, type SecretMatcher } from '../lib/redact';
import type { AbortSource } from '../lib/abort';

export type OutputMode =
  | { kind: 'bytes' }
  | { kind: 'filter'; keep: (ev: SseEvent) => boolean; eol?: string }
  | { kind: 'convert'; encoder: StreamEncoder };

/** What the tap saw, for accounting and logs. */
export interface StreamSummary {
  usage: Usage | null;
  finish: FinishReason | null;
  error: UpstreamErrorInfo | null;
  /** How the stream ended: the upstream finished, the client left, or it failed mid-way. */
  endedBy: 'upstream' | 'client' | 'failure';
  bytesOut: number;
  /** The output count is an estimate from the characters streamed (the client left before the upstream's count). */
  usageEstimated?: boolean;
}

/**
 * Output tokens for `chars` characters of text, tool arguments and reasoning streamed: ~4 characters
 * a token (OpenAI's rule of thumb for English, "What are tokens and how to count them"). Only for
 * a stream the client left before the upstream's own count: its budget and TPM still see the cost.
 */
export function estimateOutputTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export interface PipeOptions {
  /** Longest gap between upstream chunks, ms. */
  idleMs: number;
  /** Same-protocol passthrough: the client protocol's in-stream error + closing text after a mid-stream failure. */
  errorTail?: (err: UpstreamErrorInfo) => string;
  onDone: (summary: StreamSummary) => void;
  /** Receives the canonical events of a converted stream as they go out (`convert` mode only). */
  onEvents?: (events: StreamEvent[]) => void;
  /** Receives every chunk sent to the client (request logs with bodies). */
  capture?: { push(chunk: Uint8Array): void };
  /**
   * Credentials of the attempt: removed from everything sent (an upstream may echo its key in an
   * error event mid-stream, in any protocol, passed through or converted).
   */
  secrets?: readonly string[] | SecretMatcher;
  /**
   * The client's request signal. Where the upstream call is tied to it (workerd), a client that
   * leaves shows up first as a failed upstream read: with this the stream is still counted as
   * ended by the client, not as an upstream failure.
   */
  clientSignal?: AbortSource;
}

const encoder = new TextEncoder();

/** Bytes the pipeline may read ahead of the client. */
export const READ_AHEAD_BYTES = 64 * 1024;

/** Builds the client body from a primed upstream stream. */
export function pipeStream(primed: PrimedStream, mode: OutputMode, opts: PipeOptions): ReadableStream<Uint8Array> {
  const summary: StreamSummary = { usage: null, finish: null, error: null, endedBy: 'upstream', bytesOut: 0 };
  const redactor = opts.secrets ? new StreamRedactor(opts.secrets) : null;
  let finished = false;
  /** Characters of output streamed so far, for the estimate when the client leaves early. */
  let outputChars = 0;

  const tap = (events: StreamEvent[]) => {
    if (mode.kind === 'convert' && events.length > 0) opts.onEvents?.(events);
    for (const ev of events) {
      if (ev.type === 'text_delta' || ev.type === 'reasoning_delta') outputChars += ev.text.length;
      else if (ev.type === 'tool_arguments_delta') outputChars += ev.json.length;
      else if (ev.type === 'usage') summary.usage = ev.usage;
      else if (ev.type === 'finish') summary.finish = ev.reason;
      else if (ev.type === 'error') summary.error = ev.error;
    }
  };
  const normalized = (raw: StreamEvent[]) => raw.flatMap((ev) => primed.normalizer.push(ev));
  // Byte passthrough goes out whole events at a time, so a failure can still append an error event.
  const cutter = mode.kind === 'bytes' ? new SseEventCutter() : null;
  const render = (events: StreamEvent[], sseEvents: SseEvent[], raw: Uint8Array | null): string | Uint8Array | null => {
    tap(events);
    if (mode.kind === 'convert') return events.map((e) => mode.encoder.push(e)).join('');
    if (mode.kind === 'filter') return sseEvents.filter(mode.keep).map((e) => formatSse(e.data, e.event, mode.eol)).join('');
    return raw && cutter!.push(raw);
  };
  const closing = (): string | Uint8Array => {
    const tail = primed.normalizer.end();
    tap(tail);
    if (mode.kind === 'convert') return tail.map((e) => mode.encoder.push(e)).join('') + mode.encoder.end();
    const err = tail.find((e): e is Extract<StreamEvent, { type: 'error' }> => e.type === 'error');
    const errorText = err && opts.errorTail ? opts.errorTail(err.error) : '';
    // The upstream's last event may lack its blank line: it goes out, closed before any error event.
    if (!cutter?.holding) return errorText;
    const rest = cutter.end();
    return errorText ? concat(rest, encoder.encode(`\n\n${errorText}`)) : rest;
  };
  const finish = (endedBy: StreamSummary['endedBy']) => {
    if (finished) return;
    finished = true;
    primed.reads.stop();
    summary.endedBy = endedBy;
    if (endedBy === 'client' && outputChars > 0 && (summary.usage?.output ?? 0) === 0) {
      // Input counts some providers send first (Anthropic message_start) are kept.
      summary.usage = { ...(summary.usage ?? emptyUsage()), output: estimateOutputTokens(outputChars) };
      summary.usageEstimated = true;
    }
    opts.onDone(summary);
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      // What priming already read goes out first.
      const first = render(primed.events, primed.sseEvents, null);
      if (mode.kind === 'bytes') for (const c of primed.chunks) enqueue(controller, cutter!.push(c));
      else if (first) enqueue(controller, first);
    },
    async pull(controller) {
      // Loop until this pull produced bytes or the stream ended: an upstream read that completes no
      // event yields nothing, and a runtime need not call pull again after an empty one (workerd doesn't).
      for (;;) {
        if (primed.done) {
          enqueue(controller, closing());
          closeOutput(controller);
          finish(summary.error ? 'failure' : 'upstream');
          return;
        }
        let result: ReadableStreamReadResult<Uint8Array>;
        let sseEvents: SseEvent[];
        try {
          result = await primed.reads.read(opts.idleMs);
          // Past the group's caps (decoded size, one SSE event) the stream fails like a broken read.
          if (!result.done) countBytes(primed, result.value.byteLength);
          sseEvents = result.done ? primed.sse.end() : primed.sse.push(result.value);
        } catch (err) {
          primed.reader.cancel().catch(() => {});
          if (opts.clientSignal?.aborted) {
            // The client left: nobody reads on, nothing to tell.
            primed.done = true;
            finish('client');
            try {
              controller.close();
            } catch {}
            return;
          }
          // A reset or an idle upstream after the first byte: no retry is possible any more; end the
          // client's stream in its own protocol.
          const idle = err instanceof IdleTimeoutError;
          // Our own errors (and a decoder's) say what happened; anything else is the connection's failure.
          const known = idle || err instanceof SseEventTooLargeError ? err.message : readErrorMessage(err, primed.contentEncoding);
          const error: UpstreamErrorInfo = {
            kind: idle ? 'timeout' : 'upstream',
            message: known ?? `the upstream connection failed: ${err instanceof Error ? err.message : String(err)}`,
          };
          const out = render(primed.normalizer.push({ type: 'error', error }), [], null);
          if (mode.kind === 'convert') enqueue(controller, `${out ?? ''}${mode.encoder.end()}`);
          else if (opts.errorTail) enqueue(controller, opts.errorTail(error));
          primed.done = true;
          closeOutput(controller);
          finish('failure');
          return;
        }
        if (result.done) {
          const out = render(normalized([...sseEvents.flatMap((e) => primed.decoder.push(e)), ...primed.decoder.end()]), sseEvents, null);
          if (out) enqueue(controller, out);
          primed.done = true;
          continue;
        }
        const out = render(normalized(sseEvents.flatMap((e) => primed.decoder.push(e))), sseEvents, result.value);
        // Only a pull that enqueued bytes may return (the redactor can hold back a whole chunk).
        if (out && out.length > 0 && enqueue(controller, out)) return;
      }
    },
    cancel() {
      primed.reader.cancel().catch(() => {});
      finish('client');
    },
  }, {
    // A small read-ahead (64 KiB) instead of none: each chunk need not wait for a consumer round
    // trip, yet a slow client still stops the upstream reads once the queue is full (backpressure).
    highWaterMark: READ_AHEAD_BYTES,
    size: (chunk) => chunk.byteLength,
  });

  function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
    const all = new Uint8Array(a.byteLength + b.byteLength);
    all.set(a);
    all.set(b, a.byteLength);
    return all;
  }

  /** Sends `out` (redacted); false when nothing went out (empty, or held back by the redactor). */
  function enqueue(controller: ReadableStreamDefaultController<Uint8Array>, out: string | Uint8Array): boolean {
    // Bytes the redactor leaves unchanged go out as they came (no re-encoding on a passthrough).
    const safe = !redactor?.active ? out : typeof out === 'string' ? redactor.push(out) : redactor.pushBytes(out);
    const bytes = typeof safe === 'string' ? encoder.encode(safe) : safe;
    if (bytes.byteLength === 0) return false;
    summary.bytesOut += bytes.byteLength;
    opts.capture?.push(bytes);
    controller.enqueue(bytes);
    return true;
  }

  /** Sends what the redactor held back (a tail that could have begun a secret), then closes. */
  function closeOutput(controller: ReadableStreamDefaultController<Uint8Array>) {
    const rest = redactor?.active ? redactor.end() : '';
    if (rest) {
      const bytes = encoder.encode(rest);
      summary.bytesOut += bytes.byteLength;
      opts.capture?.push(bytes);
      controller.enqueue(bytes);
    }
    controller.close();
  }
}
