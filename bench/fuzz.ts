/**
 * `npm run fuzz [-- --relay N --admin N --seed S --home node|worker|both]`: hostile bodies against
 * both homes; prints the status counts and every 5xx (with the start of its body). A measurement,
 * not a test: exits 1 when any answer was a 5xx other than an upstream's own 502/503/504 verdict,
 * or when the gateway stopped answering.
 *
 * Relay: mutations of valid requests of the four client protocols (wrong types, random values,
 * nesting, huge strings, truncated JSON, random bytes, broken UTF-8, unknown fields) sent to groups
 * routed to OpenAI Chat and Anthropic channels of the fake upstream (recorded replies), so both
 * passthrough and conversion are hit. Admin: the same mutations of valid channel, group, key, price
 * and settings bodies, with a logged-in session. Deterministic for a seed (a small xorshift PRNG).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchDevGateway } from '../worker/test/dev-gateway';
import { startGatewayProcess } from '../worker/test/node/process';
import { ADMIN_PASSWORD, httpTools } from '../worker/test/suites/harness';
import { startFakeUpstream } from '../worker/test/upstream/server';

const { values: opt } = parseArgs({
  options: {
    relay: { type: 'string', default: '10000' },
    admin: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    home: { type: 'string', default: 'both' },
    concurrency: { type: 'string', default: '8' },
  },
});

/** xorshift32: reproducible randomness for a seed. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x1_0000_0000;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)]!,
  };
}
type Rng = ReturnType<typeof prng>;

const WEIRD: unknown[] = [null, true, false, 0, -1, 1e308, -0, 3.14, '', ' ', 'x'.repeat(5000), '\u0000', '\ud800', '😀'.repeat(50), [], {}, [null], { a: { b: { c: [] } } }, 'null', '[]', '{"x":1}', 2 ** 53 + 1];

function randomValue(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 4 : 7);
  if (k === 0) return r.pick(WEIRD);
  if (k === 1) return r.int(1_000_000) - 500_000;
  if (k === 2) return Array.from({ length: r.int(40) }, () => String.fromCharCode(r.int(0x3000))).join('');
  if (k === 3) return r.next() < 0.5;
  if (k === 4) return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
  if (k === 5) return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(['type', 'role', 'content', 'text', 'parts', 'name', 'id', 'x']), randomValue(r, depth + 1)]));
  return null;
}

/** Mutates a JSON value in place at random paths (replace, delete, wrap, duplicate). */
function mutate(r: Rng, v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return r.next() < 0.3 ? randomValue(r, depth) : v;
  if (Array.isArray(v)) {
    const out = v.map((x) => (r.next() < 0.4 ? mutate(r, x, depth + 1) : x));
    if (r.next() < 0.2) out.push(randomValue(r, depth + 1));
    if (r.next() < 0.1) out.splice(0, 1);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, x] of Object.entries(v)) {
    const roll = r.next();
    if (roll < 0.1) continue;
    out[key] = roll < 0.4 ? mutate(r, x, depth + 1) : roll < 0.5 ? randomValue(r, depth + 1) : x;
  }
  if (r.next() < 0.2) out[r.pick(['extra', 'stream', 'tools', 'system', 'thinking', 'n', 'max_tokens', 'generationConfig'])] = randomValue(r);
  return out;
}

/** A body: mostly a mutated valid one, sometimes raw garbage. */
function hostileBody(r: Rng, valid: object): string | Uint8Array {
  const roll = r.next();
  if (roll < 0.6) return JSON.stringify(mutate(r, structuredClone(valid)));
  if (roll < 0.7) return JSON.stringify(valid).slice(0, r.int(JSON.stringify(valid).length));
  if (roll < 0.78) return Uint8Array.from({ length: r.int(2000) }, () => r.int(256));
  if (roll < 0.84) return '['.repeat(r.int(5000)) + ']'.repeat(r.int(5000));
  if (roll < 0.9) return JSON.stringify(randomValue(r));
  if (roll < 0.95) {
    const bytes = new TextEncoder().encode(JSON.stringify(valid));
    bytes[r.int(bytes.length)] = 0xff;
    return bytes;
  }
  return JSON.stringify({ ...valid, [r.pick(['messages', 'contents', 'input'])]: Array.from({ length: 2000 }, () => randomValue(r, 3)) });
}

interface Tally { statuses: Map<number, number>; bad: string[]; failed: number }

