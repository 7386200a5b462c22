/**
 * The seam between the app and its runtime. `createApp` sees only this; the edge (Workers: D1,
 * Durable Objects) and Node (SQL stores, in-process objects, timers) each provide one.
 */
import type { Store } from './db/store';
import type { KeyVault } from './lib/crypto';
import type { RequestRecord } from './accounting/records';
import type { MemberHealth, Plan, PlanInput, RoutingReport } from './routing/types';

/** Routing state of every group, one holder per group (Durable Object on the edge). */
export interface GroupStates {
  /** The ordered candidates for one request. The only call on the critical path. */
  plan(groupId: number, input: PlanInput): Promise<Plan>;
  /** Attempt outcomes of one request; called off the critical path (waitUntil). */
  report(groupId: number, report: RoutingReport): Promise<void>;
  /** Live health per member id, for the admin API. */
  health(groupId: number): Promise<Record<string, MemberHealth>>;
  /** Buffers a finished request's record; the holder flushes logs and stats to the database. Off the critical path. */
  record(groupId: number, record: RequestRecord): Promise<void>;
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
  /** Encrypts/decrypts channel keys (ENCRYPTION_KEY). */
  vault: KeyVault;
  /** The ADMIN_PASSWORD secret; undefined means admin login is impossible until one is set. */
  adminPassword: string | undefined;
  /** ms since epoch. */
  now(): number;
  /** Where the price sync reads models.dev (MODELS_DEV_URL; https://models.dev/api.json by default). */
  modelsDevUrl: string;
  logger: Logger;
  /** Keeps background work alive after the response (Workers: ctx.waitUntil). */
  defer(promise: Promise<unknown>): void;
}

/** Logger writing one JSON line per entry to the console. */
export const consoleLogger: Logger = {
  info: (msg, fields) => console.log(JSON.stringify({ level: 'info', msg, ...fields })),
  warn: (msg, fields) => console.warn(JSON.stringify({ level: 'warn', msg, ...fields })),
  error: (msg, fields) => console.error(JSON.stringify({ level: 'error', msg, ...fields })),
};
