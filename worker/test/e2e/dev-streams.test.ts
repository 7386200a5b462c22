/**
 * `npm start`'s path (scripts/dev.mjs → wrangler's dev server, workerd) under hostile streams:
 * - a reply labelled `content-encoding: gzip` whose body is not gzip used to kill workerd (wrangler's
 *   inspector decoded it in C++): now the member fails over and the runtime stays up (issue 12.4);
 * - a stream cut into one write per byte used to open a loopback connection per chunk in the dev
 *   proxy until descriptors ran out (issue 16.1): the descriptors of the gateway's processes stay flat.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../upstream/server';
import { startGateway, type RunningGateway } from './harness';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
/** 303 events, 98 KB: the stream of issue 16. */
const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt';

let upstream: FakeUpstream;
let gw: RunningGateway;
let clientKey: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gw = await startGateway();
  clientKey = (await gw.admin('POST', '/keys', { name: 'dev-streams' })).json.key;
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

async function group(name: string, baseUrls: string[]): Promise<void> {
  const members = [];
  for (const [i, baseUrl] of baseUrls.entries()) {
    const ch = await gw.admin('POST', '/channels', { name: `${name}-${i}`, type: 'openai-chat', baseUrl: `${baseUrl}/v1`, keys: [`sk-${name}-${i}`], models: ['m'] });
    expect(ch.status).toBe(201);
    members.push({ channelId: ch.json.id, upstreamModel: 'm', priority: i });
  }
  expect((await gw.admin('POST', '/groups', { name, mode: 'failover', members })).status).toBe(201);
}

const chat = (model: string, stream: boolean, signal?: AbortSignal) => fetch(`${gw.url}/v1/chat/completions`, {
  method: 'POST', signal, headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
  body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
});

/** Open descriptors of every process in the gateway's process group, by "pid:name". */
function descriptors(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // /proc/PID/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces, so split after ")".
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2] !== String(gw.pid)) continue;
      out[`${pid}:${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}`] = readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

describe('npm start under hostile streams', () => {
  it('fails over from a reply labelled gzip that is not gzip, and the runtime stays up', async () => {
    const bogus = upstream.addScenario({ json: TEXT_JSON, stream: TEXT_STREAM, headers: { 'content-encoding': 'gzip' } });
    const good = upstream.addScenario({ json: TEXT_JSON, stream: TEXT_STREAM });
    await group('bogus-gzip', [bogus.baseUrl, good.baseUrl]);
    for (let i = 0; i < 3; i++) {
      const plain = await chat('bogus-gzip', false);
      const text = await plain.text();
      expect(plain.status, text.slice(0, 300)).toBe(200);
      expect(JSON.parse(text).choices[0].message.content).toContain('Galaxy Day');
      const streamed = await chat('bogus-gzip', true);
      const sse = await streamed.text();
      expect(streamed.status, sse.slice(0, 300)).toBe(200);
      expect(sse.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
    // The first member was tried (three times, then its breaker opened) and the second answered all six.
    expect(upstream.requests(bogus.id).length).toBeGreaterThanOrEqual(3);
    expect(upstream.requests(good.id).length).toBe(6);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect(gw.output()).not.toMatch(/Fatal uncaught|restarted mid-request/);
  });

  it('streams a byte-split recording with the descriptors of wrangler and workerd flat', async () => {
    const bytes = upstream.addScenario({ stream: TEXT_STREAM, split: 'byte' });
    await group('byte-split', [bytes.baseUrl]);
    // The same recording sent one event per write: what the byte-split stream must read as.
    const whole = upstream.addScenario({ stream: TEXT_STREAM });
    await group('event-split', [whole.baseUrl]);
    const reference = await (await chat('event-split', true)).text();
    expect(reference.split('\n\n').length).toBeGreaterThan(300);
    const before = descriptors();
    expect(Object.keys(before).some((k) => k.endsWith(':workerd')), JSON.stringify(before)).toBe(true);
    /** More descriptors than this in any one process, beyond its count before, is a leak per chunk. */
    const MARGIN = 40;
    const peak: Record<string, number> = { ...before };
    const ac = new AbortController();
    const sample = () => {
      for (const [k, n] of Object.entries(descriptors())) peak[k] = Math.max(peak[k] ?? 0, n);
      // No need to wait for the crash (the unfixed dev server took minutes to fall over).
      if (Object.entries(peak).some(([k, n]) => n - (before[k] ?? 0) > MARGIN)) ac.abort();
    };
    const timer = setInterval(sample, 25);
    let text = '';
    try {
      const res = await chat('byte-split', true, ac.signal);
      expect(res.status).toBe(200);
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        text += decoder.decode(chunk, { stream: true });
        sample();
      }
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    } finally {
      clearInterval(timer);
    }
    // ~98,000 upstream writes: before the fix the dev proxy's workerd rose by hundreds of
    // descriptors (thousands for this split) and wrangler's Node with it. Each process may open a
    // few more (a connection to the upstream, a pooled one) but never one per chunk.
    for (const [k, n] of Object.entries(peak)) {
      expect(n - (before[k] ?? 0), `${k}: ${before[k]} before, ${n} at the peak; ${JSON.stringify(peak)}`).toBeLessThanOrEqual(MARGIN);
    }
    // The whole stream arrived, exactly as when the recording is sent one event per write.
    expect(text).toBe(reference);
    // And the next request is served as usual.
    const next = await chat('event-split', true);
    expect(next.status).toBe(200);
    expect(await next.text()).toBe(reference);
  }, 120_000);
});
