/**
 * The Node Platform: one SQL store, in-process group holders and key limits, secrets from the
 * environment or the data folder, and `defer` that keeps every background promise in a set so a
 * graceful shutdown can wait for them (Node has no `waitUntil`).
 */
import { InProcessKeyLimits } from '../limits/in-process';
import { KeyVault } from '../lib/crypto';
import type { Store } from '../db/store';
import type { Logger, Platform } from '../platform';
import { MODELS_DEV_URL } from '../sync/prices-sync';
import { NodeGroupStates, type FlushHooks } from './group-states';
import type { RecordJournal } from './journal';
import { createUpstreamAgent, type UpstreamAgent } from './upstream-agent';
import { readIncomingText } from './request-body';
import { o200kCounter } from './tokenizer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AbortSource } from '../lib/abort';
import { connectionSignal } from './client-signal';

/** Background promises handed to `defer`, awaited at shutdown. */
export class DeferredWork {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly logger: Logger) {}

  /**
   * Tracks a promise until it settles; a rejection is logged, never unhandled. One reaction per
   * promise (not `catch` then `finally`: two more promises and three microtasks per deferred task,
   * and a request defers several).
   */
  add(promise: Promise<unknown>): void {
    const done = () => {
      this.running.delete(tracked);
    };
    const tracked: Promise<void> = promise.then(done, (err: unknown) => {
      done();
      this.logger.error('background task failed', { error: String(err).slice(0, 500) });
    });
    this.running.add(tracked);
  }

  get size(): number {
    return this.running.size;
  }

  /**
   * Waits until no tracked promise is left (work deferred while waiting is waited for too), or `capMs` passed.
   * @returns true when everything settled.
   */
  async settle(capMs: number): Promise<boolean> {
    const deadline = Date.now() + capMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise((ok) => (timer = setTimeout(ok, left)))]);
      clearTimeout(timer);
    }
    return true;
  }
}

export interface NodePlatformParts {
  store: Store;
  logger: Logger;
  adminPassword: string | undefined;
  /** At least 16 characters. */
  encryptionKey: string;
  /** models.dev URL (MODELS_DEV_URL env); the public one by default. */
  modelsDevUrl?: string;
  now?: () => number;
  /** Flush interval override, ms (tests); otherwise the stats save interval setting. */
  flushIntervalMs?: number;
  /** The record journal, opened (node/journal.ts); none: records are buffered in memory only. */
  journal?: RecordJournal;
  /** Flush observers (node/metrics.ts): written records, and a group's failed flush. */
  flushHooks?: FlushHooks;
}

/** The process-wide part of the Platform, built once; `forRequest` adds what differs per request. */
export interface NodeRuntime {
  platform: Platform;
  groups: NodeGroupStates;
  deferred: DeferredWork;
  /** The relay's upstream connections (keep-alive pools); destroyed at shutdown. */
  upstream: UpstreamAgent;
  /**
   * The Platform for one request, knowing the client's network address (login throttle) and its
   * Node request and response: the relay reads the body from the request (node/request-body.ts)
   * and learns of a disconnect from the response (node/client-signal.ts).
   */
  forRequest(clientAddress: string | undefined, conn?: { incoming: IncomingMessage; outgoing: ServerResponse }): Platform;
}

export function createNodeRuntime(parts: NodePlatformParts): NodeRuntime {
  const now = parts.now ?? Date.now;
  const deferred = new DeferredWork(parts.logger);
  const upstream = createUpstreamAgent();
  const groups = new NodeGroupStates(parts.store, parts.logger, { now, flushIntervalMs: parts.flushIntervalMs, journal: parts.journal, hooks: parts.flushHooks });
  const platform: Platform = {
    store: parts.store,
    groups,
    limits: new InProcessKeyLimits(parts.store, now),
    vault: new KeyVault(parts.encryptionKey),
    adminPassword: parts.adminPassword || undefined,
    now,
    modelsDevUrl: parts.modelsDevUrl || MODELS_DEV_URL,
    logger: parts.logger,
    defer: (promise) => deferred.add(promise),
    callUpstream: upstream.call,
    outboundProxy: upstream.proxies,
    tokenCounter: o200kCounter,
    // One process: concurrent requests may wait on one configuration load.
    shareLoads: true,
  };
  return {
    platform,
    groups,
    deferred,
    upstream,
    forRequest: requestPlatforms(platform),
  };
}

/** What a per-request Platform keeps of its connection (see `requestPlatforms`). */
interface ConnectionParts {
  conn: { incoming: IncomingMessage; outgoing: ServerResponse };
  signal: AbortSource | undefined;
}

/**
 * Builds per-request Platforms cheaply: each is an object whose prototype is the process-wide
 * Platform (every shared member is read through it), holding only the client address and, for a
 * request with a Node connection, that connection. Copying the ~15 shared members with an object
 * spread and making two closures on every request was ~2% of the Node gateway's CPU under load
 * (issue 11 profile). Nothing spreads or enumerates a Platform, so inherited members read exactly
 * as own ones; the two connection members are methods of a shared prototype reading `this`.
 */
function requestPlatforms(platform: Platform): NodeRuntime['forRequest'] {
  const withConn = Object.create(platform, {
    readRequestBody: {
      value(this: ConnectionParts, maxBytes: number): Promise<string> {
        return readIncomingText(this.conn.incoming, maxBytes);
      },
    },
    // Built on first use: admin and dashboard requests never ask.
    clientSignal: {
      value(this: ConnectionParts): AbortSource {
        return (this.signal ??= connectionSignal(this.conn.incoming, this.conn.outgoing));
      },
    },
  }) as Platform;
  return (clientAddress, conn) => {
    if (!conn) {
      const bare = Object.create(platform) as Platform;
      bare.clientAddress = clientAddress;
      return bare;
    }
    const p = Object.create(withConn) as Platform & ConnectionParts;
    p.clientAddress = clientAddress;
    p.conn = conn;
    p.signal = undefined;
    return p;
  };
}
