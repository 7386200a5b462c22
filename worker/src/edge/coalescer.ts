/**
 * Per-isolate coalescing of off-critical-path Durable Object calls (issue 11): a request's item
 * (e.g. a group's finish: report + record) waits a few ms in this isolate's queue for its target
 * object, and one RPC carries every item queued meanwhile. One RPC instead of N cuts the
 * Worker → Durable Object crossings and lets the object write its storage once per batch.
 *
 * Delivery: `add` returns the promise of the send that carries the item, so a caller that hands
 * it to `ctx.waitUntil` keeps its request (and the isolate) alive until its item is delivered or
 * the send failed. A failed send rejects every item's promise once (each request logs its own
 * failure, as a failed single call did); it is never retried here, since a call whose reply was
 * lost may have been applied, and a retry would then count records or failures twice.
 *
 * Contexts (Workers): a batch is sent by whichever request flushes it (its timer's request, or the
 * request whose item made it full or urgent), so the RPC is that request's I/O and keeps that
 * request alive until it is done. Every caller waits on a promise made in its own context and
 * settled from the sender's (workerd runs the continuations in the context that made the promise,
 * which is alive since it waits). `send` must therefore make its stub when called, never reuse one.
 * No Cloudflare import here: the queueing is unit-tested in Node.
 */

/** How one coalescer batches: its target's RPC and when a batch goes out. */
export interface CoalescerOptions<T> {
  /** Sends one batch (1..maxItems items, in arrival order) to the object `id`. Called in the flushing request's context. */
  send(id: string, items: T[]): Promise<void>;
  /** An item that must reach the object without the delay (e.g. a failure the breaker must see): its batch goes out at once. */
  urgent?(item: T): boolean;
  /** Most items in one batch; a batch that reaches it goes out at once. */
  maxItems: number;
  /** How long the first item of a batch waits for company, ms. */
  delayMs: number;
  /** Timer functions (tests inject fakes); default the global ones. */
  setTimer?: (fn: () => void, ms: number) => unknown;
}

interface Batch<T> {
  items: T[];
  /** One per item, each settling a promise made in its caller's context. */
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
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
   * @returns the promise of the send that carries it: resolves once the object applied the batch,
   *   rejects with the send's error.
   */
  add(id: string, item: T): Promise<void> {
    const batch = this.open.get(id) ?? this.start(id);
    // The caller's own promise, made in its context: on Workers the sender (maybe another request)
    // settles it, and the continuations run in the caller's context, which waits for it.
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    batch.items.push(item);
    if (batch.items.length >= this.opts.maxItems || this.opts.urgent?.(item)) this.sendNow(id, batch);
    return done;
  }

  /** Opens `id`'s batch and sets its timer. */
  private start(id: string): Batch<T> {
    const batch: Batch<T> = { items: [], waiters: [] };
    this.open.set(id, batch);
    // The timer is not cleared when another request sends the batch first (a timer belongs to the
    // request that set it); it then finds the batch gone and does nothing.
    this.setTimer(() => {
      if (this.open.get(id) === batch) this.sendNow(id, batch);
    }, this.opts.delayMs);
    return batch;
  }

  /** Items queued for `id` and not yet sent (tests, diagnostics). */
  queued(id: string): number {
    return this.open.get(id)?.items.length ?? 0;
  }

  private sendNow(id: string, batch: Batch<T>): void {
    this.open.delete(id);
    let sent: Promise<void>;
    try {
      sent = this.opts.send(id, batch.items);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => batch.waiters.forEach((w) => w.resolve()),
      (err: unknown) => batch.waiters.forEach((w) => w.reject(err)),
    );
  }
}
