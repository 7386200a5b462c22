/**
 * `npm run bench:ab`: an A/B of two Node gateway bundles on the same machine state, for a change
 * whose effect is smaller than the drift between two `bench:e2e` runs on a shared machine.
 *
 *   build the base (`npm run build:node` on its commit), copy dist/node to dist/base/node, build
 *   the change, then
 *   npm run bench:ab -- --a dist/base/node/server.mjs --b dist/node/server.mjs --rounds 5 --duration 3
 *
 * Both gateways (and the bare proxy, the floor) run side by side against one loopback mock. By
 * default each case loads A and B at the same time (two load generators), so both see exactly the
 * same machine, then the floor alone; `--sequential` runs every target in turn, in an order rotated
 * per round (the floor's ratio is then like bench:e2e's). Per cell: the
 * target's CPU time per request (utime + stime of its process over the requests the mock saw; the
 * figure to compare on a busy machine, where requests/s mostly measures the neighbours) and its
 * requests/s. Printed: medians and min…max over rounds, and B/A as the median of per-round ratios.
 *
 * Options: --a FILE, --b FILE (bundles inside the repository, so they find migrations/), --rounds N,
 * --duration S, --cases ns,nsl,st,cv (non-stream, non-stream with the limited key, passthrough
 * stream, converted stream; all by default), --no-bare, --sequential, --chunks N, --gap MS (stream
 * shape), --connections N (concurrency, default 50; at 1 no request shares a loop turn with another,
 * so the CPU per request does not swing with how many events each turn gets), --a-args FLAGS /
 * --b-args FLAGS (node flags for that gateway, space-separated; write `--b-args=--max-semi-space-size=8`
 * with `=` since the value starts with `--`; with `--a X --b X` this A/Bs a V8 setting on one bundle).
 * After the table: each gateway's RSS once the rounds are over and again after 10 s idle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../worker/test/dev-gateway';
import { closeClient, runLoad } from './client';
import { cpuDelta, cpuMicros, memory } from './proc';
import { median } from './stats';
import { configure, GROUP_CONV, GROUP_PASS, startBare, startMock, startNodeGateway, type Proc } from './targets';
import { runWrk } from './wrk';

const { values: opt } = parseArgs({
  options: {
    a: { type: 'string', default: 'dist/base/node/server.mjs' },
    b: { type: 'string', default: 'dist/node/server.mjs' },
    'a-args': { type: 'string', default: '' },
    'b-args': { type: 'string', default: '' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    cases: { type: 'string', default: 'ns,nsl,st,cv' },
    'no-bare': { type: 'boolean', default: false },
    sequential: { type: 'boolean', default: false },
    chunks: { type: 'string', default: '20' },
    gap: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
  },
});
const ROUNDS = Number(opt.rounds);
const SECONDS = Number(opt.duration);
const CONNECTIONS = Number(opt.connections);
const log = (...a: unknown[]) => console.error(`[ab ${new Date().toISOString().slice(11, 19)}]`, ...a);
const abs = (f: string) => (isAbsolute(f) ? f : join(repoRoot, f));

type CaseId = 'ns' | 'nsl' | 'st' | 'cv';
const CASES: Record<CaseId, { label: string; stream: boolean; converted: boolean; limited: boolean }> = {
  ns: { label: 'non-stream', stream: false, converted: false, limited: false },
  nsl: { label: 'non-stream, limited key', stream: false, converted: false, limited: true },
  st: { label: 'stream (passthrough)', stream: true, converted: false, limited: false },
  cv: { label: 'stream (converted)', stream: true, converted: true, limited: false },
};

interface Target {
  id: string;
  proc: Proc;
  gateway: boolean;
  keys?: { free: string; limited: string };
}

interface Cell {
  cpuUs: number;
  rps: number;
}

async function mockCount(mock: Proc, run: string): Promise<number> {
  return ((await (await fetch(`${mock.url}/__counts?run=${run}`)).json()) as { run: number }).run;
}

/** Waits until the mock's total stops moving: in-flight requests of a cell belong to it. */
async function quiesce(mock: Proc): Promise<void> {
  let last = -1;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const n = ((await (await fetch(`${mock.url}/__counts`)).json()) as { total: number }).total;
    if (n === last) return;
    last = n;
    await new Promise((ok) => setTimeout(ok, 150));
  }
}

let seq = 0;
async function runCell(id: CaseId, t: Target, mock: Proc): Promise<Cell> {
  const c = CASES[id];
  if (!t.gateway && c.converted) return { cpuUs: NaN, rps: NaN };
  const run = `ab${++seq}${t.id}${id}`;
  const auth = t.keys ? `Bearer ${c.limited ? t.keys.limited : t.keys.free}` : '';
  const model = t.gateway ? (c.converted ? GROUP_CONV : GROUP_PASS) : 'gpt-4.1-nano';
  const cpu0 = cpuMicros(t.proc.pids());
  const start = performance.now();
  let answered: number;
  if (!c.stream) {
    const r = await runWrk({ base: t.proc.url, path: '/v1/chat/completions', model, auth, run, connections: CONNECTIONS, seconds: SECONDS });
    if (r.connect + r.read + r.write + r.status + r.timeout > 0) throw new Error(`${t.id} ${id}: wrk errors ${JSON.stringify(r)}`);
    answered = r.requests;
  } else {
    const r = await runLoad({
      url: `${t.proc.url}/v1/chat/completions`,
      headers: { 'content-type': 'application/json', ...(auth && { authorization: auth }) },
      body: (w, n) => JSON.stringify({ model, stream: true, max_tokens: 100, messages: [{ role: 'user', content: `bench ${run}-${w}-${n}: say hello` }], stream_options: { include_usage: true } }),
      endsWith: 'data: [DONE]',
    }, CONNECTIONS, SECONDS * 1000);
    if (r.failures > 0) throw new Error(`${t.id} ${id}: ${r.failures} failed: ${r.errors.join(' | ')}`);
    answered = r.samples.length;
  }
  const wallS = (performance.now() - start) / 1000;
  await quiesce(mock);
  const cpu = cpuDelta(cpu0, cpuMicros(t.proc.pids()));
  const handled = Math.max(answered, await mockCount(mock, run));
  return { cpuUs: cpu / handled, rps: answered / wallS };
}

