/** The edge Platform: D1 store, Durable Object group states, secrets from the Worker's env. */
import { drizzle } from 'drizzle-orm/d1';
import { PriceCache, spendOf } from '../accounting/price-cache';
import { ConfigError } from '../app';
import * as schema from '../db/schema.sqlite';
import { SqliteStore } from '../db/sqlite-store';
import { KeyVault } from '../lib/crypto';
import { MODELS_DEV_URL } from '../sync/prices-sync';
import { edgeClientAddress } from './client-address';
import { Coalescer } from './coalescer';
import { FINISH_DELAY_MS, FINISH_MAX_ITEMS, finishIsUrgent, type FinishItem } from './finish-batch';
import { LeaseClient } from '../limits/lease-client';
import type { LeaseReport } from '../limits/lease';
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

/** How long a lease report waits in this isolate for others of its key, ms, and the most in one call. */
const REPORT_DELAY_MS = 50;
const REPORT_MAX_ITEMS = 256;

/** The isolate's lease client of one key namespace binding (its leases outlive requests), and the prices it settles with. */
interface Leasing {
  client: LeaseClient;
  prices: PriceCache;
  /** The store's priceEpoch when `prices` was last cleared: a price edited here reprices the next spend at once. */
  priceEpoch: number;
}

const leaseClients = new WeakMap<Env['KEYS'], Leasing>();

function leaseClientFor(ns: Env['KEYS']): Leasing {
  let c = leaseClients.get(ns);
  if (!c) {
    const stub = (keyId: number) => ns.get(ns.idFromName(`key:${keyId}`));
    // Reports of leased spend and returned leases: batched like group finishes (edge/coalescer.ts).
    // Safe to delay: that spend is inside an allowance the holder keeps reserved until reported.
    const reports = new Coalescer<{ keyId: number; report: LeaseReport }>({
      send: (_name, items) => stub(items[0]!.keyId).report(items[0]!.keyId, items.map((i) => i.report)),
      onLost: logLost,
      maxItems: REPORT_MAX_ITEMS,
      delayMs: REPORT_DELAY_MS,
    });
    const client = new LeaseClient({
      acquire: (spec, admitNow, want, list) => stub(spec.keyId).acquire(spec, admitNow, want, list),
      report: (keyId, list) => stub(keyId).report(keyId, list),
      queue: (keyId, report) => reports.add(`key:${keyId}`, { keyId, report }),
    });
    c = { client, prices: new PriceCache(), priceEpoch: 0 };
    leaseClients.set(ns, c);
  }
  return c;
}

/**
 * Keys without a TPM limit are admitted from isolate-local leases (limits/lease-client.ts): in
 * steady state no KeyObject call on the critical path, and spend reported in batches. Keys with a
 * TPM limit call the KeyObject per request (admit, then settle with the record).
 */
function keyLimits(ns: Env['KEYS'], store: SqliteStore, defer: Platform['defer']): KeyLimits {
  const stub = (keyId: number) => ns.get(ns.idFromName(`key:${keyId}`));
  const leasing = leaseClientFor(ns);
  const { client, prices } = leasing;
  return {
    admit: (spec) => client.admit(spec, defer),
    settle: async (keyId, record) => {
      if (!client.handles(keyId)) return stub(keyId).settle(keyId, record);
      // Priced here: the lease counts the spend at once. Prices reload once a minute (one D1 read,
      // off the critical path), or at once after a price write through this isolate's store.
      if (leasing.priceEpoch !== store.priceEpoch) {
        leasing.priceEpoch = store.priceEpoch;
        prices.clear();
      }
      const { costNanoUsd, tokens } = spendOf(record, await prices.get(store, Date.now()));
      return client.settle(keyId, costNanoUsd, tokens);
    },
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
  const store = storeFor(env.DB);
  const defer: Platform['defer'] = (promise) => ctx.waitUntil(promise.catch((err) => consoleLogger.error('background task failed', { error: String(err) })));
  return {
    ...(req && { clientAddress: edgeClientAddress(req, env.DEV_PROXY_SECRET) }),
    store,
    groups: groupStates(env.GROUPS),
    limits: keyLimits(env.KEYS, store, defer),
    vault: vaultFor(env.ENCRYPTION_KEY),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    now: Date.now,
    modelsDevUrl: env.MODELS_DEV_URL || MODELS_DEV_URL,
    logger: consoleLogger,
    defer,
  };
}
