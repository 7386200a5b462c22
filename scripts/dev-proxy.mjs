// The front proxy of `npm start`: owns the public port and forwards every request to `wrangler dev`
// listening on a loopback port, so that the client address the Worker sees is the socket's, never a
// header the client wrote.
//
// Why: wrangler dev (miniflare) keeps a client-sent `CF-Connecting-IP` and fills it in only when
// absent; with `--ip 0.0.0.0` anyone could rotate it to dodge the admin login throttle, or spoof a
// victim's address to lock them out. On Cloudflare's edge the header is Cloudflare's own. Here the
// proxy overwrites it with the peer address and adds `x-octopus-dev-proxy: <secret>`, a random
// value per run that the Worker also gets as the DEV_PROXY_SECRET var (an env file, 0600, not the
// command line): the Worker believes the header only on requests carrying the secret
// (worker/src/edge/client-address.ts).
//
// Bodies stream both ways with `pipe` (backpressure, no buffering: SSE events reach the client as
// wrangler writes them); a client that disconnects aborts the forwarded request, so the Worker sees
// the cancellation as it would on the edge. Hop-by-hop headers are not forwarded (RFC 9110 7.6.1).
// WebSocket upgrades are not proxied (the gateway has none).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Header proving to the Worker that a request came through this proxy (edge/client-address.ts). */
export const DEV_PROXY_HEADER = 'x-octopus-dev-proxy';

// Hop-by-hop headers (RFC 9110 7.6.1), plus the two this proxy sets itself and `expect` (Node's
// server has already answered `100 Continue` to the client).
const DROPPED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'expect', 'cf-connecting-ip', DEV_PROXY_HEADER,
]);

/** A fresh random secret for one run (43 URL-safe characters). */
export function newDevProxySecret() {
  return randomBytes(32).toString('base64url');
}

/**
 * Writes `DEV_PROXY_SECRET=<secret>` to a new 0600 file in a private temp folder, for wrangler's
 * `--env-file` (values in later env files win). @returns the file and a `remove()` for exit.
 */
export function writeSecretEnvFile(secret) {
  const dir = mkdtempSync(join(tmpdir(), 'oe-dev-proxy-'));
  const file = join(dir, 'proxy.vars');
  writeFileSync(file, `DEV_PROXY_SECRET=${secret}\n`, { mode: 0o600 });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A free TCP port on 127.0.0.1 (for wrangler's internal listener). */
export function freeLoopbackPort() {
  return new Promise((ok, fail) => {
    const s = createNetServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** The peer address of a socket, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) shown as IPv4. */
function peerAddress(socket) {
  const a = socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** `rawHeaders` ([name, value, name, value…]) less the dropped ones and those `Connection` names. */
function forwardable(rawHeaders) {
  const named = new Set();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection') for (const t of rawHeaders[i + 1].split(',')) named.add(t.trim().toLowerCase());
  }
  const out = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!DROPPED.has(name) && !named.has(name)) out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

/**
 * Starts the proxy.
 * @param {{ host: string, port: number, target: { host: string, port: number }, secret: string }} opts
 *   host/port: the public address (`localhost` listens on 127.0.0.1 and, when available, ::1);
 *   target: wrangler dev's loopback listener; secret: DEV_PROXY_SECRET of this run.
 * @returns {Promise<{ port: number, close(): Promise<void> }>}
 * @throws when the public port cannot be bound (e.g. EADDRINUSE).
 */
export async function startDevProxy({ host, port, target, secret }) {
  // Pooled sockets to wrangler; an idle one is closed after 2 s (the agent destroys only free
  // sockets on timeout), well before a server-side keep-alive timeout could race a reuse.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 2_000 });
  const handler = (req, res) => {
    const headers = forwardable(req.rawHeaders);
    headers.push('cf-connecting-ip', peerAddress(req.socket), DEV_PROXY_HEADER, secret);
    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers, agent });
    upstream.on('socket', (s) => s.setNoDelay(true));
    upstream.on('response', (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardable(up.rawHeaders));
      res.flushHeaders(); // an SSE response's headers go out before its first event
      up.pipe(res);
      // Cut mid-body by wrangler: cut the client too, rather than end a truncated body cleanly.
      up.on('close', () => {
        if (!up.complete) res.destroy();
      });
      up.on('error', () => res.destroy());
    });
    upstream.on('error', (err) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'dev_proxy', message: `wrangler dev is not answering yet (${err.code ?? err.message}); retry in a moment.` } }));
    });
    // The client left before the response ended: abort the forwarded request (the Worker's
    // request.signal fires, as on the edge).
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const hosts = host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
  const servers = [];
  let bound = port;
  for (const [i, h] of hosts.entries()) {
    const server = createServer({ noDelay: true }, handler);
    try {
      await new Promise((ok, fail) => {
        server.once('error', fail);
        server.listen(bound, h, () => {
          server.off('error', fail);
          ok();
        });
      });
    } catch (err) {
      // `localhost` on a machine without IPv6: 127.0.0.1 alone is fine.
      if (i > 0 && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) continue;
      await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
      throw err;
    }
    bound = server.address().port;
    servers.push(server);
  }
  return {
    port: bound,
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
      agent.destroy();
    },
  };
}
