/**
 * A request's deadline: one abort source that aborts when the client disconnects or `ms` pass,
 * and that lets go of both (the timer and the listener on the client's signal) when the request ends.
 *
 * Why not `AbortSignal.any([client, AbortSignal.timeout(ms)])`: Node keeps a composite signal with a
 * timeout source and abort listeners alive until it aborts (nodejs/node#48951, #54614), so every
 * request's signals, listeners and attempt controllers stayed in memory for the whole deadline
 * (10 minutes by default); a heap snapshot after 2,798 requests held about one of each per request.
 * Why an AbortFlag rather than an AbortController: it is only listened to by our own code (the
 * upstream attempt's guard), and an EventTarget per request cost measurable CPU (lib/abort.ts).
 */
import { AbortFlag, type AbortSource } from '../lib/abort';

export interface RequestDeadline {
  /** Aborted (reason: the client's, or a TimeoutError DOMException) when the client leaves or time runs out. */
  readonly signal: AbortSource;
  /** The request has ended: clears the timer and stops listening to the client. Idempotent. */
  release(): void;
}

/**
 * @param client the client's disconnect (the incoming request's signal, or the runtime's cheaper
 *   source: Platform.clientSignal).
 * @param ms the deadline, ms from now.
 */
export function requestDeadline(client: AbortSource, ms: number): RequestDeadline {
  const flag = new AbortFlag();
  const onClient = () => flag.abort(client.reason);
  const timer = setTimeout(() => flag.abort(new DOMException(`the request deadline of ${ms} ms passed`, 'TimeoutError')), ms);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    client.removeEventListener('abort', onClient);
  };
  if (client.aborted) flag.abort(client.reason);
  else client.addEventListener('abort', onClient, { once: true });
  // Once aborted there is nothing left to wait for.
  if (flag.aborted) release();
  else flag.addEventListener('abort', release);
  return { signal: flag, release };
}
