/**
 * The shared integration suites' Harness (worker/test/suites/harness.ts) for the Node mode: the
 * real server (startNodeGateway, @hono/node-server on a free loopback port) over a fresh database
 * of one dialect (a temp SQLite file, or a new MariaDB/PostgreSQL database, dropped afterwards),
 * with its own fake upstream. Requests go over HTTP; SQL goes straight to the database.
 *
 * Which dialects run: OE_NODE_DATABASES (comma list; default sqlite,mysql,postgres). A database
 * server that is down fails the suite rather than skipping it. Which tests of a shared suite run on
 * each dialect: `suitePart` below (the tests that can depend on the dialect run on all of them).
 */
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import postgres from 'postgres';
import { routingStateKey } from '../../src/node/group-holder';
import { createLogger } from '../../src/node/logger';
import { startNodeGateway, type NodeGateway } from '../../src/node/server';
import { runScheduledJobs } from '../../src/sync/jobs';
import { ADMIN_PASSWORD, type Harness, type Row } from '../suites/harness';
import type { SuitePart } from '../suites/part';
import { startFakeUpstream, type FakeUpstream } from '../upstream/server';
import { createScratch, type Scratch } from './db/backends';
import type { DatabaseType } from '../../src/node/database';

export const ENCRYPTION_KEY = 'test-encryption-key-0123456789';

/** The dialects to run, from OE_NODE_DATABASES. */
export function nodeDatabases(): DatabaseType[] {
  const list = (process.env.OE_NODE_DATABASES ?? 'sqlite,mysql,postgres').split(',').map((s) => s.trim()).filter(Boolean);
  for (const d of list) if (!['sqlite', 'mysql', 'postgres'].includes(d)) throw new Error(`OE_NODE_DATABASES: unknown database ${d}`);
  return list as DatabaseType[];
}

/**
 * Which tests of a shared suite run on `type` (suites/part.ts): every test on the first database
 * of OE_NODE_DATABASES (SQLite by default), only the 'store' tests on the others.
 *
 * Why the dialect cannot matter to a 'wire' test: the gateway reaches its database only through
 * the Store interface (db/store.ts), and worker/test/node/db/store-conformance.test.ts holds every
 * Store method to the same results on SQLite, MariaDB and PostgreSQL. A test that only sends
 * requests and admin calls and asserts on answers, upstream calls and routing (protocol conversion,
 * failover, streams) exercises the same Store calls whatever the dialect. What stays on all three:
 * tests that read or write SQL themselves (their SQL and the normalised values are per dialect),
 * restart on the same database, or read persisted routing state; and whole files whose subject is
 * the data layer (accounting, admin, backup, journal, db-outage, migrations) do not use parts.
 */
export function suitePart(type: DatabaseType): SuitePart {
  return type === nodeDatabases()[0] ? 'all' : 'store';
}

/**
 * The databases for a suite with no 'store' test at all (suitePart's rule): the first of
 * OE_NODE_DATABASES only, so the other dialects start no gateway for nothing.
 */
export function wireDatabases(): DatabaseType[] {
  return nodeDatabases().slice(0, 1);
}

/** Raw SQL on the test database, normalised so the suites' assertions hold on every dialect. */
interface RawSql {
  query(sql: string, params: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** Counts and sums come back as strings or bigints from MySQL and PostgreSQL, booleans as booleans: make them what SQLite gives. */
function normalise(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = Number(v);
    else if (typeof v === 'boolean') out[k] = v ? 1 : 0;
    else if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && v.length < 16) out[k] = Number(v);
    else out[k] = v;
  }
  return out;
}

