/**
 * Per-isolate coalescing of off-critical-path Durable Object calls (issue 11): a request's item
 * (e.g. a group's finish: report + record) waits a few ms in this isolate's queue for its target
 * object, and one RPC carries every item queued meanwhile. One RPC instead of N cuts the
 * Worker → Durable Object crossings and lets the object write its storage once per batch.
 *
 * Who waits (Workers): a batch is sent by one request, and only that request's context is kept
 * alive by the RPC (its own I/O). workerd does not keep a request alive for a promise another
 * request settles: measured under Miniflare, every such waiter was ended first ("the creating
 * request has already been completed or canceled", one warning a request). So:
 * - the request that opens a batch (its owner) sets the timer, a pending event of its own; when
 *   the timer fires it sends the batch and waits for that send, or, when another request sent the
 *   batch first, resolves at once;
 * - the request whose item makes the batch full or urgent sends it at once and waits for that send;
 * - any other request's promise resolves at once: its item is held by the batch, whose owner is
 *   alive until its timer, and whose sender is alive until its RPC ends.
 * So no batch is left without a live request to send it, and no promise is settled from another
 * request's context. A failed send rejects the waiting request's promise (logged by its `defer`,
 * as a failed single call was) and reports every other item of the batch to `onLost`, once each.
 * It is never retried: a call whose reply was lost may have been applied, and a retry would then
 * count records or failures twice.
 * `send` makes its stub when called: a stub is the sending request's I/O object.
 * No Cloudflare import here: the queueing is unit-tested in Node.
 */

/** How one coalescer batches: its target's RPC and when a batch goes out. */
export interface CoalescerOptions<T> {
  /** Sends one batch (1..maxItems items, in arrival order) to the object `id`. Called in the sending request's context. */
  send(id: string, items: T[]): Promise<void>;
  /** An item that must reach the object without the delay (e.g. a failure the breaker must see): its batch goes out at once. */
  urgent?(item: T): boolean;
  /** A failed send, once for each of its items whose request does not wait for it (log it as that request would). */
  onLost?(err: unknown): void;
  /** Most items in one batch; a batch that reaches it goes out at once. */
  maxItems: number;
  /** How long the first item of a batch waits for company, ms. */
  delayMs: number;
  /** Timer function (tests inject a fake); default setTimeout. */
  setTimer?: (fn: () => void, ms: number) => unknown;
}

interface Batch<T> {
  items: T[];
  /** Set once the batch has been handed to `send`. */
  sent: boolean;
}

/** Queues items per target id and sends each target's queue as one batch (see the module doc). */
export class Coalescer<T> {
  private readonly open = new Map<string, Batch<T>>();
  private readonly setTimer: (fn: () => void, ms: number) => unknown;

  constructor(private readonly opts: CoalescerOptions<T>) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  }

  /**
   * Queues `item` for the object `id`.
   * @returns for the request that sends the batch (or opens it and its timer sends it), the send:
   *   resolves once the object applied the batch, rejects with the send's error. For any other
   *   request a resolved promise, at once or at its batch's timer (see the module doc).
   */
  add(id: string, item: T): Promise<void> {
    const existing = this.open.get(id);
    const batch = existing ?? { items: [], sent: false };
    batch.items.push(item);
    if (batch.items.length >= this.opts.maxItems || this.opts.urgent?.(item)) return this.sendNow(id, batch);
    if (existing) return Promise.resolve();
    this.open.set(id, batch);
    // The owner's timer: sends the batch unless another request already did.
    return new Promise<void>((resolve, reject) => {
      this.setTimer(() => {
        if (batch.sent) resolve();
        else this.sendNow(id, batch).then(resolve, reject);
      }, this.opts.delayMs);
    });
  }

  /** Items queued for `id` and not yet sent (tests, diagnostics). */
  queued(id: string): number {
    return this.open.get(id)?.items.length ?? 0;
  }

  /** Sends `batch` now; the returned promise is the send, for the one request that waits for it. */
  private sendNow(id: string, batch: Batch<T>): Promise<void> {
    if (this.open.get(id) === batch) this.open.delete(id);
    batch.sent = true;
    let sent: Promise<void>;
    try {
      sent = this.opts.send(id, batch.items);
    } catch (err) {
      sent = Promise.reject(err);
    }
    return sent.catch((err: unknown) => {
      for (let i = 1; i < batch.items.length; i++) this.opts.onLost?.(err);
      throw err;
    });
  }
}