const fmt = (xs: number[], digits = 0) => {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return '—';
  return `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)}…${Math.max(...v).toFixed(digits)})`;
};

async function main(): Promise<void> {
  const cases = opt.cases.split(',').map((s) => s.trim()) as CaseId[];
  for (const c of cases) if (!(c in CASES)) throw new Error(`unknown case ${c}`);
  const mock = await startMock({ latencyMs: 0, chunks: Number(opt.chunks), gapMs: Number(opt.gap) });
  const dirs: string[] = [];
  const targets: Target[] = [];
  try {
    for (const [id, file, args] of [['A', abs(opt.a), opt['a-args']], ['B', abs(opt.b), opt['b-args']]] as const) {
      const dir = mkdtempSync(join(tmpdir(), `oe-ab-${id}-`));
      dirs.push(dir);
      const nodeArgs = args.split(' ').filter((a) => a !== '');
      const proc = await startNodeGateway(dir, nodeArgs, file);
      targets.push({ id, proc, gateway: true, keys: await configure(proc.url, mock.url) });
      log(`${id}: ${[...nodeArgs, file].join(' ')} at ${proc.url}`);
    }
    if (!opt['no-bare']) targets.push({ id: 'bare', proc: await startBare(mock.url), gateway: false });
    // Warm-up: JIT and connection pools of every target.
    for (const t of targets) for (const id of cases) await runCell(id, t, mock);
    const cells = new Map<string, Cell[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const add = (id: CaseId, t: Target, cell: Cell) => cells.set(`${id}:${t.id}`, [...(cells.get(`${id}:${t.id}`) ?? []), cell]);
      for (const id of cases) {
        if (!opt.sequential) {
          // Paired: A and B loaded at the same time, so both see the same machine; the floor alone.
          const [a, b] = await Promise.all([runCell(id, targets[0]!, mock), runCell(id, targets[1]!, mock)]);
          add(id, targets[0]!, a);
          add(id, targets[1]!, b);
          if (targets[2]) add(id, targets[2], await runCell(id, targets[2], mock));
          continue;
        }
        for (let k = 0; k < targets.length; k++) {
          const t = targets[(k + round) % targets.length]!;
          add(id, t, await runCell(id, t, mock));
        }
      }
      log(`round ${round + 1}/${ROUNDS} done`);
    }
    const lines = [
      `A = ${opt.a} ${opt['a-args']}, B = ${opt.b} ${opt['b-args']}; ${ROUNDS} rounds × ${SECONDS} s per cell at concurrency ${CONNECTIONS}, ${opt.sequential ? 'rotated order' : 'A and B loaded together'}; medians (min…max)`, '',
      '| case | CPU µs/req A | CPU µs/req B | B/A CPU | bare CPU | req/s A | req/s B | B/bare rps | A/bare rps |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ];
    for (const id of cases) {
      const a = cells.get(`${id}:A`)!;
      const b = cells.get(`${id}:B`)!;
      const bare = cells.get(`${id}:bare`);
      const ratio = a.map((x, i) => b[i]!.cpuUs / x.cpuUs);
      const bRps = bare ? b.map((x, i) => x.rps / bare[i]!.rps) : [];
      const aRps = bare ? a.map((x, i) => x.rps / bare[i]!.rps) : [];
      lines.push(`| ${CASES[id].label} | ${fmt(a.map((x) => x.cpuUs))} | ${fmt(b.map((x) => x.cpuUs))} | ${fmt(ratio, 3)} | ${bare ? fmt(bare.map((x) => x.cpuUs)) : '—'} | ${fmt(a.map((x) => x.rps))} | ${fmt(b.map((x) => x.rps))} | ${fmt(bRps, 2)} | ${fmt(aRps, 2)} |`);
    }
    // RSS: V8 keeps the heap it grew under load; the settled figure shows what it gives back.
    const rssAfter = targets.map((t) => memory(t.proc.pids()));
    await new Promise((ok) => setTimeout(ok, 10_000));
    const rssSettled = targets.map((t) => memory(t.proc.pids()));
    lines.push('', `RSS after the rounds (MiB; peak; after 10 s idle): ${targets.map((t, i) => `${t.id} ${rssAfter[i]!.rssMiB.toFixed(0)} (peak ${rssAfter[i]!.peakMiB.toFixed(0)}; ${rssSettled[i]!.rssMiB.toFixed(0)})`).join(', ')}`);
    console.log(lines.join('\n'));
  } finally {
    await closeClient();
    for (const t of targets) await t.proc.stop();
    await mock.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
