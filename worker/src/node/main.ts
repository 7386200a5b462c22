/**
 * Node entry (`npm run start:node`, or `node dist/node/server.mjs` once built): reads the config
 * (`data/config.json`, or `--config <file>`, env OCTOPUS_* overrides), the secrets (env or
 * `<data>/secrets.json`), starts the gateway with its record journal in `<data>/journal` (a hard
 * kill loses at most ~100 ms of request records), and shuts it down gracefully on SIGTERM/SIGINT.
 * Exit codes: 0 after a clean shutdown, 1 for a bad configuration or a failed start, 2 when
 * records could not be written at shutdown (they stay in the journal for the next start).
 */
import { join } from 'node:path';
import { ConfigFileError, configArg, loadConfig } from './config';
import { createLogger } from './logger';
import { logModeNotes } from './database';
import { privateDir } from './private-files';
import { loadSecrets } from './secrets';
import { startNodeGateway } from './server';

function positiveNumber(v: string | undefined): number | undefined {
  const n = Number(v);
  return v && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Last line of defence: an error nobody awaited (a driver's socket event, a forgotten promise) is
 * logged, with driver bound values stripped, and the gateway keeps serving. Node's default is to
 * exit, which turned a database blip into an outage for every channel.
 */
function keepRunningOnStrayErrors(logger: { error(msg: string, fields?: Record<string, unknown>): void }): void {
  const note = (kind: string) => (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    logger.error(kind, { error: e.message.slice(0, 500), code: (e as { code?: unknown }).code, stack: (e.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 5).join(' | ') });
  };
  process.on('unhandledRejection', note('unhandled rejection (kept running)'));
  process.on('uncaughtException', note('uncaught exception (kept running)'));
}

async function main(): Promise<number> {
  let loaded;
  let secrets;
  try {
    loaded = loadConfig({ file: configArg(process.argv.slice(2)) });
    secrets = loadSecrets(loaded.dataDir);
  } catch (err) {
    if (err instanceof ConfigFileError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const logger = createLogger(loaded.config.log.level);
  keepRunningOnStrayErrors(logger);
  if (loaded.created) logger.info('created the config file with defaults', { file: loaded.file });
  // The folder of config.json and secrets.json: owner-only, like the files in it.
  logModeNotes(logger, privateDir(loaded.dataDir));
  let gateway;
  try {
    gateway = await startNodeGateway({
      config: loaded.config, secrets, logger,
      modelsDevUrl: process.env.MODELS_DEV_URL,
      flushIntervalMs: positiveNumber(process.env.STATS_FLUSH_INTERVAL_MS),
      journalDir: join(loaded.dataDir, 'journal'),
    });
  } catch (err) {
    logger.error('start failed', { error: err instanceof Error ? err.message : String(err) });
    return 1;
  }
  if (secrets.generatedPassword) {
    // Printed once, on the console only (never through the logger, never again), and last: after
    // the start-up log lines, where someone starting the gateway for the first time looks.
    console.log('\n  octopus-edge: gateway and dashboard at %s', gateway.url);
    console.log('  First start: created %s with a random admin password and encryption key.', secrets.file);
    console.log('  Admin password: %s', secrets.generatedPassword);
    console.log('  (shown once; it stays in %s as ADMIN_PASSWORD, or set ADMIN_PASSWORD in the environment)\n', secrets.file);
  }

  return new Promise<number>((exit) => {
    const stop = (signal: string) => {
      logger.info('signal received', { signal });
      // A second signal while draining: stop waiting.
      process.once(signal, () => exit(130));
      gateway.close().then((r) => exit(r.unflushed > 0 ? 2 : 0), (err) => {
        logger.error('shutdown failed', { error: String(err) });
        exit(1);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
