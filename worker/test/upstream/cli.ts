/**
 * Manual entry point: `npx tsx worker/test/upstream/cli.ts [--port 9999] [--host 127.0.0.1]`.
 * Prints the base URL, then serves until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { stopWhenLauncherExits } from './launcher-watch.js';
import { startFakeUpstream } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', short: 'p', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

const upstream = await startFakeUpstream({ port, host: values.host });
console.log(upstream.url);
console.error(
  `fake upstream listening. POST ${upstream.url}/__scenarios with a Scenario, then call <baseUrl>/v1/...; Ctrl-C to stop.`,
);

const stop = () => {
  void upstream.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// A SIGTERM to `npx`'s PID stops at its shell; notice the launcher is gone and stop too.
stopWhenLauncherExits(stop);
