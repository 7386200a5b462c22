/**
 * The seam between the app and its runtime. `createApp` sees only this; the edge (Workers: D1,
 * Durable Objects) and Node (SQL stores, in-process objects, timers) each provide one.
 */
import type { AbortSource } from './lib/abort';
import type { PatternCatch } from './routing/catches';
import type { Store } from './db/store';
import { safeLogFields } from './lib/log-fields';
import type { KeyVault } from './lib/crypto';
import type { RequestRecord } from './accounting/records';
import type { PendingRecord } from './accounting/pending';
import type { GroupHealth, Plan, PlanInput, RoutingReport } from './routing/types';
import type { ReasoningTurn } from './routing/reasoning-memory';
import type { UpstreamCaller } from './relay/upstream';
import type { TokenCounter } from './relay/count-local';

/** Routing state of every group, one holder per group (Durable Object on the edge). */
export interface GroupStates {
  /** The ordered candidates for one request. The only call on the critical path. */
  plan(groupId: number, input: PlanInput): Promise<Plan>;
  /** Attempt outcomes of one request; called off the critical path (waitUntil). */
  report(groupId: number, report: RoutingReport): Promise<void>;
  /** Live health (member breakers and recent traffic, key cooldowns), for the admin API. */
  health(groupId: number): Promise<GroupHealth>;
  /** Names the group's patterns caught recently, most recent first (routing/catches.ts), for the admin API. */
  catches(groupId: number): Promise<PatternCatch[]>;
  /** Buffers a finished request's record; the holder flushes logs and stats to the database. Off the critical path. */
  record(groupId: number, record: RequestRecord): Promise<void>;
  /**
   * A routed request's end: its routing report and its record in one call (one Durable Object
   * request, not two), and the signed reasoning of its tool-calling answer to remember for a
   * client that cannot carry it (routing/reasoning-memory.ts). Off the critical path.
   */
  finish(groupId: number, report: RoutingReport, record: RequestRecord, reasoning?: ReasoningTurn): Promise<void>;
  /**
   * The group's records not yet written to the database (buffered, or in a flush not yet
   * confirmed) whose request arrived at `sinceMs` (ms since epoch) or later: newest first, bodies
   * left out, at most accounting/pending.ts PENDING_READ_MAX. For the admin live tail only (one
   * holder call per group and poll; nothing on the relay path). A group without a holder yet: [].
   */
  pending(groupId: number, sinceMs: number): Promise<PendingRecord[]>;
}

/** What a client key may spend and how fast (ApiKey fields); null means no such limit. */
export interface KeyLimitSpec {
  keyId: number;
  /** Spending budget, nano-USD, over the key's whole life. */
  budgetNanoUsd: number | null;
  /** Requests per minute (sliding 60 s window). */
  rpmLimit: number | null;
  /** Tokens per minute (input + output of finished requests in the sliding 60 s window). */
  tpmLimit: number | null;
}

/** The answer to one admission: go, or a 429 with the limit that refused and when to retry (ms). */
export type Admission = { ok: true } | { ok: false; limit: 'budget' | 'rpm' | 'tpm'; retryAfterMs: number | null; message: string };

/**
 * Client-key limits, one holder per key (Durable Object on the edge, in-process in Node), so
 * admissions of one key are serialised: concurrent requests cannot overshoot a budget by more than
 * the requests already in flight.
 */
export interface KeyLimits {
  /** Admits one request or refuses it. Called only for keys with at least one limit (critical path). */
  admit(spec: KeyLimitSpec): Promise<Admission>;
  /** Counts a finished request's tokens and cost (priced by the holder) against its key. Off the critical path. */
  settle(keyId: number, record: RequestRecord): Promise<void>;
  /**
   * The key's limits changed (admin API): the holder re-reads the spend in the stats and keeps the
   * larger of that and its own count, since requests made while the key had no limit were counted
   * only by the stats.
   */
  refresh(keyId: number): Promise<void>;
}

