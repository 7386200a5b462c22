/**
 * `npm run bench:e2e`: what the gateway adds to a request compared with a bare pass-through proxy,
 * measured side by side in one run, on the Node bundle and on the Worker under workerd.
 *
 * Processes: a loopback mock upstream (OpenAI Chat + Anthropic Messages), the bare proxy (node:http
 * in, undici Pool out, response piped back: the floor), the Node gateway (`node dist/node/server.mjs`
 * on SQLite, default settings: request logs on, bodies off, stats on) and the Worker (`wrangler dev`,
 * local D1 and Durable Objects). Load: wrk for non-stream requests (bench/e2e/post.lua), our own
 * undici client for streams (wrk cannot time the first byte). Rounds are interleaved: every round
 * runs every case on every target, in a rotated order, so drift on a shared machine hits them all.
 * Every answer is checked against the mock's own counts (a cache or a retry would show).
 *
 *   npm run bench:e2e                       # quick: 3 rounds × 2 s per case, ~4–5 min
 *   npm run bench:e2e -- --rounds 5 --duration 5
 *   npm run bench:e2e -- --profile 10       # CPU profile of the Node gateway under load instead
 *
 * Options: --rounds N, --duration S (per case), --chunks N --gap MS (stream shape), --latency MS
 * (mock latency), --no-worker, --no-node, --no-flush-probe, --settle S (idle wait before the
 * settled RSS), --no-build (reuse dist/node), --out FILE (markdown report; default
 * bench/out/e2e-<time>.md), --profile S, --worker-via miniflare|wrangler (default miniflare: the
 * bundle `wrangler deploy --dry-run` makes, served by Miniflare's workerd with wrangler.toml's
 * bindings; `wrangler` = `npm start`'s wrangler dev, which adds a proxy workerd and a Node process
 * that logs every request, both on the request path), --report RUN.json (print the report of a
 * saved run again).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../../worker/test/dev-gateway';
import { closeClient, runLoad, runProbe, type Load, type LoadResult } from './client';
import { cpuDelta, cpuMicros, memory } from './proc';
import { summariseHeap, summariseProfile, type ProfileSummary } from './profile';
import { median, quantile } from './stats';
import { configure, GROUP_CONV, GROUP_PASS, startBare, startMiniflareWorker, startMock, startNodeGateway, startWorker, type Proc } from './targets';
import { haveWrk, runWrk, type WrkResult } from './wrk';
import { isFlush, sqliteFilesUnder, WriteWatcher, type Burst } from './writes';
import { report, type Cell, type MemoryRow, type ProbeResult, type RunInfo } from './report';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '2' },
    chunks: { type: 'string', default: '20' },
    gap: { type: 'string', default: '5' },
    latency: { type: 'string', default: '0' },
    'no-worker': { type: 'boolean', default: false },
    'no-node': { type: 'boolean', default: false },
    'no-flush-probe': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    settle: { type: 'string', default: '10' },
    out: { type: 'string' },
    profile: { type: 'string' },
    'worker-via': { type: 'string', default: 'miniflare' },
    report: { type: 'string' },
  },
});
const WORKER_VIA = opt['worker-via'] as 'miniflare' | 'wrangler';
if (WORKER_VIA !== 'miniflare' && WORKER_VIA !== 'wrangler') throw new Error('--worker-via: miniflare or wrangler');
const ROUNDS = Number(opt.rounds);
const SECONDS = Number(opt.duration);
const CHUNKS = Number(opt.chunks);
const GAP_MS = Number(opt.gap);
const LATENCY_MS = Number(opt.latency);

const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

/** What a target is to the load generators. */
interface Target {
  id: string;
  label: string;
  proc: Proc;
  base: string;
  /** Authorization header value ('' = none). */
  auth: string;
  /** Model names: [passthrough, converted]; the mock ignores them. */
  models: [string, string];
  /** True for the gateways (they convert; direct and bare get the Anthropic request as is). */
  gateway: boolean;
}

/** A benchmark case: what is sent, how, at what concurrency. */
interface Case {
  id: 'ns-c1' | 'ns-c50' | 'st-c1' | 'st-c50' | 'cv-c1' | 'cv-c50';
  concurrency: number;
  kind: 'wrk' | 'stream';
  converted: boolean;
  /** Target ids this case runs on. */
  targets: string[];
}

