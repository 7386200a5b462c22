#!/usr/bin/env node
/**
 * The floor: a bare pass-through proxy written the plainest way (node:http in, an undici Pool out,
 * the response piped back). No auth, no parsing, no routing, no accounting: whatever the gateway
 * costs beyond this is the gateway's own work. Plain JavaScript, run with `node` (no loader).
 *
 *   node bench/e2e/bare-proxy.mjs --upstream http://127.0.0.1:PORT --port 0
 *
 * Prints `{"port":N}` as its first stdout line once listening.
 */
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values: opt } = parseArgs({ options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (!opt.upstream) throw new Error('--upstream is required');
const pool = new Pool(opt.upstream, { connections: 256, keepAliveTimeout: 60_000 });

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded, in either direction.
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);
function endToEnd(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP.has(k)) out[k] = v;
  return out;
}

const server = createServer(async (req, res) => {
  try {
    const up = await pool.request({ method: req.method, path: req.url, headers: endToEnd(req.headers), body: req });
    res.writeHead(up.statusCode, endToEnd(up.headers));
    pipeline(up.body, res, () => {});
  } catch (err) {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `bare proxy: ${err.message}`, type: 'bad_gateway' } }));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(opt.port), '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