/** What a runtime with outbound proxies offers besides `callUpstream` (node/proxy-dispatchers.ts). */
export interface OutboundProxies {
  /**
   * A web-standard fetch that goes through the proxy at `url` (full, credentials included), or
   * direct for null: for the model-list sync and the models.dev price sync.
   */
  fetchVia(url: string | null): typeof fetch;
}

/** Structured logger; never given secrets. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Everything a request handler may touch. */
export interface Platform {
  store: Store;
  groups: GroupStates;
  /** Budget and rate limits of client keys. */
  limits: KeyLimits;
  /** Encrypts/decrypts channel keys (ENCRYPTION_KEY). */
  vault: KeyVault;
  /** The ADMIN_PASSWORD secret; undefined means admin login is impossible until one is set. */
  adminPassword: string | undefined;
  /** ms since epoch. */
  now(): number;
  /** Where the price sync reads models.dev (MODELS_DEV_URL; https://models.dev/api.json by default). */
  modelsDevUrl: string;
  logger: Logger;
  /**
   * Sends the relay's upstream calls. Unset: the runtime's fetch (relay/upstream.ts callUpstream,
   * the Worker). Node: undici `request` on a keep-alive Agent (node/upstream-agent.ts).
   */
  callUpstream?: UpstreamCaller;
  /**
   * Outbound proxies (lib/proxy.ts): set only where the runtime can use one (Node); its absence is
   * how the admin API knows to refuse a proxy (the Worker). `callUpstream` honours `UpstreamCall.proxy`
   * where this is set.
   */
  outboundProxy?: OutboundProxies;
  /**
   * Reads the current relay request's body as text with a cap (bytes), like relay/body.ts
   * `readCappedText` (same BodyError). Unset: the fetch Request's body is read. Node: straight
   * from the IncomingMessage (node/request-body.ts).
   */
  readRequestBody?: (maxBytes: number) => Promise<string>;
  /**
   * The client's disconnect as an abort source, when the runtime has a cheaper one than the
   * Request's signal. Node: the connection's close (node/client-signal.ts), since reading
   * `Request.signal` makes @hono/node-server build an AbortController for every request. Unset:
   * the Request's signal (relay/client-signal.ts `clientSignalOf`).
   */
  clientSignal?: () => AbortSource;
  /**
   * The tokenizer for prompts counted locally (Anthropic `count_tokens`, Gemini `:countTokens` with
   * no member of the client's protocol). Unset: the character estimate of relay/count-local.ts (the
   * Worker: a rank table would not fit its bundle). Node: gpt-tokenizer o200k_base (node/tokenizer.ts).
   */
  tokenCounter?: () => Promise<TokenCounter>;
  /** Keeps background work alive after the response (Workers: ctx.waitUntil). */
  defer(promise: Promise<unknown>): void;
  /**
   * Whether a pending load may be shared by concurrent requests (config/snapshot.ts). Node: yes.
   * Workers: no, a promise must not cross from one request's context to another's.
   */
  shareLoads?: boolean;
  /**
   * The client's network address as the runtime knows it, the login throttle's key (Node: the
   * socket's peer, or the proxy's X-Forwarded-For hop when configured to trust it; the edge:
   * Cloudflare's CF-Connecting-IP, vouched for by the dev proxy under `npm start`, see
   * edge/client-address.ts). Unset only where no request exists (cron runs).
   */
  clientAddress?: string;
}

/** Logger writing one JSON line per entry to the console. */
export const consoleLogger: Logger = {
  info: (msg, fields) => console.log(JSON.stringify({ level: 'info', msg, ...safeLogFields(fields) })),
  warn: (msg, fields) => console.warn(JSON.stringify({ level: 'warn', msg, ...safeLogFields(fields) })),
  error: (msg, fields) => console.error(JSON.stringify({ level: 'error', msg, ...safeLogFields(fields) })),
};