function machine(): string {
  const model = cpus()[0]?.model ?? 'cpu';
  let kernel = '';
  try {
    kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  } catch {}
  return `${cpus().length} × ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${kernel}, Node ${process.version}, wrk ${wrkVersion()}`;
}

function wrkVersion(): string {
  const r = spawnSync('/usr/bin/wrk', ['-v'], { encoding: 'utf8' });
  return (/wrk (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '?');
}

interface MockCounts {
  total: number;
  chat: number;
  messages: number;
  noMarker: number;
  duplicates: number;
  distinct: number;
  connections: number;
  /** Requests of the run asked for. */
  run?: number;
}

async function mockCounts(mock: Proc, run?: string): Promise<MockCounts> {
  return (await fetch(`${mock.url}/__counts${run ? `?run=${run}` : ''}`)).json() as never;
}

/**
 * Waits until the mock's count stops moving (150 ms without a new request, at most 10 s): when wrk
 * stops, its in-flight requests are still being relayed, and their cost belongs to this cell.
 */
async function quiesce(mock: Proc): Promise<void> {
  let last = -1;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const n = (await mockCounts(mock)).total;
    if (n === last || Date.now() > deadline) return;
    last = n;
    await new Promise((ok) => setTimeout(ok, 150));
  }
}

async function resetMock(mock: Proc): Promise<void> {
  await fetch(`${mock.url}/__reset`, { method: 'POST' });
}

