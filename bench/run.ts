/** `npm run bench`: routing CPU cost, stream pipeline cost, then end-to-end gateway overhead. */
import type { Bench } from 'tinybench';
import { os } from './os';
import { pipelineBench } from './pipeline.bench';
import { relayBench } from './relay.bench';
import { routingBench } from './routing.bench';

function table(bench: Bench, unit: 'µs' | 'ms') {
  const scale = unit === 'µs' ? 1000 : 1;
  console.table(bench.tasks.map((t) => {
    const r = t.result as { latency?: { mean: number; p99?: number }; throughput?: { mean: number } } | undefined;
    return { case: t.name, [`mean ${unit}`]: ((r?.latency?.mean ?? 0) * scale).toFixed(2), [`p99 ${unit}`]: ((r?.latency?.p99 ?? 0) * scale).toFixed(2), 'ops/s': Math.round(r?.throughput?.mean ?? 0) };
  }));
}

console.log(`# octopus-edge benchmarks (${os()})\n`);
console.log('## 1. plan + report per request (pure routing, as the group Durable Object runs it)');
table(await routingBench(), 'µs');
const p = await pipelineBench();
console.log(`\n## 2. stream pipeline per response (${p.events} events, ${p.bytes} bytes, no network)`);
table(p.bench, 'ms');
console.log('\n## 3. gateway overhead end to end (wrangler dev on this machine, loopback upstream)');
console.log('   Includes wrangler dev\'s local proxy hop per chunk, which a deployed Worker does not have.');
console.table(await relayBench(Number(process.env.BENCH_N ?? 300)));
