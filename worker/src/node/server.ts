/**
 * startNodeGateway: the whole Node mode in one call, minus process concerns (signals, exit, config
 * file), so tests can run it in-process: opens the database, builds the runtime (node/platform.ts),
 * serves the app and the dashboard with @hono/node-server, starts the flush timer and the cron jobs.
 * `close()` is the graceful shutdown (see its steps).
 */
import { serve, type HttpBindings } from '@hono/node-server';
import { endLogTails } from '../admin/log-tail';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app';
import { currentConfig } from '../config/snapshot';
import { openDatabase, type OpenedDatabase } from './database';
import type { NodeConfig } from './config';
import { startCronJobs, type CronJobs } from './cron';
import type { LeveledLogger } from './logger';
import { RecordJournal, type JournalRecovery } from './journal';
import { createNodeRuntime, type NodeRuntime } from './platform';
import { dashboardApp, isGatewayPath } from './static';
import { GatewayMetrics, metricsResponse, snapshotMetricsSource } from './metrics';

/** Longest wait for in-flight requests (open streams included) at shutdown, ms. */
export const SHUTDOWN_CAP_MS = 30_000;

export interface StartOptions {
  config: NodeConfig;
  /** `metricsToken`: turns on GET /metrics (node/metrics.ts), answered only with this bearer token. */
  secrets: { adminPassword: string | undefined; encryptionKey: string; metricsToken?: string };
  logger: LeveledLogger;
  /** Folder holding `migrations/` and `dashboard/build/`; found upwards from this module by default. */
  appRoot?: string;
  /** MODELS_DEV_URL; the public models.dev by default. */
  modelsDevUrl?: string;
  /** Flush interval override, ms (tests); otherwise the stats save interval setting. */
  flushIntervalMs?: number;
  /** Run the cron syncs (default true; tests turn them off). */
  cron?: boolean;
  /** Cap on waiting for in-flight requests and background work at shutdown, ms. */
  shutdownCapMs?: number;
  /**
   * Folder of the record journal (node/journal.ts; main.ts uses `<dataDir>/journal`): records are
   * appended there in batches so a hard kill loses at most a fraction of a second of them, and a
   * previous run's records are replayed at start. None: records live in memory until the flush.
   */
  journalDir?: string;
  /** The journal's size cap, bytes (default JOURNAL_MAX_BYTES). */
  journalMaxBytes?: number;
}

/** What a graceful shutdown did. */
export interface CloseReport {
  /** Every request finished before the cap (else the rest were cut). */
  requestsDrained: boolean;
  /** Records that could not be written (0 = nothing lost). */
  unflushed: number;
}

export interface NodeGateway {
  /** e.g. http://127.0.0.1:8080 (the listening address; 0.0.0.0 shown as 127.0.0.1). */
  url: string;
  port: number;
  runtime: NodeRuntime;
  database: OpenedDatabase;
  /** Graceful shutdown; resolves once the database is closed. Safe to call twice. */
  close(): Promise<CloseReport>;
}

