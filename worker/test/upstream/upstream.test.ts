/**
 * Tests for the fake upstream. They run in Node and talk to the server over HTTP with the
 * global fetch, the same way workerd tests will.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, wireEvents } from './recordings.js';
import { planWrites, truncateWrites } from './split.js';
import { startFakeUpstream, type Behavior, type FakeUpstream, type RecordedRequest, type Scenario } from './server.js';

const dec = new TextDecoder();
const fixture = (name: string) => readFileSync(path.join(fixturesDir(), name));
const lines = (name: string) =>
  fixture(name)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c)));

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(async () => {
  await up.close();
});

/** Registers a scenario over HTTP (the path workerd tests use) and returns its baseUrl/id. */
async function scenario(s: Scenario | Behavior): Promise<{ id: string; baseUrl: string }> {
  const res = await fetch(`${up.url}/__scenarios`, { method: 'POST', body: JSON.stringify(s) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; baseUrl: string };
}

async function recorded(id: string): Promise<RecordedRequest[]> {
  const res = await fetch(`${up.url}/__scenarios/${id}/requests`);
  expect(res.status).toBe(200);
  return (await res.json()) as RecordedRequest[];
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Reads a body chunk by chunk and returns the bytes received plus the error that ended it, if any. */
async function drain(res: Response): Promise<{ bytes: Buffer; error: unknown }> {
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: concat(parts), error: undefined };
      parts.push(value);
    }
  } catch (error) {
    return { bytes: concat(parts), error };
  }
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('control endpoints', () => {
  it('answers /__health', async () => {
    const res = await fetch(`${up.url}/__health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('returns baseUrl under /s/<id>', async () => {
    const s = await scenario({ json: 'openai-chat/vercel__openai-text.json' });
    expect(s.baseUrl).toBe(`${up.url}/s/${s.id}`);
    expect(s.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\//);
  });

  it('rejects unknown recordings with 400', async () => {
    const res = await fetch(`${up.url}/__scenarios`, {
      method: 'POST',
      body: JSON.stringify({ steps: [{ stream: 'openai-chat/nope.chunks.txt' }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/unknown recording/);
  });

  it('404s unknown scenarios (requests, control and delete) as JSON', async () => {
    const a = await fetch(`${up.url}/s/does-not-exist/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(a.status).toBe(404);
    expect(a.headers.get('content-type')).toContain('application/json');
    expect(((await a.json()) as { error: string }).error).toMatch(/unknown scenario/);
    const b = await fetch(`${up.url}/__scenarios/does-not-exist/requests`);
    expect(b.status).toBe(404);
    await b.json();
    const c = await fetch(`${up.url}/__scenarios/does-not-exist`, { method: 'DELETE' });
    expect(c.status).toBe(404);
    await c.json();
  });

  it('DELETE forgets a scenario', async () => {
    const s = await scenario({ body: 'x' });
    const del = await fetch(`${up.url}/__scenarios/${s.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ deleted: s.id });
    const res = await fetch(`${s.baseUrl}/v1/x`);
    expect(res.status).toBe(404);
    await res.text();
  });
});

describe('framing', () => {
  it('openai-chat: data lines then [DONE]', async () => {
    const name = 'openai-chat/vercel__openai-text.chunks.txt';
    const s = await scenario({ stream: name, json: 'openai-chat/vercel__openai-text.json' });
    const res = await post(`${s.baseUrl}/v1/chat/completions`, { model: 'm', stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text).toBe(lines(name).map((l) => `data: ${l}\n\n`).join('') + 'data: [DONE]\n\n');
  });

  it('openai-compatible chunks use openai-chat framing', async () => {
    const name = 'openai-compatible/vercel__deepseek-tool-call.chunks.txt';
    const s = await scenario({ stream: name });
    const text = await (await post(`${s.baseUrl}/chat/completions`, { stream: true })).text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(text.startsWith(`data: ${lines(name)[0]}\n\n`)).toBe(true);
  });

  it('non-stream request gets the json recording verbatim', async () => {
    const s = await scenario({ stream: 'openai-chat/vercel__openai-text.chunks.txt', json: 'openai-chat/vercel__openai-text.json' });
    const res = await post(`${s.baseUrl}/v1/chat/completions`, { model: 'm' });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(Buffer.from(await res.arrayBuffer()).equals(fixture('openai-chat/vercel__openai-text.json'))).toBe(true);
  });

  it('anthropic: event lines named by type, padding kept, no [DONE]', async () => {
    const name = 'anthropic/vercel__anthropic-issue-5942-cache-read.chunks.txt';
    const s = await scenario({ stream: name });
    const text = await (await post(`${s.baseUrl}/v1/messages`, { stream: true })).text();
    const expected = lines(name)
      .map((l) => `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`)
      .join('');
    expect(text).toBe(expected);
    expect(text).toContain('event: ping\ndata: {"type": "ping"}\n\n');
    expect(text).toMatch(/ {5,}\}\n/); // Anthropic's whitespace padding inside the JSON survives
    expect(text).not.toContain('[DONE]');
  });

  it('anthropic axonhub .stream.jsonl uses the Go event Type', async () => {
    const s = await scenario({ stream: 'anthropic/axonhub__anthropic-tool.stream.jsonl' });
    const text = await (await post(`${s.baseUrl}/v1/messages`, { stream: true })).text();
    expect(text.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true);
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  it('openai axonhub .stream.jsonl ends with exactly one [DONE]', async () => {
    const s = await scenario({ stream: 'openai-chat/axonhub__openai-parallel_multiple_tool.stream.jsonl' });
    const text = await (await post(`${s.baseUrl}/v1/chat/completions`, { stream: true })).text();
    expect(text.endsWith('}\n\ndata: [DONE]\n\n')).toBe(true);
    expect(text.split('[DONE]').length).toBe(2);
  });

  it('openai-responses: event lines named by type', async () => {
    const name = 'openai-responses/vercel__openai-custom-tool.1.chunks.txt';
    const s = await scenario({ stream: name });
    const text = await (await post(`${s.baseUrl}/v1/responses`, { stream: true })).text();
    const expected = lines(name)
      .map((l) => `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`)
      .join('');
    expect(text).toBe(expected);
    expect(text.startsWith('event: response.created\n')).toBe(true);
  });

  it('gemini alt=sse: data lines separated by CRLF CRLF', async () => {
    const name = 'gemini/vercel__google-text.chunks.txt';
    const s = await scenario({ stream: name, json: 'gemini/vercel__google-text.json' });
    const res = await fetch(`${s.baseUrl}/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse`, {
      method: 'POST',
      body: '{"contents":[]}',
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(await res.text()).toBe(lines(name).map((l) => `data: ${l}\r\n\r\n`).join(''));
  });

  it('gemini without alt=sse: JSON array body like the recorded one', async () => {
    const name = 'gemini/vercel__google-text.chunks.txt';
    const s = await scenario({ stream: name, json: 'gemini/vercel__google-text.json' });
    const res = await fetch(`${s.baseUrl}/v1beta/models/gemini-3-pro-preview:streamGenerateContent`, {
      method: 'POST',
      body: '{"contents":[]}',
    });
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(text).toBe(`[${lines(name).join('\n,\r\n')}\n]`);
    expect(JSON.parse(text)).toHaveLength(lines(name).length);
    // The separators match the real recorded JSON-array stream.
    expect(fixture('gemini/extracted/llmgemini__test_prompt.resp0.jsonarray').toString()).toContain('}\n,\r\n{');
  });

  it('gemini generateContent (non-stream) gets the json recording', async () => {
    const s = await scenario({ stream: 'gemini/vercel__google-text.chunks.txt', json: 'gemini/vercel__google-text.json' });
    const res = await fetch(`${s.baseUrl}/v1beta/models/gemini-3-pro-preview:generateContent`, { method: 'POST', body: '{}' });
    expect(Buffer.from(await res.arrayBuffer()).equals(fixture('gemini/vercel__google-text.json'))).toBe(true);
  });

  it('replays .jsonarray and .sse recordings verbatim', async () => {
    const arr = 'gemini/extracted/llmgemini__test_prompt.resp0.jsonarray';
    const s1 = await scenario({ stream: arr });
    const r1 = await fetch(`${s1.baseUrl}/v1beta/models/gemini-flash-latest:streamGenerateContent`, { method: 'POST', body: '{}' });
    expect(Buffer.from(await r1.arrayBuffer()).equals(fixture(arr))).toBe(true);
    expect(wireEvents(arr).length).toBeGreaterThan(1);

    const sse = 'openai-compatible/vercel__anthropic-fallback-tool-call.sse';
    const s2 = await scenario({ stream: sse });
    const r2 = await post(`${s2.baseUrl}/v1/chat/completions`, { stream: true });
    expect(r2.headers.get('content-type')).toBe('text/event-stream');
    expect(Buffer.from(await r2.arrayBuffer()).equals(fixture(sse))).toBe(true);
    expect(wireEvents(sse).length).toBeGreaterThan(3);
  });

  it('protocol override re-frames a recording', async () => {
    const name = 'anthropic/vercel__anthropic-text.chunks.txt';
    const s = await scenario({ stream: name, protocol: 'openai-chat' });
    const text = await (await post(`${s.baseUrl}/v1/chat/completions`, { stream: true })).text();
    expect(text).toBe(lines(name).map((l) => `data: ${l}\n\n`).join('') + 'data: [DONE]\n\n');
  });

  it('#N selects a rawResponseBody of a wrapper record', async () => {
    const base = 'openai-chat/vercel__openai-chat-cached-input-tokens-11178.json';
    const s = await scenario({ steps: [{ json: `${base}#1` }, { json: `${base}#2` }] });
    type Usage = { usage: { prompt_tokens_details: { cached_tokens: number } }; object: string };
    const a = (await (await post(`${s.baseUrl}/v1/chat/completions`, {})).json()) as Usage;
    const b = (await (await post(`${s.baseUrl}/v1/chat/completions`, {})).json()) as Usage;
    expect(a.object).toBe('chat.completion');
    expect(a.usage.prompt_tokens_details.cached_tokens).toBe(0);
    // Compare with the wrapper itself (PROVENANCE.md says 2816; the file holds 9984).
    const wrapper = JSON.parse(fixture(base).toString()) as { attempts: Array<{ rawResponseBody: Usage }> };
    expect(b).toEqual(wrapper.attempts[1]!.rawResponseBody);
    expect(b.usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(0);
    // Without a suffix the wrapper is refused, so nobody replays it by mistake.
    const bad = await fetch(`${up.url}/__scenarios`, { method: 'POST', body: JSON.stringify({ json: base }) });
    expect(bad.status).toBe(400);
    await bad.text();
  });
});

describe('split', () => {
  const name = 'anthropic/vercel__anthropic-clear-thinking.1.chunks.txt'; // contains "÷" (2-byte UTF-8)

  it('byte / random / N produce the same bytes as event', async () => {
    const bodies: Buffer[] = [];
    for (const split of ['event', 'byte', 'random', 7] as const) {
      const s = await scenario({ stream: name, split, seed: 42 });
      const res = await post(`${s.baseUrl}/v1/messages`, { stream: true });
      bodies.push(Buffer.from(await res.arrayBuffer()));
    }
    expect(bodies[0]!.length).toBeGreaterThan(0);
    expect(bodies[0]!.equals(concat(wireEvents(name)))).toBe(true);
    for (const b of bodies.slice(1)) expect(b.equals(bodies[0]!)).toBe(true);
    expect(bodies[0]!.toString('utf8')).toContain('÷');
  });

  it('plans writes as requested (byte cuts inside UTF-8, random is seeded)', () => {
    const events = wireEvents(name);
    const all = concat(events);
    const bytes = planWrites(events, 'byte');
    expect(bytes.every((w) => w.length === 1)).toBe(true);
    expect(bytes).toHaveLength(all.length);
    const divide = all.indexOf(Buffer.from('÷'));
    expect(divide).toBeGreaterThan(0);
    expect(dec.decode(bytes[divide]!, { stream: false })).not.toBe('÷'); // half a character
    const fixed = planWrites(events, 7);
    expect(fixed.slice(0, -1).every((w) => w.length === 7)).toBe(true);
    const r1 = planWrites(events, 'random', 3).map((w) => w.length);
    const r2 = planWrites(events, 'random', 3).map((w) => w.length);
    const r3 = planWrites(events, 'random', 4).map((w) => w.length);
    expect(r1).toEqual(r2);
    expect(r1).not.toEqual(r3);
    expect(r1.every((n) => n >= 1 && n <= 64)).toBe(true);
    expect(new Set(r1).size).toBeGreaterThan(10);
    for (const w of [bytes, fixed, planWrites(events, 'random', 3)]) expect(concat(w).equals(all)).toBe(true);
    expect(concat(truncateWrites(fixed, 10)).equals(all.subarray(0, 10))).toBe(true);
    expect(() => planWrites(events, 0)).toThrow();
  });

  it('gapMs spaces writes out', async () => {
    const s = await scenario({ body: 'abcdef', split: 2, gapMs: 60 });
    const t0 = Date.now();
    const reader = (await fetch(`${s.baseUrl}/x`)).body!.getReader();
    const reads: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) reads.push(dec.decode(r.value));
    expect(reads.join('')).toBe('abcdef');
    expect(reads.length).toBeGreaterThanOrEqual(2); // the gaps make the pieces arrive separately
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110); // 2 gaps of 60 ms
  });
});

describe('requests and steps', () => {
  it('records method, path, query, headers, body and json', async () => {
    const s = await scenario({ json: 'openai-chat/vercel__openai-text.json' });
    const payload = { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hé' }] };
    const res = await post(`${s.baseUrl}/v1/chat/completions?api-version=2024&x=1&x=2`, payload, {
      authorization: 'Bearer sk-test',
      'X-Custom-Header': 'Value',
    });
    await res.arrayBuffer();
    const [r] = await recorded(s.id);
    expect(r!.method).toBe('POST');
    expect(r!.path).toBe('/v1/chat/completions');
    expect(r!.query).toEqual({ 'api-version': '2024', x: ['1', '2'] });
    expect(r!.headers.authorization).toBe('Bearer sk-test');
    expect(r!.headers['x-custom-header']).toBe('Value');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.body).toBe(JSON.stringify(payload));
    expect(r!.json).toEqual(payload);
    expect(typeof r!.at).toBe('number');
    expect(Math.abs(Date.now() - r!.at)).toBeLessThan(10_000);
    expect(r!.aborted).toBeUndefined();
    // The module API sees the same thing.
    expect(up.requests(s.id)[0]!.json).toEqual(payload);
  });

  it('non-JSON body is recorded with json null', async () => {
    const s = await scenario({ body: 'ok' });
    await (await fetch(`${s.baseUrl}/upload`, { method: 'PUT', body: 'plain text' })).text();
    const [r] = await recorded(s.id);
    expect(r!.method).toBe('PUT');
    expect(r!.body).toBe('plain text');
    expect(r!.json).toBeNull();
  });

  it('steps: first 500, then 200 (last step repeats)', async () => {
    const s = await scenario({
      steps: [
        { status: 500, body: { error: { message: 'boom' } } },
        { json: 'openai-chat/vercel__openai-text.json' },
      ],
    });
    const a = await post(`${s.baseUrl}/v1/chat/completions`, {});
    expect(a.status).toBe(500);
    expect(await a.json()).toEqual({ error: { message: 'boom' } });
    for (let i = 0; i < 2; i++) {
      const b = await post(`${s.baseUrl}/v1/chat/completions`, {});
      expect(b.status).toBe(200);
      expect(((await b.json()) as { object: string }).object).toBe('chat.completion');
    }
    expect((await recorded(s.id)).map((r) => r.step)).toEqual([0, 1, 1]);
  });

  it('error reply with a recording, status and extra headers', async () => {
    const s = await scenario({ status: 429, json: 'openai-responses/vercel__openai-error.1.json', headers: { 'retry-after': '3' } });
    const res = await post(`${s.baseUrl}/v1/responses`, { stream: true });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('insufficient_quota');
  });

  it('models endpoint answers GET .../models', async () => {
    const models = { object: 'list', data: [{ id: 'gpt-4.1-nano', object: 'model' }] };
    const s = await scenario({ models, stream: 'openai-chat/vercel__openai-text.chunks.txt' });
    const res = await fetch(`${s.baseUrl}/v1/models`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual(models);
    const g = await scenario({ json: 'gemini/extracted/llmgemini__test_cli_gemini_models.resp0.json' });
    const list = (await (await fetch(`${g.baseUrl}/v1beta/models`)).json()) as { models: unknown[] };
    expect(list.models.length).toBeGreaterThan(0);
  });

  it('latencyMs delays the response headers', async () => {
    const s = await scenario({ body: 'late', latencyMs: 300 });
    const t0 = Date.now();
    const res = await fetch(`${s.baseUrl}/x`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await res.text()).toBe('late');
  });
});

describe('faults', () => {
  it('reset: client gets exactly afterBytes bytes, then an error', async () => {
    const name = 'openai-chat/vercel__openai-text.chunks.txt';
    const s = await scenario({ stream: name, fault: { kind: 'reset', afterBytes: 1000 } });
    const res = await post(`${s.baseUrl}/v1/chat/completions`, { stream: true });
    expect(res.status).toBe(200);
    const { bytes, error } = await drain(res);
    expect(error).toBeDefined();
    expect(bytes.equals(concat(wireEvents(name)).subarray(0, 1000))).toBe(true);
    expect((await recorded(s.id))[0]!.aborted).toBeUndefined();
  });

  it('reset on a non-stream body truncates it (content-length mismatch)', async () => {
    const s = await scenario({ json: 'openai-chat/vercel__openai-text.json', fault: { kind: 'reset', afterBytes: 10 }, split: 'byte' });
    const res = await post(`${s.baseUrl}/v1/chat/completions`, {});
    const { bytes, error } = await drain(res);
    expect(error).toBeDefined();
    expect(bytes.toString()).toBe(fixture('openai-chat/vercel__openai-text.json').subarray(0, 10).toString());
  });

  it('stall: client receives the first bytes, can abort, server records aborted', async () => {
    const name = 'anthropic/vercel__anthropic-text.chunks.txt';
    const s = await scenario({ stream: name, fault: { kind: 'stall', afterBytes: 300 } });
    const ac = new AbortController();
    const res = await fetch(`${s.baseUrl}/v1/messages`, { method: 'POST', body: '{"stream":true}', signal: ac.signal });
    const reader = res.body!.getReader();
    const got: Uint8Array[] = [];
    while (concat(got).length < 300) got.push((await reader.read()).value!);
    expect(concat(got).equals(concat(wireEvents(name)).subarray(0, 300))).toBe(true);
    const pending = reader.read();
    const tooEarly = await Promise.race([pending.then(() => 'data'), new Promise((r) => setTimeout(() => r('stalled'), 150))]);
    expect(tooEarly).toBe('stalled');
    ac.abort();
    await expect(pending).rejects.toThrow();
    const rec = await until(async () => {
      const [r] = await recorded(s.id);
      return r?.aborted ? r : undefined;
    });
    expect(rec.aborted).toBe(true);
  });

  it('stall: close() returns promptly and ends the connection', async () => {
    const own = await startFakeUpstream();
    const s = own.addScenario({ stream: 'openai-chat/vercel__openai-text.chunks.txt', fault: { kind: 'stall', afterBytes: 0 } });
    const res = await fetch(`${s.baseUrl}/v1/chat/completions`, { method: 'POST', body: '{"stream":true}' });
    expect(res.status).toBe(200);
    const reading = drain(res);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await own.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    const { bytes, error } = await reading;
    expect(bytes.length).toBe(0);
    expect(error).toBeDefined();
    expect(own.requests(s.id)[0]!.aborted).toBeUndefined(); // the server, not the client, ended it
  });

  it('drop: the request fails without a response', async () => {
    const s = await scenario({ steps: [{ fault: { kind: 'drop' } }, { body: 'ok' }] });
    await expect(post(`${s.baseUrl}/v1/chat/completions`, { stream: true })).rejects.toThrow();
    const again = await post(`${s.baseUrl}/v1/chat/completions`, {});
    expect(await again.text()).toBe('ok');
    expect(await recorded(s.id)).toHaveLength(2);
  });
});

describe('module API', () => {
  it('addScenario accepts a bare behavior and validates', async () => {
    const s = up.addScenario({ body: { hello: 'world' }, status: 201 });
    const res = await fetch(`${s.baseUrl}/anything/at/all`);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ hello: 'world' });
    expect(up.requests(s.id)[0]!.path).toBe('/anything/at/all');
    expect(() => up.addScenario({ stream: 'missing/file.chunks.txt' })).toThrow(/unknown recording/);
    expect(() => up.addScenario({ split: -1 } as Behavior)).toThrow();
    expect(() => up.addScenario({ steps: [] })).toThrow();
    expect(() => up.requests('nope')).toThrow();
    expect(up.removeScenario(s.id)).toBe(true);
  });

  it('wireEvents honours protocol and alt', () => {
    const name = 'gemini/vercel__google-tool-call.chunks.txt';
    const sse = wireEvents(name).map((e) => dec.decode(e));
    expect(sse.every((e) => e.startsWith('data: ') && e.endsWith('\r\n\r\n'))).toBe(true);
    const arr = wireEvents(name, { alt: 'json-array' }).map((e) => dec.decode(e));
    expect(arr[0]!.startsWith('[{')).toBe(true);
    expect(arr.at(-1)).toBe('\n]');
    const oai = wireEvents(name, { protocol: 'openai-chat' }).map((e) => dec.decode(e));
    expect(oai.at(-1)).toBe('data: [DONE]\n\n');
  });
});

