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

// wrangler 4.86's ProxyWorker answers a non-GET request whose fetch to the Worker failed with a
// 503 and this text, whatever the failure (it compares the request's full URL with the Worker's
// origin, which never match, so any failure reads as a restart). The failure seen in practice is
// workerd's own keep-alive race between ProxyWorker and Worker (both sides drop an idle pooled
// connection after 5 s; a request written onto it as it closes is lost before the Worker reads it;
// cloudflare/workers-sdk#14641, fixed by retries in wrangler releases that need Node 22). Such a
// request never ran, so the proxy sends it again, from a copy of its body. The one case where it
// could have run is a real reload of the Worker mid-request, which with `npm start` (no file watch)
// only a dashboard rebuild into dashboard/build or an edit of wrangler.toml causes.
const RACE_TEXT = 'Your worker restarted mid-request.';
/** Resends of one request after RACE_TEXT (a second race right after a resend is rarer still). */
const RESENDS = 2;
/** Request bodies up to this many bytes are kept for a resend (bytes); a bigger one gets the 503. */
export const RESEND_BODY_LIMIT = 8 * 1024 * 1024;

/** Whether a response has the shape of the ProxyWorker's RACE_TEXT answer (its body not read yet). */
function looksLikeRace(up) {
  return up.statusCode === 503 && up.headers['retry-after'] === '0' && (up.headers['content-type'] ?? '').startsWith('text/plain');
}

/** Reads up to `max` bytes of `up` (fewer when it ends first), pausing it afterwards. */
function readHead(up, max) {
  return new Promise((ok) => {
    const parts = [];
    let n = 0;
    const done = () => {
      up.off('data', onData).off('end', done).off('close', done);
      up.pause();
      ok(Buffer.concat(parts));
    };
    const onData = (chunk) => {
      parts.push(chunk);
      n += chunk.length;
      if (n >= max) done();
    };
    up.on('data', onData).once('end', done).once('close', done);
  });
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
    // A copy of the request body for a resend (see RACE_TEXT); dropped once it outgrows the limit.
    let kept = req.method === 'GET' || req.method === 'HEAD' ? null : [];
    let keptBytes = 0;
    let bodyDone = false;
    if (kept) {
      req.on('data', (chunk) => {
        if (!kept) return;
        keptBytes += chunk.length;
        if (keptBytes > RESEND_BODY_LIMIT) kept = null;
        else kept.push(chunk);
      });
    }
    req.on('end', () => (bodyDone = true));
    let current = null;

    const reply = (up, head) => {
      kept = null;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardable(up.rawHeaders));
      res.flushHeaders(); // an SSE response's headers go out before its first event
      if (head) res.write(head);
      up.pipe(res);
      // Cut mid-body by wrangler: cut the client too, rather than end a truncated body cleanly.
      up.on('close', () => {
        if (!up.complete) res.destroy();
      });
      up.on('error', () => res.destroy());
    };

    const forward = (attempt) => {
      const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers, agent });
      current = upstream;
      upstream.on('socket', (s) => s.setNoDelay(true));
      upstream.on('response', async (up) => {
        if (attempt >= RESENDS || !kept || !looksLikeRace(up)) return void reply(up);
        const head = await readHead(up, 1024);
        if (!head.toString('utf8').startsWith(RACE_TEXT)) return void reply(up, head);
        if (!bodyDone && !req.destroyed) await new Promise((ok) => req.once('end', ok).once('close', ok));
        if (res.destroyed || !bodyDone) return void res.destroy(); // the client left meanwhile
        if (!kept) return void reply(up, head); // the body outgrew the copy: the 503 as it came
        console.warn(`dev proxy: ${req.method} ${req.url.split('?')[0]} was lost between wrangler's ProxyWorker and the Worker (workerd keep-alive race; it never reached the Worker); sent again`);
        up.resume();
        forward(attempt + 1).end(Buffer.concat(kept));
      });
      upstream.on('error', (err) => {
        if (res.headersSent) return void res.destroy();
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'dev_proxy', message: `wrangler dev is not answering yet (${err.code ?? err.message}); retry in a moment.` } }));
      });
      return upstream;
    };

    // The client left before the response ended: abort the forwarded request (the Worker's
    // request.signal fires, as on the edge).
    res.on('close', () => {
      if (!res.writableFinished) current?.destroy();
    });
    req.pipe(forward(0));
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
