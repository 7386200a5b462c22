/**
 * Runs the Worker locally the way `wrangler dev` does (miniflare: wrangler.toml, D1, Durable
 * Objects, assets, `/__scheduled`), through wrangler's `unstable_startWorker` API, so the
 * inspector can be left off.
 *
 * Why not `wrangler dev`: it always starts wrangler's inspector proxy, which sends
 * `Network.enable` to workerd. workerd then reports every upstream fetch to the inspector:
 * - a response body is decoded in C++ for the Network panel; a `content-encoding: gzip` body
 *   that is not gzip throws a kj::Exception outside any request ("Fatal uncaught kj::Exception:
 *   gzip decompression failed") and workerd restarts: every request answers "Your worker restarted
 *   mid-request" (issue 12 item 4);
 * - every chunk read from an upstream stream becomes an inspector event, and wrangler's
 *   InspectorProxyWorker forwards each event it receives as a `debug-log` POST to wrangler's Node
 *   loopback server (templates/startDevWorker/InspectorProxyWorker.ts, handleRuntimeIncomingMessage
 *   → sendDebugLog) and keeps it in a buffer until DevTools attaches. A stream cut into many small
 *   writes opened hundreds of loopback connections, thousands for a byte-split one, until the
 *   process ran out of descriptors and memory (issue 16 item 1).
 * With the inspector off neither happens; the deployed Worker has no inspector either. `--inspect`
 * turns it back on for a debugging session (DevTools at the printed inspector URL), with those costs.
 */
import { join } from 'node:path';

/**
 * Starts the Worker and resolves once it answers.
 * @param {object} o
 * @param {string} o.root repository root (holds wrangler.toml).
 * @param {number} o.port HTTP port. @param {string} o.ip address to listen on.
 * @param {string} o.persistTo folder of the local D1/Durable Object state (same as `d1 migrations apply --persist-to`).
 * @param {string[]} o.envFiles the secrets files (`.dev.vars` format), later ones win.
 * @param {boolean} o.inspect start the inspector (DevTools) too.
 * @param {number} [o.inspectorPort] the inspector's port when `inspect` (default: wrangler picks from 9229).
 * @returns {Promise<{ url: URL, inspectorUrl: URL | undefined, dispose(): Promise<void> }>}
 * @throws when wrangler cannot build or start the Worker.
 */
export async function startDevWorker(o) {
  // Local runs never report telemetry (and this machine may have no route to it anyway).
  process.env.WRANGLER_SEND_METRICS = 'false';
  const { unstable_startWorker } = await import('wrangler');
  const worker = await unstable_startWorker({
    config: join(o.root, 'wrangler.toml'),
    envFiles: o.envFiles,
    dev: {
      remote: false,
      server: { hostname: o.ip, port: o.port },
      inspector: o.inspect ? (o.inspectorPort ? { port: o.inspectorPort } : {}) : false,
      persist: o.persistTo,
      testScheduled: true,
      logLevel: 'info',
      liveReload: false,
    },
  });
  await worker.ready;
  return { url: await worker.url, inspectorUrl: await worker.inspectorUrl, dispose: () => worker.dispose() };
}