describe('content codings and padding', () => {
  /** The reply's raw bytes (not decoded: node:http, unlike fetch, leaves content codings alone). */
  async function raw(url: string, body: unknown): Promise<{ headers: http.IncomingHttpHeaders; bytes: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ headers: res.headers, bytes: Buffer.concat(parts) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }
  const STREAM = 'openai-chat/vercel__openai-text.chunks.txt';
  const plain = () => concat(wireEvents(STREAM));

  it('gzips a stream write by write: the raw bytes inflate to the recording, no content-length', async () => {
    const s = await scenario({ stream: STREAM, encoding: 'gzip' });
    const r = await raw(`${s.baseUrl}/v1/chat/completions`, { stream: true });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-length']).toBeUndefined();
    expect(zlib.gunzipSync(r.bytes).equals(plain())).toBe(true);
  });

  it('deflates a JSON body padded with spaces: a small reply that inflates 1000 to 1 and still parses', async () => {
    const s = await scenario({ json: 'openai-chat/vercel__openai-text.json', encoding: 'deflate', padding: { chars: 4_000_000 } });
    const r = await raw(`${s.baseUrl}/v1/chat/completions`, {});
    expect(r.headers['content-encoding']).toBe('deflate');
    expect(r.bytes.length).toBeLessThan(20_000);
    const text = zlib.inflateSync(r.bytes).toString('utf8');
    expect(text.length).toBeGreaterThan(4_000_000);
    expect(JSON.parse(text).object).toBe('chat.completion');
  });

  it('pads an SSE stream with one long comment line before its first event, or after N events', async () => {
    const first = await scenario({ stream: STREAM, padding: { chars: 100_000 } });
    const a = await (await post(`${first.baseUrl}/v1/chat/completions`, { stream: true })).text();
    expect(a.startsWith(`:${'x'.repeat(100_000)}\n\ndata: `)).toBe(true);
    expect(Buffer.byteLength(a)).toBe(plain().length + 100_003);
    const later = await scenario({ stream: STREAM, padding: { chars: 10, afterEvents: 2 } });
    const b = await (await post(`${later.baseUrl}/v1/chat/completions`, { stream: true })).text();
    const events = wireEvents(STREAM).map((e) => dec.decode(e));
    expect(b.startsWith(`${events[0]}${events[1]}:xxxxxxxxxx\n\n${events[2]}`)).toBe(true);
  });

  it('corrupts a compressed stream after N bytes: what came before inflates, then the inflater fails', async () => {
    const s = await scenario({ stream: STREAM, encoding: 'gzip', corruptAfterBytes: 1000 });
    const r = await raw(`${s.baseUrl}/v1/chat/completions`, { stream: true });
    expect(() => zlib.gunzipSync(r.bytes)).toThrow();
    const head = zlib.gunzipSync(r.bytes.subarray(0, r.bytes.length - 64), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(head.equals(plain().subarray(0, 1000))).toBe(true);
    // (Node's fetch is no judge here: undici inflates with Z_SYNC_FLUSH and, after valid data, ends
    // the body early or never settles the read instead of failing it.)
  });

  it('refuses an encoding it does not know and corruption without an encoding', () => {
    expect(() => up.addScenario({ stream: STREAM, encoding: 'br' } as unknown as Behavior)).toThrow(/encoding/);
    expect(() => up.addScenario({ stream: STREAM, corruptAfterBytes: 10 })).toThrow(/encoding/);
    expect(() => up.addScenario({ stream: STREAM, padding: { chars: 0 } })).toThrow(/padding/);
  });
});
