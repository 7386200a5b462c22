/**
 * Diagnosis of a stats flush on the Worker (issue 11): what a flush of a backlog does to requests
 * under workerd (Miniflare, local D1 + Durable Objects, as `npm run bench:e2e` runs it).
 *
 *   npx tsx bench/e2e/flush-diag.ts [--load S] [--interval S] [--limited]
 *   npx tsx bench/e2e/flush-diag.ts --interval 3600 --ab ROUNDS [--c N]
 *
 * Sets the stats save interval, loads the passthrough group at concurrency 50 for `--load` seconds
 * (a backlog of buffered records), then sends two sequential probes side by side until the flush
 * has been seen and is over: relay requests (through the group's Durable Object) and `/healthz`
 * (no Durable Object, no D1). A `/healthz` that stalls with the relay says the whole workerd
 * process was blocked, not only the group's object. Prints the flush bursts (from the database
 * files), the slowest requests of each probe during a flush, and the Worker's output.
 * `--ab R`: instead, R interleaved rounds of 3 s of load at concurrency `--c` (default 50) with the
 * unlimited and the limited key (RPM + budget), requests/s and p50 of each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { repoRoot } from '../../worker/test/dev-gateway';
import { closeClient, runLoad, type Load } from './client';
import { ADMIN_PASSWORD, configure, GROUP_PASS, startMiniflareWorker, startMock } from './targets';
import { isFlush, sqliteFilesUnder, WriteWatcher } from './writes';

const { values: opt } = parseArgs({ options: { load: { type: 'string', default: '8' }, interval: { type: 'string', default: '15' }, limited: { type: 'boolean', default: false }, ab: { type: 'string' }, c: { type: 'string' } } });

const agent = new Agent({ connections: 4, keepAliveTimeout: 60_000 });

async function timed(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ at: number; ms: number; epoch: number }> {
  const at = performance.now();
  const epoch = Date.now();
  const r = await request(url, { ...init, dispatcher: agent });
  await r.body.text();
  if (r.statusCode !== 200) throw new Error(`${url}: HTTP ${r.statusCode}`);
  return { at, ms: performance.now() - at, epoch };
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'flush-diag-'));
  const bundle = join(tmp, 'bundle');
  const b = spawnSync(process.execPath, [join(repoRoot, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', bundle], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' } });
  if (b.status !== 0) throw new Error(b.stdout + b.stderr);
  const mock = await startMock({ latencyMs: 0, chunks: 20, gapMs: 5 });
  const w = await startMiniflareWorker(bundle, join(tmp, 'state'));
  try {
    const keys = await configure(w.url, mock.url);
    const login = await fetch(`${w.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: ADMIN_PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const s = await fetch(`${w.url}/api/v1/settings`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ statsSaveIntervalSeconds: Number(opt.interval) }) });
    if (!s.ok) throw new Error(`settings: ${s.status} ${await s.text()}`);
    const key = opt.limited ? keys.limited : keys.free;
    const chat: Load = {
      url: `${w.url}/v1/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: (wk, n) => JSON.stringify({ model: GROUP_PASS, max_tokens: 100, messages: [{ role: 'user', content: `diag ${wk}-${n}: say hello` }] }),
    };
    if (opt.ab) {
      // Free vs limited key, interleaved rounds at c50 (no flush: set a long --interval).
      const loadFor = (k: string): Load => ({ ...chat, headers: { ...chat.headers, authorization: `Bearer ${k}` } });
      await runLoad(loadFor(keys.limited), 10, 1000);
      for (let r = 0; r < Number(opt.ab); r++) {
        const out: string[] = [];
        for (const [name, k] of (r % 2 ? [['limited', keys.limited], ['free', keys.free]] : [['free', keys.free], ['limited', keys.limited]]) as [string, string][]) {
          const res = await runLoad(loadFor(k), Number(opt.c ?? 50), 3000);
          const sorted = res.samples.map((x) => x.total).sort((a, b) => a - b);
          out.push(`${name} ${(res.samples.length / res.wallMs * 1000).toFixed(0)}/s p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms (${res.failures} failed)`);
        }
        console.log(`round ${r}: ${out.join(' | ')}`);
      }
      console.log(w.output().split('\n').filter((l) => /diag/.test(l)).slice(-30).join('\n'));
      return;
    }
    const watcher = new WriteWatcher(() => sqliteFilesUnder(join(w.stateDir, 'd1')));
    watcher.start();
    const t0 = performance.now();
    const load = await runLoad(chat, 50, Number(opt.load) * 1000);
    console.log(`load: ${load.samples.length} answers in ${(load.wallMs / 1000).toFixed(1)} s (${load.failures} failed), ${(load.samples.length / load.wallMs * 1000).toFixed(0)}/s`);
    const relay: { at: number; ms: number; epoch: number }[] = [];
    const health: { at: number; ms: number; epoch: number }[] = [];
    let seenAt = 0;
    const done = () => {
      if (!seenAt && watcher.closedAfter(t0 + load.wallMs, isFlush)) seenAt = performance.now();
      return (seenAt > 0 && performance.now() - seenAt > 1500) || performance.now() - t0 > (Number(opt.interval) + 30) * 1000;
    };
    let n = 0;
    await Promise.all([
      (async () => { while (!done()) relay.push(await timed(chat.url, { method: 'POST', headers: chat.headers, body: chat.body(99, n++) })); })(),
      (async () => { while (!done()) health.push(await timed(`${w.url}/healthz`, { method: 'GET' })); })(),
    ]);
    const flushes = watcher.during(t0, performance.now()).filter(isFlush);
    console.log(`flush bursts: ${flushes.map((f) => `${(f.end - f.start).toFixed(0)} ms, ${(f.grewBytes / 1024).toFixed(0)} KiB, at +${((f.start - t0) / 1000).toFixed(1)} s`).join('; ')}`);
    for (const [name, xs] of [['relay', relay], ['healthz', health]] as const) {
      const during = xs.filter((x) => flushes.some((f) => x.at <= f.end && x.at + x.ms >= f.start));
      const outside = xs.filter((x) => !during.includes(x)).map((x) => x.ms).sort((a, b) => a - b);
      const top = [...during].sort((a, b) => b.ms - a.ms).slice(0, 5);
      console.log(`${name}: ${xs.length} requests; during a flush ${during.length}, slowest ${top.map((x) => `${x.ms.toFixed(1)} ms @${x.epoch % 100000}`).join(', ')}; outside p50 ${outside[Math.floor(outside.length / 2)]?.toFixed(2)} max ${outside.at(-1)?.toFixed(1)} ms`);
    }
    console.log('--- worker output (flush lines) ---');
    console.log(w.output().split('\n').filter((l) => /flush|diag/i.test(l)).slice(-60).join('\n'));
    watcher.stop();
  } finally {
    await closeClient();
    await w.stop();
    await mock.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
