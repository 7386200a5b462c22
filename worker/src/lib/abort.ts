/**
 * A lighter abort signal for the relay's per-request plumbing (the request deadline, the client's
 * disconnect on Node). Node's AbortController is an EventTarget: creating one, and every
 * add/removeEventListener on it, showed up at ~4% of the Node gateway's CPU per request under load
 * (issue 11), for signals that only ever have one or two listeners of our own. Nothing here is
 * handed to fetch or undici: an upstream attempt keeps its own abort source (relay/upstream.ts,
 * node/upstream-agent.ts) and listens to this one.
 */

/** What the relay reads of an abort signal. A DOM `AbortSignal` is one, and so is {@link AbortFlag}. */
export interface AbortSource {
  readonly aborted: boolean;
  /** Why it aborted (undefined until then). */
  readonly reason: unknown;
  /** `listener` runs once, when it aborts; never if it already has. */
  addEventListener(type: 'abort', listener: (event?: unknown) => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: (event?: unknown) => void): void;
}

/**
 * An abort source that is aborted by calling `abort(reason)`. Listeners run in the order added, at
 * most once; one that throws does not stop the others (its error is rethrown in a microtask, as an
 * EventTarget reports it).
 */
export class AbortFlag implements AbortSource {
  aborted = false;
  reason: unknown = undefined;
  private listeners: ((event?: unknown) => void)[] = [];

  addEventListener(_type: 'abort', listener: (event?: unknown) => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: (event?: unknown) => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Aborts with `reason` and runs the listeners. Idempotent (the first reason stays). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const fn of listeners) {
      try {
        fn();
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