/** The first folder at or above `from` that holds `migrations/sqlite`. @throws when there is none. */
export function findAppRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'migrations', 'sqlite'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no migrations/ folder found at or above ${from}`);
  }
}

/** The client address for the login throttle: the socket peer, or the proxy-appended hop when trusted. */
function clientAddress(req: Request, env: HttpBindings, trustProxy: boolean): string {
  if (trustProxy) {
    const hop = req.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (hop) return hop;
  }
  return env.incoming.socket.remoteAddress ?? 'unknown';
}

/** Largest unread request body read and discarded after an early reply, bytes; a longer one cuts the connection. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Reads and drops a request body the app answered without reading (413 on an oversize body, 401
 * before the body). Without this the adapter cuts the socket after 500 ms, and a client still
 * sending saw a reset instead of the reply.
 */
function discardBody(body: ReadableStream<Uint8Array>): void {
  let bytes = 0;
  void body.pipeTo(new WritableStream({
    write(chunk, controller) {
      bytes += chunk.byteLength;
      if (bytes > DISCARD_MAX_BYTES) controller.error(new Error('body too large to discard'));
    },
  })).catch(() => {});
}

/**
 * Starts the gateway. @throws when the database cannot be opened or migrated, or the port is taken
 * (everything opened so far is closed again).
 */
export async function startNodeGateway(opts: StartOptions): Promise<NodeGateway> {
  const { config, logger } = opts;
  const appRoot = opts.appRoot ?? findAppRoot();
  const database = await openDatabase({ type: config.database.type, path: config.database.path, migrationsDir: join(appRoot, 'migrations', config.database.type), logger });
  let journal: RecordJournal | undefined;
  let recovery: JournalRecovery | undefined;
  if (opts.journalDir) {
    try {
      ({ journal, recovery } = await RecordJournal.open({ dir: opts.journalDir, logger, maxBytes: opts.journalMaxBytes }));
      if (recovery.records > 0 || recovery.skippedLines > 0) logger.info('journal replayed: records of the previous run will be written', { records: recovery.records, pendingFlushes: [...recovery.pending.values()].reduce((n, l) => n + l.length, 0), skippedLines: recovery.skippedLines });
    } catch (err) {
      // The gateway still serves; records are then only as safe as the memory buffer.
      logger.error('journal not opened: records are kept in memory only', { dir: opts.journalDir, error: String(err).slice(0, 300) });
    }
  }
  // Metrics only with a token: counted from written flushes, so they cost the request path nothing.
  let metrics: GatewayMetrics | undefined;
  const runtime = createNodeRuntime({
    store: database.store, logger, adminPassword: opts.secrets.adminPassword, encryptionKey: opts.secrets.encryptionKey,
    modelsDevUrl: opts.modelsDevUrl, flushIntervalMs: opts.flushIntervalMs, journal,
    flushHooks: opts.secrets.metricsToken ? { applied: (records) => metrics?.applied(records), failed: (groupId) => metrics?.flushFailed(groupId) } : undefined,
  });
  if (opts.secrets.metricsToken) {
    const source = snapshotMetricsSource(runtime.groups, () => currentConfig(runtime.platform));
    metrics = new GatewayMetrics(source);
    await source.refresh().catch(() => undefined);
  }
  if (recovery) runtime.groups.recover(recovery);
  const trustProxy = config.server.trustProxy;
  const app = createApp((c) => runtime.forRequest(clientAddress(c.req.raw, c.env as HttpBindings, trustProxy), c.env as HttpBindings));
  const dashboard = dashboardApp(join(appRoot, 'dashboard', 'build'));
  if (!dashboard) logger.warn('no dashboard build found; serving the API only', { expected: join(appRoot, 'dashboard', 'build', 'index.html') });

  const fetchHandler = async (req: Request, env: HttpBindings) => {
    const method = req.method;
    const target = env.incoming.url;
    if (method === 'GET' && target?.startsWith('/metrics') && (target.length === 8 || target[8] === '?')) return metricsResponse(req, metrics, opts.secrets.metricsToken);
    if (dashboard && (method === 'GET' || method === 'HEAD') && !isGatewayPath(new URL(req.url).pathname)) return dashboard.fetch(req, env);
    const res = await app.fetch(req, env);
    // A body the relay read from the socket (node/request-body.ts) is done with: `req.body` is not
    // touched then, since on the adapter's lightweight Request that would build a full one.
    const incoming = env.incoming;
    if (!incoming.readableDidRead && !incoming.readableEnded && req.body && !req.bodyUsed) discardBody(req.body);
    return res;
  };

  let server: Server;
  let port: number;
  try {
    ({ server, port } = await new Promise<{ server: Server; port: number }>((ok, fail) => {
      const s = serve({ fetch: fetchHandler as never, port: config.server.port, hostname: config.server.host }, (info: AddressInfo) => ok({ server: s as Server, port: info.port }));
      s.once('error', fail);
    }));
  } catch (err) {
    await journal?.close();
    await database.close();
    throw err;
  }

  // The relay's configuration snapshot, loaded before the first request rather than by it.
  await currentConfig(runtime.platform).catch((err) => logger.warn('configuration not loaded at start; the first request retries', { error: String(err?.message ?? err).slice(0, 300) }));
  runtime.groups.start();
  const cron: CronJobs | null = opts.cron === false ? null : startCronJobs(runtime.platform);
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  // The bind address as configured (0.0.0.0 = every interface), and a URL that works from this machine.
  logger.info('listening', { bind: `${config.server.host}:${port}`, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, database: config.database.type });

  let closing: Promise<CloseReport> | null = null;
  const capMs = opts.shutdownCapMs ?? SHUTDOWN_CAP_MS;
  /**
   * 1. stop accepting connections; idle keep-alive sockets are closed at once and whenever one goes
   *    idle; in-flight requests and open streams may finish, up to the cap, then are cut (and with
   *    them the upstream connections);
   * 2. stop the cron jobs (a running sync may finish, within the cap);
   * 3. wait for deferred work (reports, records, key touches);
   * 4. final persist of routing state and flush of every buffered record (retried a few times);
   * 5. close the database.
   */
  const close = () => (closing ??= (async () => {
    logger.info('shutting down', { unflushed: runtime.groups.unflushed() });
    const deadline = Date.now() + capMs;
    // Live tails (admin/log-tail.ts) would keep their connections open until the cap: end them.
    endLogTails(runtime.platform.store);
    const requestsDrained = await new Promise<boolean>((ok) => {
      let done = false;
      const finish = (drained: boolean) => {
        if (done) return;
        done = true;
        clearInterval(reaper);
        clearTimeout(cap);
        ok(drained);
      };
      server.close(() => finish(true));
      server.closeIdleConnections();
      // A keep-alive socket that finishes its request becomes idle: close it too.
      const reaper = setInterval(() => server.closeIdleConnections(), 100);
      const cap = setTimeout(() => {
        server.closeAllConnections();
        finish(false);
      }, capMs);
    });
    if (!requestsDrained) logger.warn('shutdown cap reached: open requests were cut', { capMs });
    await runtime.upstream.destroy().catch(() => {});
    await cron?.stop(Math.max(0, deadline - Date.now()));
    if (!(await runtime.deferred.settle(Math.max(1000, deadline - Date.now())))) logger.warn('background work still running at shutdown', { tasks: runtime.deferred.size });
    const flushed = await runtime.groups.close();
    if (!flushed.ok) logger.error('records could not be written at shutdown', { unflushed: flushed.unflushed });
    await database.close();
    logger.info('stopped', { unflushed: flushed.unflushed });
    return { requestsDrained, unflushed: flushed.unflushed };
  })());

  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port, runtime, database, close };
}
