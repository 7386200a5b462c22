/** The edge Platform: D1 store, Durable Object group states, secrets from the Worker's env. */
import { drizzle } from 'drizzle-orm/d1';
import { ConfigError } from '../app';
import * as schema from '../db/schema.sqlite';
import { SqliteStore } from '../db/sqlite-store';
import { KeyVault } from '../lib/crypto';
import { MODELS_DEV_URL } from '../sync/prices-sync';
import { edgeClientAddress } from './client-address';
import { Coalescer } from './coalescer';
import { FINISH_DELAY_MS, FINISH_MAX_ITEMS, finishIsUrgent, type FinishItem } from './finish-batch';
import { consoleLogger, type GroupStates, type KeyLimits, type Platform } from '../platform';

const vaults = new Map<string, KeyVault>();

function vaultFor(secret: string | undefined): KeyVault {
  if (!secret || secret.length < 16) {
    throw new ConfigError('The ENCRYPTION_KEY secret is not set (at least 16 characters). Set it with `wrangler secret put ENCRYPTION_KEY`.');
  }
  let v = vaults.get(secret);
  if (!v) {
    v = new KeyVault(secret);
    vaults.set(secret, v);
  }
  return v;
}

/** A batched item whose send failed, logged as `defer` logs a failed background task (one line an item). */
function logLost(err: unknown): void {
  consoleLogger.error('background task failed', { error: String(err) });
}

/** One coalescer per group namespace binding in this isolate (a binding outlives its requests). */
const finishers = new WeakMap<Env['GROUPS'], Coalescer<FinishItem>>();

function finisherFor(ns: Env['GROUPS']): Coalescer<FinishItem> {
  let c = finishers.get(ns);
  if (!c) {
    c = new Coalescer<FinishItem>({
      // The stub is made in the sending request's context: a stub is that request's I/O object.
      send: (name, items) => ns.get(ns.idFromName(name)).finishMany(items),
      urgent: finishIsUrgent,
      onLost: logLost,
      maxItems: FINISH_MAX_ITEMS,
      delayMs: FINISH_DELAY_MS,
    });
    finishers.set(ns, c);
  }
  return c;
}

function groupStates(ns: Env['GROUPS']): GroupStates {
  const name = (groupId: number) => `group:${groupId}`;
  const stub = (groupId: number) => ns.get(ns.idFromName(name(groupId)));
  return {
    plan: (groupId, input) => stub(groupId).plan(input),
    report: (groupId, outcomes) => stub(groupId).report(outcomes),
    health: (groupId) => stub(groupId).health(),
    catches: (groupId) => stub(groupId).catches(),
    // One RPC per group and poll of the admin live tail; the relay path never calls it.
    pending: (groupId, sinceMs) => stub(groupId).pending(sinceMs),
    record: (groupId, record) => stub(groupId).record(record),
    // Coalesced with the other finishes of this isolate for the group (edge/coalescer.ts): the
    // request that sends a batch, or whose timer will, waits for it through `defer`.
    finish: (groupId, report, record, reasoning) => finisherFor(ns).add(name(groupId), reasoning ? { report, record, reasoning } : { report, record }),
  };
}

function keyLimits(ns: Env['KEYS']): KeyLimits {
  const stub = (keyId: number) => ns.get(ns.idFromName(`key:${keyId}`));
  return {
    admit: (spec) => stub(spec.keyId).admit(spec),
    // Not coalesced: a settle that waits in a batch is a spend the next admissions do not see, and
    // its request no longer waits for it (edge/coalescer.ts), so a budget could be overshot by more
    // than the requests in flight (limits suite: 23 admitted against a bound of 15).
    settle: (keyId, record) => stub(keyId).settle(keyId, record),
    refresh: (keyId) => stub(keyId).refresh(keyId),
  };
}

const stores = new WeakMap<D1Database, SqliteStore>();

/** One store per D1 binding, reused across requests (caches keyed by the store, e.g. settings, then work). */
function storeFor(d1: D1Database): SqliteStore {
  let store = stores.get(d1);
  if (!store) {
    const db = drizzle(d1, { schema });
    // D1 runs a batch as one transaction.
    store = new SqliteStore(db, async (queries) => {
      await db.batch(queries as [never, ...never[]]);
    });
    stores.set(d1, store);
  }
  return store;
}

/**
 * Builds the Platform for one request (`req`; absent for a cron run).
 * @throws ConfigError when ENCRYPTION_KEY is missing.
 */
export function edgePlatform(env: Env, ctx: ExecutionContext, req?: Request): Platform {
  return {
    ...(req && { clientAddress: edgeClientAddress(req, env.DEV_PROXY_SECRET) }),
    store: storeFor(env.DB),
    groups: groupStates(env.GROUPS),
    limits: keyLimits(env.KEYS),
    vault: vaultFor(env.ENCRYPTION_KEY),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    now: Date.now,
    modelsDevUrl: env.MODELS_DEV_URL || MODELS_DEV_URL,
    logger: consoleLogger,
    defer: (promise) => ctx.waitUntil(promise.catch((err) => consoleLogger.error('background task failed', { error: String(err) }))),
  };
}