function buildNode(): void {
  log('building the Node bundle (npm run build:node)');
  const r = spawnSync('npm', ['run', 'build:node'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build:node failed:\n${r.stdout}${r.stderr}`);
}

/**
 * The Worker bundle as `wrangler deploy --dry-run --outdir DIR` writes it (what would be uploaded),
 * with its raw and gzipped size in KiB. @throws when wrangler fails.
 */
function buildWorkerBundle(out: string): { rawKiB: number; gzipKiB: number } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${r.stdout}${r.stderr}`);
  let raw = 0;
  let gz = 0;
  for (const f of readdirSync(out)) {
    if (!/\.(m?js|wasm)$/.test(f)) continue;
    const b = readFileSync(join(out, f));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
  }
  return { rawKiB: raw / 1024, gzipKiB: gz / 1024 };
}

function bodyFor(converted: boolean, gateway: boolean, model: string, stream: boolean, marker: string): string {
  // Direct/bare on the converted case get the request the gateway would send the Anthropic channel.
  const anthropicShape = converted && !gateway;
  return JSON.stringify({
    model, ...(stream && { stream: true }), max_tokens: 100,
    messages: [{ role: 'user', content: `bench ${marker}: say hello` }],
    ...(!anthropicShape && stream && { stream_options: { include_usage: true } }),
  });
}

function pathFor(c: Case, t: Target): string {
  return c.converted && !t.gateway ? '/v1/messages' : '/v1/chat/completions';
}

let runSeq = 0;

/** Runs one case on one target and checks the mock's counts. */
async function runCell(c: Case, t: Target, round: number, mock: Proc, watchers: Map<string, WriteWatcher>): Promise<Cell> {
  await resetMock(mock);
  const run = `r${round}${c.id}${t.id}${++runSeq}`.replace(/[^A-Za-z0-9]/g, '');
  const model = c.converted ? t.models[1] : t.models[0];
  const pids = t.proc.pids();
  const extraPids = (t.proc as { wranglerPids?: () => number[] }).wranglerPids?.() ?? [];
  const cpu0 = cpuMicros(pids);
  const extra0 = cpuMicros(extraPids);
  const start = performance.now();
  let wrk: WrkResult | null = null;
  let load: LoadResult | null = null;
  if (c.kind === 'wrk') {
    wrk = await runWrk({ base: t.base, path: pathFor(c, t), model, auth: t.auth, run, connections: c.concurrency, seconds: SECONDS });
  } else {
    const l: Load = {
      url: `${t.base}${pathFor(c, t)}`,
      headers: { 'content-type': 'application/json', ...(t.auth && { authorization: t.auth }) },
      body: (w, n) => bodyFor(c.converted, t.gateway, model, true, `${run}-${w}-${n}`),
      endsWith: c.converted && !t.gateway ? '{"type":"message_stop"}' : 'data: [DONE]',
      firstContent: 'word0',
    };
    load = await runLoad(l, c.concurrency, SECONDS * 1000);
  }
  const end = performance.now();
  await quiesce(mock);
  const cpuUs = cpuDelta(cpu0, cpuMicros(pids));
  const extraUs = cpuDelta(extra0, cpuMicros(extraPids));
  const counts = await mockCounts(mock, run);
  const completed = wrk ? wrk.requests : load!.samples.length;
  // Every request the target relayed (wrk's last in-flight ones included) shares the CPU.
  const handled = Math.max(completed, counts.run ?? 0);
  const problems: string[] = [];
  if (wrk) {
    const errs = wrk.connect + wrk.read + wrk.write + wrk.status + wrk.timeout;
    if (errs > 0) problems.push(`wrk errors: connect ${wrk.connect}, read ${wrk.read}, write ${wrk.write}, status ${wrk.status}, timeout ${wrk.timeout}`);
    // Requests still in flight when wrk stops reached the mock but are not counted by wrk.
    if (counts.run! < completed || counts.run! > completed + c.concurrency) problems.push(`mock saw ${counts.run} requests of this run for ${completed} answers`);
  } else {
    if (load!.failures > 0) problems.push(`${load!.failures} failed: ${load!.errors.join(' | ')}`);
    if (counts.run !== completed + load!.failures) problems.push(`mock saw ${counts.run} requests of this run for ${completed} answers + ${load!.failures} failures`);
  }
  if (counts.duplicates > 0) problems.push(`${counts.duplicates} requests reached the mock twice (retries)`);
  if (counts.noMarker > 0) problems.push(`${counts.noMarker} upstream requests without a marker`);
  const wantPath = c.converted ? counts.messages : counts.chat;
  if (wantPath !== counts.total) problems.push(`mock saw ${counts.total - wantPath} requests on the wrong path`);
  if (problems.length) log(`!! ${c.id} ${t.id} round ${round}: ${problems.join('; ')}`);

  const w = watchers.get(t.id.replace(/-lim$/, ''));
  const bursts = w ? w.during(start, end) : [];
  const cell: Cell = {
    case: c.id, target: t.id, round, completed, mockTotal: counts.run ?? 0, problems,
    seconds: (end - start) / 1000, cpuUsPerReq: handled > 0 ? cpuUs / handled : NaN, extraCpuUsPerReq: extraPids.length && handled > 0 ? extraUs / handled : undefined,
    flushes: bursts.filter(isFlush).length,
    upstreamConnections: counts.connections,
  };
  if (wrk) {
    cell.rps = wrk.requests / (wrk.duration_us / 1e6);
    cell.p50 = wrk.p50 / 1000;
    cell.p99 = wrk.p99 / 1000;
    cell.max = wrk.max / 1000;
  } else {
    const s = load!.samples;
    cell.rps = s.length / (load!.wallMs / 1000);
    cell.ttfbP50 = quantile(s.map((x) => x.ttfb), 0.5);
    cell.ttfbP99 = quantile(s.map((x) => x.ttfb), 0.99);
    cell.ttftP50 = quantile(s.map((x) => x.ttft), 0.5);
    cell.ttftP99 = quantile(s.map((x) => x.ttft), 0.99);
    cell.p50 = quantile(s.map((x) => x.total), 0.5);
    cell.p99 = quantile(s.map((x) => x.total), 0.99);
    cell.max = Math.max(...s.map((x) => x.total));
    // Stream length: first content to last byte (a gateway that stretches a stream shows here).
    cell.spanP50 = quantile(s.map((x) => x.total - x.ttft), 0.5);
    cell.spanP99 = quantile(s.map((x) => x.total - x.ttft), 0.99);
  }
  const show = cell.ttfbP50 !== undefined ? `ttfb p50 ${cell.ttfbP50.toFixed(2)} ms, ttft p50 ${cell.ttftP50!.toFixed(2)} ms, total p50 ${cell.p50!.toFixed(1)} ms` : `p50 ${cell.p50!.toFixed(2)} ms, p99 ${cell.p99!.toFixed(2)} ms`;
  log(`${c.id.padEnd(6)} ${t.id.padEnd(10)} r${round}: ${completed} answers, ${Math.round(cell.rps!)}/s, ${show}, cpu ${Number.isFinite(cell.cpuUsPerReq) ? Math.round(cell.cpuUsPerReq) : '—'} µs/req${problems.length ? ' (UNVERIFIED)' : ''}`);
  return cell;
}

/** Sequential non-stream requests until a stats flush has been seen and is over (or `maxMs`). */
async function flushProbe(t: Target, watcher: WriteWatcher, maxMs: number): Promise<ProbeResult> {
  const started = performance.now();
  let seenAt = 0;
  const until = () => {
    if (!seenAt && watcher.closedAfter(started, isFlush)) seenAt = performance.now();
    return seenAt > 0 && performance.now() - seenAt > 1000;
  };
  const load: Load = {
    url: `${t.base}/v1/chat/completions`,
    headers: { 'content-type': 'application/json', authorization: t.auth },
    body: (w, n) => bodyFor(false, true, t.models[0], false, `probe-${t.id}-${w}-${n}`),
  };
  const r = await runProbe(load, until, maxMs);
  const flushes = watcher.during(started, performance.now()).filter(isFlush);
  const overlaps = (s: { at: number; total: number }, b: Burst) => s.at <= b.end && s.at + s.total >= b.start;
  const during = r.samples.filter((s) => flushes.some((b) => overlaps(s, b))).map((s) => s.total);
  const outside = r.samples.filter((s) => !flushes.some((b) => overlaps(s, b))).map((s) => s.total);
  return {
    target: t.id, requests: r.samples.length, failures: r.failures, seconds: r.wallMs / 1000,
    flushes: flushes.map((b) => ({ ms: b.end - b.start, polls: b.polls, grewKiB: b.grewBytes / 1024 })),
    during: { n: during.length, p50: median(during), max: during.length ? Math.max(...during) : NaN },
    outside: { n: outside.length, p50: median(outside), p99: quantile(outside, 0.99), max: outside.length ? Math.max(...outside) : NaN },
  };
}

async function main(): Promise<void> {
  if (!haveWrk()) throw new Error('wrk not found at /usr/bin/wrk (apt-get install wrk), or set WRK=path');
  if (opt.profile) return profileMode(Number(opt.profile));
  if (opt.report) {
    // Re-render a saved run (the .json next to a report) with the current report code.
    const d = JSON.parse(readFileSync(opt.report, 'utf8'));
    const ids = [...new Set((d.cells as Cell[]).map((c) => c.target))];
    const labels: Record<string, string> = { direct: 'direct to mock', bare: 'bare proxy (floor)', node: 'Node gateway', 'node-lim': 'Node, limited key', worker: 'Worker (workerd)', 'worker-lim': 'Worker, limited key' };
    const order = Object.keys(labels).filter((id) => ids.includes(id));
    console.log(report(d.info, order.map((id) => ({ id, label: labels[id]! })), d.cells, d.memRows, d.probes, d.allBursts));
    return;
  }
  const begun = Date.now();
  const info: RunInfo = {
    machine: machine(), date: new Date().toISOString(), command: `npm run bench:e2e -- ${process.argv.slice(2).join(' ')}`.trim(),
    rounds: ROUNDS, seconds: SECONDS, chunks: CHUNKS, gapMs: GAP_MS, latencyMs: LATENCY_MS, loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim(),
  };
  const withNode = !opt['no-node'];
  const withWorker = !opt['no-worker'];
  if (withNode && !opt['no-build']) buildNode();
  const dataDir = mkdtempSync(join(tmpdir(), 'oe-bench-'));
  const bundleDir = join(dataDir, 'worker-bundle');
  if (withWorker) {
    log('bundling the Worker (wrangler deploy --dry-run)');
    info.bundle = buildWorkerBundle(bundleDir);
  }
  info.workerVia = WORKER_VIA;
  const procs: Proc[] = [];
  const watchers = new Map<string, WriteWatcher>();
  try {
    const mock = await startMock({ latencyMs: LATENCY_MS, chunks: CHUNKS, gapMs: GAP_MS });
    procs.push(mock);
    const bare = await startBare(mock.url);
    procs.push(bare);
    const targets: Target[] = [
      { id: 'direct', label: 'direct to mock', proc: mock, base: mock.url, auth: '', models: ['gpt-4.1-nano', 'claude-sonnet-4-5'], gateway: false },
      { id: 'bare', label: 'bare proxy (floor)', proc: bare, base: bare.url, auth: '', models: ['gpt-4.1-nano', 'claude-sonnet-4-5'], gateway: false },
    ];
    const memRows: MemoryRow[] = [];
    const idle = new Map<string, number>();
    const gateways: Proc[] = [bare];
    if (withNode) {
      log('starting the Node gateway (node dist/node/server.mjs, SQLite)');
      const node = await startNodeGateway(join(dataDir, 'node'));
      procs.push(node);
      gateways.push(node);
      const keysNode = await configure(node.url, mock.url);
      targets.push({ id: 'node', label: 'Node gateway', proc: node, base: node.url, auth: `Bearer ${keysNode.free}`, models: [GROUP_PASS, GROUP_CONV], gateway: true });
      targets.push({ id: 'node-lim', label: 'Node, limited key', proc: node, base: node.url, auth: `Bearer ${keysNode.limited}`, models: [GROUP_PASS, GROUP_CONV], gateway: true });
      const w = new WriteWatcher(() => [node.dbFile, `${node.dbFile}-wal`]);
      w.start();
      watchers.set('node', w);
    }
    if (withWorker) {
      log(WORKER_VIA === 'wrangler' ? 'starting the Worker (wrangler dev: proxy workerd → workerd, local D1 + Durable Objects)' : 'starting the Worker (Miniflare: workerd, local D1 + Durable Objects)');
      const worker = WORKER_VIA === 'wrangler' ? await startWorker() : await startMiniflareWorker(bundleDir, join(dataDir, 'worker-state'));
      procs.push(worker);
      gateways.push(worker);
      const keys = await configure(worker.url, mock.url);
      targets.push({ id: 'worker', label: 'Worker (workerd)', proc: worker, base: worker.url, auth: `Bearer ${keys.free}`, models: [GROUP_PASS, GROUP_CONV], gateway: true });
      targets.push({ id: 'worker-lim', label: 'Worker, limited key', proc: worker, base: worker.url, auth: `Bearer ${keys.limited}`, models: [GROUP_PASS, GROUP_CONV], gateway: true });
      const w = new WriteWatcher(() => sqliteFilesUnder(join(worker.stateDir, ...(WORKER_VIA === 'wrangler' ? ['v3', 'd1'] : ['d1']))));
      w.start();
      watchers.set('worker', w);
    }
    for (const g of gateways) idle.set(g.name, memory(g.pids()).rssMiB);

    const all = targets.map((t) => t.id);
    const noLimited = all.filter((id) => !id.endsWith('-lim'));
    const cases: Case[] = [
      { id: 'ns-c1', concurrency: 1, kind: 'wrk', converted: false, targets: all },
      { id: 'ns-c50', concurrency: 50, kind: 'wrk', converted: false, targets: all },
      { id: 'st-c1', concurrency: 1, kind: 'stream', converted: false, targets: noLimited },
      { id: 'st-c50', concurrency: 50, kind: 'stream', converted: false, targets: noLimited },
      { id: 'cv-c1', concurrency: 1, kind: 'stream', converted: true, targets: noLimited },
      { id: 'cv-c50', concurrency: 50, kind: 'stream', converted: true, targets: noLimited },
    ];

    // Warm-up (not reported): JIT, connection pools, configuration snapshots, the group holders.
    log('warming up');
    for (const t of targets) {
      await runWrk({ base: t.base, path: '/v1/chat/completions', model: t.models[0], auth: t.auth, run: `warm${t.id}`, connections: 10, seconds: 1 });
      for (const converted of [false, true]) {
        const l: Load = {
          url: `${t.base}${converted && !t.gateway ? '/v1/messages' : '/v1/chat/completions'}`,
          headers: { 'content-type': 'application/json', ...(t.auth && { authorization: t.auth }) },
          body: (w, n) => bodyFor(converted, t.gateway, t.models[converted ? 1 : 0], true, `warm-${t.id}-${converted}-${w}-${n}`),
          endsWith: converted && !t.gateway ? '{"type":"message_stop"}' : 'data: [DONE]',
          firstContent: 'word0',
        };
        const r = await runLoad(l, 10, 500);
        if (r.failures) throw new Error(`warm-up ${t.id} ${converted ? 'converted' : 'passthrough'} stream failed: ${r.errors.join(' | ')}`);
      }
    }

    const cells: Cell[] = [];
    const byId = new Map(targets.map((t) => [t.id, t]));
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}`);
      for (const c of cases) {
        const ids = c.targets;
        // Rotate the order each round (and per case) so no target always runs first or last.
        const k = (round - 1 + cases.indexOf(c)) % ids.length;
        for (const id of [...ids.slice(k), ...ids.slice(0, k)]) cells.push(await runCell(c, byId.get(id)!, round, mock, watchers));
      }
    }
    const afterLoad = new Map(gateways.map((g) => [g.name, memory(g.pids())]));

    const probes: ProbeResult[] = [];
    if (!opt['no-flush-probe']) {
      log('flush probe: sequential requests until each gateway has written a stats flush (up to 75 s)');
      const gwTargets = targets.filter((t) => t.id === 'node' || t.id === 'worker');
      probes.push(...(await Promise.all(gwTargets.map((t) => flushProbe(t, watchers.get(t.id)!, 75_000)))));
    }
    const settleS = Number(opt.settle);
    log(`settling ${settleS} s without load`);
    await new Promise((ok) => setTimeout(ok, settleS * 1000));
    for (const g of gateways) {
      const now = memory(g.pids());
      memRows.push({ target: g.name, idleMiB: idle.get(g.name)!, afterLoadMiB: afterLoad.get(g.name)!.rssMiB, peakMiB: now.peakMiB, settledMiB: now.rssMiB, settleS });
    }
    const allBursts = [...watchers.entries()].map(([id, w]) => ({ target: id, flushes: w.bursts.filter(isFlush).map((b) => ({ ms: b.end - b.start, polls: b.polls, grewKiB: b.grewBytes / 1024 })), small: w.bursts.filter((b) => !isFlush(b)).length }));
    info.minutes = (Date.now() - begun) / 60_000;
    info.loadavgEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const md = report(info, targets.map((t) => ({ id: t.id, label: t.label })), cells, memRows, probes, allBursts);
    console.log(md);
    const out = opt.out ?? join(repoRoot, 'bench/out', `e2e-${info.date.replace(/[:.]/g, '-')}.md`);
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, md);
    writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify({ info, cells, memRows, probes, allBursts }, null, 1));
    for (const p of procs) writeFileSync(out.replace(/\.md$/, `.${p.name}.log`), p.output());
    log(`report written to ${out} (raw cells in ${out.replace(/\.md$/, '.json')}, process output in ${out.replace(/\.md$/, '.*.log')})`);
  } finally {
    for (const w of watchers.values()) w.stop();
    await closeClient();
    for (const p of procs.reverse()) await p.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Takes a heap snapshot of the Node gateway (SIGUSR2, started with --heapsnapshot-signal) right
 * after a load of `requests` requests, and describes what is still live, per request.
 */
async function heapAfterLoad(node: Proc, dir: string, requests: number): Promise<string> {
  const rss = memory(node.pids());
  process.kill(node.pids()[0]!, 'SIGUSR2');
  let file = '';
  for (let last = -1, i = 0; i < 120; i++) {
    await new Promise((ok) => setTimeout(ok, 500));
    const f = readdirSync(dir).find((n) => n.endsWith('.heapsnapshot'));
    if (!f) continue;
    file = join(dir, f);
    const size = statSync(file).size;
    if (size === last && size > 0) break;
    last = size;
  }
  if (!file) return '(no heap snapshot written)';
  const h = summariseHeap(file, 20);
  return [`Heap right after the load (${requests} requests; RSS ${rss.rssMiB.toFixed(0)} MiB, peak ${rss.peakMiB.toFixed(0)} MiB; the snapshot follows a full GC, so it holds live objects only): ${(h.totalBytes / 1e6).toFixed(1)} MB live.`, '',
    '| live MB | objects | per request | kind |', '|---:|---:|---:|---|',
    ...h.kinds.map((k) => `| ${(k.bytes / 1e6).toFixed(1)} | ${k.count} | ${(k.count / requests).toFixed(2)} | \`${k.kind}\` |`), ''].join('\n');
}

