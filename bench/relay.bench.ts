/**
 * `npm run bench`, part 2: what the gateway adds to a request end to end. The same recorded reply
 * is fetched straight from the fake upstream and through the gateway (`npm start`'s path: wrangler
 * dev, D1, the group Durable Object); the difference is the gateway's cost (auth, route lookup,
 * plan, encode, relay, report). Sequential requests, so the numbers are latencies, not throughput.
 */
import { startGateway } from '../worker/test/e2e/harness';
import { startFakeUpstream } from '../worker/test/upstream/server';

function quantiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

async function time(n: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn(); // warm up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function relayBench(n = 300) {
  const upstream = await startFakeUpstream({ host: '127.0.0.1' });
  const gw = await startGateway();
  try {
    const rows: Record<string, unknown>[] = [];
    for (const [label, channelType, behaviour, clientPath, body] of [
      ['openai-chat → openai-chat (passthrough), non-stream', 'openai-chat', { json: 'openai-chat/vercel__openai-text.json' }, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }],
      ['openai-chat → openai-chat (passthrough), stream', 'openai-chat', { stream: 'openai-chat/vercel__openai-text.chunks.txt' }, '/v1/chat/completions', { stream: true, messages: [{ role: 'user', content: 'hi' }] }],
      ['anthropic → openai-chat (converted), stream', 'openai-chat', { stream: 'openai-chat/vercel__openai-text.chunks.txt' }, '/v1/messages', { stream: true, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }],
    ] as const) {
      const s = upstream.addScenario(behaviour);
      const ch = await gw.admin('POST', '/channels', { name: `bench-${rows.length}`, type: channelType, baseUrl: `${s.baseUrl}/v1`, keys: ['sk-bench'] });
      const group = `bench-${rows.length}`;
      await gw.admin('POST', '/groups', { name: group, members: [{ channelId: ch.json.id, upstreamModel: 'm' }] });
      const key = (await gw.admin('POST', '/keys', { name: group })).json.key as string;
      const direct = await time(n, async () => {
        const r = await fetch(`${s.baseUrl}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', ...body }) });
        await r.arrayBuffer();
      });
      const through = await time(n, async () => {
        const r = await fetch(`${gw.url}${clientPath}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: group, ...body }) });
        if (r.status !== 200) throw new Error(`${label}: HTTP ${r.status} ${await r.text()}`);
        await r.arrayBuffer();
      });
      const d = quantiles(direct);
      const g = quantiles(through);
      rows.push({ case: label, 'direct p50 ms': d.p50.toFixed(2), 'gateway p50 ms': g.p50.toFixed(2), 'added p50 ms': (g.p50 - d.p50).toFixed(2), 'gateway p90 ms': g.p90.toFixed(2), 'gateway p99 ms': g.p99.toFixed(2) });
    }
    return rows;
  } finally {
    await gw.stop();
    await upstream.close();
  }
}