async function runHome(home: string, base: string, upstreamUrl: string, relayN: number, adminN: number, seed: number, concurrency: number): Promise<Tally> {
  const { login, routeTo, scenario } = httpTools(() => base, () => upstreamUrl);
  const cookie = await login();
  const chatRoute = await routeTo(cookie, [await scenario({ json: 'openai-chat/vercel__openai-text.json', stream: 'openai-chat/vercel__openai-text.chunks.txt' })]);
  const anthRoute = await routeTo(cookie, [await scenario({ json: 'anthropic/vercel__anthropic-text.json', stream: 'anthropic/vercel__anthropic-text.chunks.txt' })], { channelType: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
  const groups = [chatRoute.group, anthRoute.group];
  const key = chatRoute.clientKey; // keys reach every group (no allow-list)
  const r = prng(seed);
  const tally: Tally = { statuses: new Map(), bad: [], failed: 0 };

  const relayCase = (): [string, Record<string, string>, object] => {
    const model = r.pick(groups);
    const stream = r.next() < 0.4;
    switch (r.int(4)) {
      case 0: return ['/v1/chat/completions', { authorization: `Bearer ${key}` }, { model, stream, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }] }];
      case 1: return ['/v1/messages', { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, { model, stream, max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tools: [{ name: 'f', input_schema: { type: 'object' } }] }];
      case 2: return ['/v1/responses', { authorization: `Bearer ${key}` }, { model, stream, input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }], tools: [{ type: 'function', name: 'f', parameters: {} }] }];
      default: return [`/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, { 'x-goog-api-key': key }, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 100 } }];
    }
  };
  const adminCase = (): [string, string, object] => {
    const n = r.int(6);
    if (n === 0) return ['POST', '/api/v1/channels', { name: `fz-${r.int(1e9)}`, type: 'openai-chat', baseUrl: `${upstreamUrl}/v1`, keys: ['sk-x'], models: ['m'] }];
    if (n === 1) return ['POST', '/api/v1/groups', { name: `fz-${r.int(1e9)}`, mode: 'round-robin', members: [{ channelId: 1, upstreamModel: 'm' }] }];
    if (n === 2) return ['POST', '/api/v1/keys', { name: 'fz', groups: ['a'], rpmLimit: 10 }];
    if (n === 3) return ['PUT', `/api/v1/prices/${encodeURIComponent(`fz-${r.int(1e6)}`)}`, { input: 1, output: 2 }];
    if (n === 4) return ['PUT', '/api/v1/settings', { logBodies: false }];
    return ['PUT', `/api/v1/groups/${r.int(4)}`, { name: 'fz', mode: 'failover', members: [] }];
  };

  const one = async (kind: 'relay' | 'admin') => {
    let path: string; let method = 'POST'; let headers: Record<string, string>; let body: string | Uint8Array;
    if (kind === 'relay') {
      const [p, hd, valid] = relayCase();
      path = p; headers = hd; body = hostileBody(r, valid);
    } else {
      const [m, p, valid] = adminCase();
      method = m; path = p; headers = { cookie }; body = hostileBody(r, valid);
    }
    try {
      const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500 && tally.bad.length < 30) tally.bad.push(`${kind} ${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
    } catch (err) {
      tally.failed++;
      if (tally.bad.length < 30) tally.bad.push(`${kind} ${method} ${path} → no answer: ${String(err).slice(0, 200)}`);
    }
  };
  for (const [kind, n] of [['relay', relayN], ['admin', adminN]] as const) {
    let left = n;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left--;
        await one(kind);
      }
    }));
  }
  const alive = await fetch(`${base}/healthz`).then((x) => x.status, () => 0);
  console.log(`\n== ${home}: ${relayN} relay + ${adminN} admin bodies; /healthz after: ${alive}`);
  console.log([...tally.statuses].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}×${c}`).join('  '));
  for (const b of tally.bad) console.log(`  ${b}`);
  if (alive !== 200) tally.failed++;
  return tally;
}

const upstream = await startFakeUpstream({ host: '127.0.0.1' });
const vars = { ADMIN_PASSWORD, ENCRYPTION_KEY: 'test-encryption-key-0123456789', MODELS_DEV_URL: `${upstream.url}/nothing/api.json` };
const tallies: Tally[] = [];
const args = [Number(opt.relay), Number(opt.admin), Number(opt.seed), Number(opt.concurrency)] as const;
if (opt.home !== 'worker') {
  const dir = mkdtempSync(join(tmpdir(), 'oe-fuzz-'));
  const node = await startGatewayProcess(join(dir, 'data'), vars, 60_000);
  try {
    tallies.push(await runHome('node (SQLite)', node.url, upstream.url, ...args));
  } finally {
    await node.signal('SIGKILL').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
if (opt.home !== 'node') {
  const edge = await launchDevGateway(vars);
  try {
    tallies.push(await runHome('worker (npm start)', edge.url, upstream.url, ...args));
  } finally {
    await edge.stop();
  }
}
await upstream.close();
const fivexx = tallies.reduce((n, t) => n + [...t.statuses].filter(([s]) => s >= 500).reduce((m, [, c]) => m + c, 0), 0);
const failed = tallies.reduce((n, t) => n + t.failed, 0);
console.log(`\n${fivexx} answers were 5xx, ${failed} requests got no answer`);
process.exit(fivexx + failed > 0 ? 1 : 0);
