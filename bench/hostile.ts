/**
 * `npm run bench:hostile`: what a hostile body costs each home (issue 12, item 3). A measurement,
 * never a test: prints a table, asserts nothing.
 *
 * For the Node gateway (child process, SQLite) and the Worker (`npm start`'s wrangler dev), sends
 * bodies of 8 MB and 66 MB nested `[[[[…]]]]` with an unknown key, with a known key, and to the admin
 * login, plus a legitimate 8 MB chat body, while a probe asks GET /healthz every 5 ms. Reports the
 * status, the time to the response headers and to the whole answer (ms) and the longest probe answer during the request (ms): on Node
 * that is how long the event loop was blocked.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchDevGateway } from '../worker/test/dev-gateway';
import { startGatewayProcess } from '../worker/test/node/process';
import { ADMIN_PASSWORD, httpTools } from '../worker/test/suites/harness';
import { startFakeUpstream } from '../worker/test/upstream/server';

const MB = 1024 * 1024;
const nested = (bytes: number) => Buffer.from('['.repeat(bytes / 2) + ']'.repeat(bytes / 2));

interface Row { home: string; case: string; status: number; 'headers ms': number; 'answer ms': number; 'max probe ms': number }

/**
 * Probes GET /healthz every 5 ms from a separate process (so the sender's own work of pushing a
 * 66 MB body cannot show up as the gateway's delay); `stop()` resolves with the slowest answer, ms.
 */
function startProbe(base: string): { stop(): Promise<number> } {
  const code = `let max = 0, on = true; process.stdin.on('end', () => { on = false; }); process.stdin.resume();
    (async () => { while (on) { const t = performance.now(); await fetch(${JSON.stringify(`${base}/healthz`)}).then((r) => r.arrayBuffer()).catch(() => {});
      max = Math.max(max, performance.now() - t); await new Promise((r) => setTimeout(r, 5)); } process.stdout.write(String(max)); })();`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return {
    stop: () => new Promise((done) => {
      child.on('close', () => done(Number(out)));
      child.stdin.end();
    }),
  };
}

/** Sends one request while probing /healthz; returns status, time to the answer and the slowest probe. */
async function measure(base: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<{ status: number; headersMs: number; ms: number; probeMs: number }> {
  const probe = startProbe(base);
  await new Promise((r) => setTimeout(r, 300)); // the probe's first answers set its baseline
  const t = performance.now();
  if (!path) {
    // Baseline: the probe alone for a second, to tell the machine's own jitter from the gateway's.
    await new Promise((r) => setTimeout(r, 1000));
    return { status: 0, headersMs: 0, ms: 0, probeMs: await probe.stop() };
  }
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const headersMs = performance.now() - t;
  await res.arrayBuffer();
  const ms = performance.now() - t;
  return { status: res.status, headersMs, ms, probeMs: await probe.stop() };
}

async function runHome(home: string, base: string, upstreamUrl: string): Promise<Row[]> {
  const { login, routeTo, scenario } = httpTools(() => base, () => upstreamUrl);
  const cookie = await login();
  const route = await routeTo(cookie, [await scenario({ json: 'openai-chat/vercel__openai-text.json' })]);
  const legit = Buffer.from(JSON.stringify({ model: route.group, messages: [{ role: 'user', content: 'x'.repeat(8 * MB) }] }));
  const cases: [string, string, Record<string, string>, Uint8Array][] = [
    ['(idle: probe alone for 1 s)', '', {}, new Uint8Array()],
    ['unknown key, 8 MB nested', '/v1/chat/completions', { authorization: 'Bearer sk-oe-unknown' }, nested(8 * MB)],
    ['unknown key, 66 MB nested', '/v1/chat/completions', { authorization: 'Bearer sk-oe-unknown' }, nested(66 * MB)],
    ['known key, 8 MB nested', '/v1/chat/completions', { authorization: `Bearer ${route.clientKey}` }, nested(8 * MB)],
    ['known key, 66 MB nested', '/v1/chat/completions', { authorization: `Bearer ${route.clientKey}` }, nested(66 * MB)],
    ['known key, 8 MB legitimate chat', '/v1/chat/completions', { authorization: `Bearer ${route.clientKey}` }, legit],
    ['admin login, 8 MB nested', '/api/v1/auth/login', {}, nested(8 * MB)],
  ];
  const rows: Row[] = [];
  for (const [name, path, headers, body] of cases) {
    const m = await measure(base, path, headers, body);
    rows.push({ home, case: name, status: m.status, 'headers ms': Math.round(m.headersMs), 'answer ms': Math.round(m.ms), 'max probe ms': Math.round(m.probeMs) });
  }
  return rows;
}

const upstream = await startFakeUpstream({ host: '127.0.0.1' });
const vars = { ADMIN_PASSWORD, ENCRYPTION_KEY: 'test-encryption-key-0123456789', MODELS_DEV_URL: `${upstream.url}/nothing/api.json` };
const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'oe-hostile-'));
const node = await startGatewayProcess(join(dir, 'data'), vars, 60_000);
try {
  rows.push(...(await runHome('node', node.url, upstream.url)));
} finally {
  await node.signal('SIGKILL').catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
const edge = await launchDevGateway(vars);
try {
  rows.push(...(await runHome('worker (wrangler dev)', edge.url, upstream.url)));
} finally {
  await edge.stop();
}
await upstream.close();
console.table(rows);