function rawSql(type: DatabaseType, path: string): RawSql {
  if (type === 'sqlite') {
    const db = new Database(path, { timeout: 5_000 });
    return {
      query: async (sql, params) => {
        const stmt = db.prepare(sql);
        if (!stmt.reader) {
          stmt.run(...params);
          return [];
        }
        return (stmt.all(...params) as Record<string, unknown>[]).map(normalise);
      },
      close: async () => {
        db.close();
      },
    };
  }
  if (type === 'mysql') {
    const pool = mysql.createPool({ uri: path, connectionLimit: 2, supportBigNumbers: true, bigNumberStrings: false });
    return {
      query: async (sql, params) => {
        // Reserved identifiers are double-quoted in the suites (ANSI, as SQLite and PostgreSQL take them).
        const [rows] = await pool.query(sql.replace(/"([a-z_]+)"/g, '`$1`'), params);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]).map(normalise) : [];
      },
      close: () => pool.end(),
    };
  }
  const pg = postgres(path, { max: 2, onnotice: () => {} });
  return {
    query: async (sql, params) => {
      let n = 0;
      const rows = await pg.unsafe(sql.replace(/\?/g, () => `$${++n}`), params as never[]);
      return [...rows].map((r) => normalise(r as Record<string, unknown>));
    },
    close: () => pg.end(),
  };
}

export interface NodeHarness extends Harness {
  /** Creates the database, starts the upstream and the gateway (vitest beforeAll). */
  setup(): Promise<void>;
  /** Stops the gateway (graceful), drops the database, stops the upstream (vitest afterAll). */
  teardown(): Promise<void>;
  /** The running gateway. */
  gateway(): NodeGateway;
  /** Stops the gateway as SIGTERM would (graceful shutdown), without starting it again. */
  stop(): Promise<void>;
  /** Starts the gateway again on the same database. */
  start(): Promise<void>;
}

/** A harness for the Node mode on `type`; `metricsToken` turns GET /metrics on. */
export function nodeHarness(type: DatabaseType, opts: { metricsToken?: string } = {}): NodeHarness {
  let scratch: Scratch | undefined;
  let upstream: FakeUpstream | undefined;
  let modelsDevUrl = '';
  let gw: NodeGateway | undefined;
  let sql: RawSql | undefined;

  const running = () => {
    if (!gw) throw new Error('the Node gateway is not running');
    return gw;
  };
  const start = async () => {
    gw = await startNodeGateway({
      config: { server: { host: '127.0.0.1', port: 0, trustProxy: true }, database: { type, path: scratch!.path }, log: { level: 'error' } },
      secrets: { adminPassword: ADMIN_PASSWORD, encryptionKey: ENCRYPTION_KEY, ...(opts.metricsToken && { metricsToken: opts.metricsToken }) },
      logger: createLogger('error'),
      modelsDevUrl,
      // The tests flush explicitly (h.flush): the timer never fires during a file.
      flushIntervalMs: 3_600_000,
      cron: false,
    });
  };
  const stop = async () => {
    const g = gw;
    gw = undefined;
    if (g) await g.close();
  };
  const db = () => (sql ??= rawSql(type, scratch!.path));

  return {
    name: `node-${type}`,
    async setup() {
      scratch = await createScratch(type);
      upstream = await startFakeUpstream({ host: '127.0.0.1' });
      modelsDevUrl = `${upstream.addScenario({ json: 'modelsdev/api.json' }).baseUrl}/api.json`;
      await start();
    },
    async teardown() {
      await stop();
      await sql?.close();
      await scratch?.drop();
      await upstream?.close();
    },
    gateway: running,
    stop,
    start,
    fetch: (path, init) => fetch(`${running().url}${path}`, init),
    origin: () => running().url,
    // The test server trusts X-Forwarded-For (server.trustProxy), as behind a reverse proxy.
    from: (ip) => ({ 'x-forwarded-for': ip }),
    upstreamUrl: () => upstream!.url,
    async flush(groupId, atLeast = 1) {
      const groups = running().runtime.groups;
      // Records are handed over when the response ends: wait for them briefly.
      for (let i = 0; i < 200 && groups.unflushed(groupId) < atLeast; i++) await new Promise((ok) => setTimeout(ok, 20));
      const had = groups.unflushed(groupId) > 0;
      const r = await groups.flushGroup(groupId);
      return had && r.ok;
    },
    query: (text, ...params) => db().query(text, params),
    exec: async (text, ...params) => {
      await db().query(text, params);
    },
    async restart() {
      await stop();
      await start();
    },
    async routingState(groupId) {
      await running().runtime.groups.persistAll();
      return running().database.store.getSetting(routingStateKey(groupId));
    },
    pendingReads: async (groupId) => running().runtime.groups.pendingReads(groupId),
    async cron(expression) {
      await runScheduledJobs(running().runtime.platform, expression, Date.now());
    },
  };
}
