/**
 * A hostile or broken upstream against Node's upstream agent (node/upstream-agent.ts: undici
 * `request`, node:zlib decoding, Node-stream bodies): a reply that lies about its coding, a coding
 * the gateway did not ask for, a reset after the headers, and clients that cancel mid-stream must
 * fail over or end as 499, close the upstream connection, and never raise a stray error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools, until } from '../suites/harness';
import { nodeHarness } from './harness';

const ANSWER = JSON.stringify({
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4.1-nano',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});
const delta = (s: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: s }, finish_reason: null }] })}\n\n`;

/** Replies by the path's first segment (`/<name>/v1/...`); counts replies still open. */
const replies: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  good: (_q, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(ANSWER); },
  // Labelled gzip, sent plain.
  lyingGzip: (_q, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }); res.end(ANSWER); },
  // Two codings: the gateway asked for one at most.
  doubleGzip: (_q, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip, gzip' }); res.end(gzipSync(gzipSync(ANSWER))); },
  // Headers and a few bytes, then the connection is reset.
  resetAfterHeaders: (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
    res.write('{"id":');
    setTimeout(() => res.socket?.destroy(), 20);
  },
  // An endless stream, gzip or plain, one event every 30 ms.
  trickle: (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const t = setInterval(() => res.write(delta('x')), 30);
    res.on('close', () => clearInterval(t));
  },
};

describe('node-sqlite: upstream abuse', () => {
  const h = nodeHarness('sqlite');
  const { admin, gateway, login, routeTo } = tools(h);
  let upstream: Server;
  let base = '';
  let open = 0;

  beforeAll(async () => {
    await h.setup();
    upstream = createServer((req, res) => {
      open += 1;
      res.on('close', () => (open -= 1));
      replies[req.url!.split('/')[1]!]!(req, res);
    });
    await new Promise<void>((ok) => upstream.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    upstream.closeAllConnections();
    await new Promise((ok) => upstream.close(ok));
    await h.teardown();
  });

  const chat = (r: { clientKey: string; group: string }, stream: boolean, signal?: AbortSignal) => gateway('/v1/chat/completions', {
    method: 'POST', signal, headers: { authorization: `Bearer ${r.clientKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: r.group, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });

  it('fails over a reply that lies about its coding, uses two codings, or resets after its headers', async () => {
    const cookie = await login();
    for (const bad of ['lyingGzip', 'doubleGzip', 'resetAfterHeaders']) {
      const r = await routeTo(cookie, [{ baseUrl: `${base}/${bad}` }, { baseUrl: `${base}/good` }], { mode: 'failover', settings: { breakerThreshold: 100 } });
      const res = await chat(r, false);
      expect(res.status, `${bad}: ${await res.clone().text()}`).toBe(200);
      expect((await res.json() as any).choices[0].message.content).toBe('hello');
      expect(await h.flush(r.groupId, 1)).toBe(true);
      const [log] = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=1`)).json.data;
      expect(log.attempts.map((a: any) => a.status), bad).toEqual([0, 200]);
    }
  });

  it('closes every upstream stream that concurrent clients cancel: each logged 499, the member not charged', async () => {
    const cookie = await login();
    const r = await routeTo(cookie, [{ baseUrl: `${base}/trickle` }], { mode: 'failover', settings: { breakerThreshold: 1, breakerBaseMs: 600_000 } });
    const clients = 12;
    await Promise.all(Array.from({ length: clients }, async () => {
      const ac = new AbortController();
      const res = await chat(r, true, ac.signal);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('"content":"x"')) text += new TextDecoder().decode((await reader.read()).value);
      ac.abort();
      await reader.cancel().catch(() => {});
    }));
    // No upstream reply is left open (the agent closed each connection), and the group still serves.
    expect(await until(async () => open, (n) => n === 0)).toBe(0);
    expect(await h.flush(r.groupId, clients)).toBe(true);
    const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=50`)).json.data;
    expect(logs.map((l: any) => l.status)).toEqual(Array(clients).fill(499));
    const health = (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members;
    for (const m of Object.values(health) as any[]) expect(m.phase).not.toBe('open');
  });
});