/**
 * `--profile S`: the Node gateway under `node --cpu-prof`, S seconds each of non-stream c50,
 * passthrough streams c50 and converted streams c50 (one gateway run per load, so each profile is
 * one workload), then the top self-time functions and files of each, and after the non-stream
 * load a heap snapshot summary (what stays live per request).
 */
async function profileMode(seconds: number): Promise<void> {
  if (!opt['no-build']) buildNode();
  const profDir = join(repoRoot, 'bench/out/profiles');
  mkdirSync(profDir, { recursive: true });
  const mock = await startMock({ latencyMs: LATENCY_MS, chunks: CHUNKS, gapMs: GAP_MS });
  const sections: string[] = [`# CPU profile of the Node gateway under load (${new Date().toISOString()}, ${machine()})`, '',
    `\`npm run bench:e2e -- ${process.argv.slice(2).join(' ')}\`: each workload runs ${seconds} s at concurrency 50 against a fresh \`node --cpu-prof dist/node/server.mjs\` (SQLite, default settings); self time = time spent in the function itself, busy time = all samples except idle.`, ''];
  try {
    for (const [name, converted, stream] of [['non-stream passthrough (OpenAI Chat → OpenAI Chat)', false, false], ['stream passthrough (OpenAI Chat → OpenAI Chat)', false, true], ['stream converted (OpenAI Chat client → Anthropic channel)', true, true]] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'oe-bench-prof-'));
      const stamp = `${Date.now()}`;
      const node = await startNodeGateway(dir, ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `node-${stamp}.cpuprofile`, '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`]);
      let heap = '';
      const nowUs = () => Number(process.hrtime.bigint() / 1000n);
      let window: [number, number] = [0, Infinity];
      try {
        const keys = await configure(node.url, mock.url);
        const t: Target = { id: 'node', label: 'Node', proc: node, base: node.url, auth: `Bearer ${keys.free}`, models: [GROUP_PASS, GROUP_CONV], gateway: true };
        log(`profiling: ${name}`);
        // Warm-up, then the profiled load.
        if (!stream) {
          await runWrk({ base: t.base, path: '/v1/chat/completions', model: t.models[0], auth: t.auth, run: `pw${stamp}`, connections: 10, seconds: 1 });
          window = [nowUs(), 0];
          const r = await runWrk({ base: t.base, path: '/v1/chat/completions', model: t.models[0], auth: t.auth, run: `p${stamp}`, connections: 50, seconds });
          window[1] = nowUs();
          log(`  ${r.requests} requests, ${Math.round(r.requests / (r.duration_us / 1e6))}/s`);
          heap = await heapAfterLoad(node, dir, r.requests);
        } else {
          const l: Load = {
            url: `${t.base}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: t.auth },
            body: (w, n) => bodyFor(converted, true, t.models[converted ? 1 : 0], true, `p${stamp}-${w}-${n}`), endsWith: 'data: [DONE]',
          };
          await runLoad(l, 10, 1000);
          window = [nowUs(), 0];
          const r = await runLoad(l, 50, seconds * 1000);
          window[1] = nowUs();
          log(`  ${r.samples.length} streams, ${r.failures} failures`);
        }
      } finally {
        await node.stop();
        rmSync(dir, { recursive: true, force: true });
      }
      const file = join(profDir, `node-${stamp}.cpuprofile`);
      const s: ProfileSummary = summariseProfile(file, repoRoot, 25, window);
      sections.push(`## ${name}`, '', `Profile: \`${file.replace(`${repoRoot}/`, '')}\` (${(statSync(file).size / 1e6).toFixed(1)} MB; open in Chrome DevTools → Performance, or speedscope). Counted: the samples of the measured load only (start-up, warm-up and the shutdown flush left out): busy ${s.busyMs.toFixed(0)} ms of ${s.wallMs.toFixed(0)} ms wall.`, '',
        '| self ms | share | function | where |', '|---:|---:|---|---|',
        ...s.functions.map((f) => `| ${f.ms.toFixed(0)} | ${(f.share * 100).toFixed(1)}% | \`${f.name}\` | ${f.where} |`), '',
        '<details><summary>self time by source file / package</summary>', '', '| self ms | share | file |', '|---:|---:|---|',
        ...s.files.map((f) => `| ${f.ms.toFixed(0)} | ${(f.share * 100).toFixed(1)}% | ${f.where} |`), '', '</details>', '', heap);
    }
  } finally {
    await closeClient();
    await mock.stop();
  }
  const md = sections.join('\n');
  console.log(md);
  const out = opt.out ?? join(repoRoot, 'bench/out', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(out, md);
  log(`profile summary written to ${out}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
