/**
 * Ordinary faults and hostile input (issue 12): clients that give up are never charged to a
 * channel, unknown keys never make the gateway read a body, a garbage 2xx fails over, and a stream
 * the client leaves mid-way is still logged with its usage so far.
 */
import { describe, expect } from 'vitest';
import { one, tools, type Harness, until } from './harness';
import { itFor, type SuitePart } from './part';

export function hardeningSuite(h: Harness, part: SuitePart = 'all'): void {
  const wireIt = itFor(part, 'wire');
  const storeIt = itFor(part, 'store');
  const { admin, gateway, login, received, routeTo, scenario } = tools(h);
  const TEXT_JSON = 'openai-chat/vercel__openai-text.json'; // usage: 16 in, 363 out
  const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt';

  const chat = (key: string, body: object, signal?: AbortSignal) => gateway('/v1/chat/completions', {
    method: 'POST', signal, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

  describe('hardening', () => {
    storeIt('never charges a client that gives up to a member: no breaker, the upstream call cancelled, logged as 499', async () => {
      const cookie = await login();
      // Slow enough that no call is answered before all three reached it and were cancelled; the
      // fourth call (the patient client below) is answered at once instead of after 5 s.
      const late = { json: TEXT_JSON, latencyMs: 5000 };
      const slow = await scenario({ steps: [late, late, late, { json: TEXT_JSON }] });
      // One fault would open the breaker for ten minutes: a client abort must not count as one.
      const r = await routeTo(cookie, [slow], { mode: 'failover', settings: { breakerThreshold: 1, breakerBaseMs: 600_000, breakerCapMs: 600_000 } });
      await Promise.all([0, 1, 2].map(async () => {
        const ac = new AbortController();
        const pending = chat(r.clientKey, { model: r.group }, ac.signal);
        // Every client leaves only once all three calls are upstream: a client that left earlier
        // was never charged anything, and the upstream would count fewer than three cancelled calls
        // (on a busy machine the first call arrived before the other two were sent).
        await until(async () => (await received(slow.id)).length, (n) => n >= 3);
        ac.abort();
        await pending.then((res) => res.arrayBuffer(), () => undefined);
      }));
      // The upstream saw its calls cancelled, not answered.
      const calls = await until(() => received(slow.id), (q) => q.length >= 3 && q.every((x) => x.aborted));
      expect(calls.map((x) => x.aborted)).toEqual([true, true, true]);

      const patient = await chat(r.clientKey, { model: r.group });
      expect(patient.status, await patient.clone().text()).toBe(200);
      const health = (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members;
      for (const m of Object.values(health) as any[]) expect(m.phase).not.toBe('open');

      expect(await h.flush(r.groupId, 4)).toBe(true);
      const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=10`)).json.data;
      expect(logs.map((l: any) => l.status).sort(), JSON.stringify(logs)).toEqual([200, 499, 499, 499]);
      const row = await one(h, 'SELECT sum(requests) AS requests, sum(failures) AS failures FROM stats_hourly WHERE group_name = ?', r.group);
      expect(row!.failures).toBe(0);
    });

    wireIt('logs a stream the client leaves mid-way: status 499, the usage streamed so far, the member not charged', async () => {
      const cookie = await login();
      // The first call trickles (40 ms between events) so the client leaves mid-stream; the check
      // call after it gets the same stream at once (302 events at 40 ms would be 12 s of waiting).
      const up = await scenario({ steps: [{ stream: TEXT_STREAM, split: 'event', gapMs: 40 }, { stream: TEXT_STREAM }] });
      const r = await routeTo(cookie, [up], { mode: 'failover', settings: { breakerThreshold: 1, breakerBaseMs: 600_000 } });
      const ac = new AbortController();
      const res = await chat(r.clientKey, { model: r.group, stream: true }, ac.signal);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('"content":"')) text += new TextDecoder().decode((await reader.read()).value);
      ac.abort();
      await reader.cancel().catch(() => {});

      expect(await h.flush(r.groupId, 1)).toBe(true);
      const log = (await admin(cookie, 'GET', `/logs?group=${r.group}`)).json.data[0];
      expect(log, JSON.stringify(log)).toMatchObject({ status: 499, stream: true });
      expect(log.usage.output).toBeGreaterThan(0);
      const health = (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members;
      for (const m of Object.values(health) as any[]) expect(m.phase).not.toBe('open');
      const next = await chat(r.clientKey, { model: r.group, stream: true });
      expect(next.status).toBe(200);
      expect(await next.text()).toContain('[DONE]');
      expect(await received(up.id)).toHaveLength(2);
    });

    wireIt('refuses an unknown key without reading the body: a body still open gets its 401', async () => {
      // The body sends 256 KB of nesting and then stays open until the answer arrives: a gateway
      // that read the whole body before checking the key would never answer (the test times out).
      let answered!: () => void;
      const gate = new Promise<void>((ok) => (answered = ok));
      let sent = 0;
      const open = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent < 4) {
            sent++;
            controller.enqueue(new TextEncoder().encode('['.repeat(64 * 1024)));
            return;
          }
          await gate;
          controller.close();
        },
      });
      const res = await gateway('/v1/chat/completions', {
        method: 'POST', headers: { authorization: 'Bearer sk-not-a-key', 'content-type': 'application/json' },
        body: open, duplex: 'half',
      } as RequestInit);
      answered();
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('invalid_api_key');
    });

    wireIt('refuses a relay body past 64 MiB sent without a length with a 413 the client reads, in its own format', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const piece = new TextEncoder().encode(' '.repeat(1024 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode(`{"model":"${r.group}","messages":[{"role":"user","content":"`));
          if (sent++ < 66) controller.enqueue(piece);
          else controller.close();
        },
      });
      const res = await gateway('/v1/chat/completions', {
        method: 'POST', headers: { authorization: `Bearer ${r.clientKey}`, 'content-type': 'application/json' }, body, duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      const err = ((await res.json()) as any).error;
      expect(err.message).toMatch(/larger than 67108864 bytes/);
      expect((await received(up.id)).length).toBe(0);
      // The connection is still usable afterwards.
      const next = await chat(r.clientKey, { model: r.group });
      expect(next.status).toBe(200);
      await next.arrayBuffer();
    }, 60_000);

    wireIt('refuses deep nesting from a known key and at the admin login with a 400, before parsing', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const deep = `{"model":"${r.group}","messages":${'['.repeat(500_000)}${']'.repeat(500_000)}}`;
      const res = await gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${r.clientKey}`, 'content-type': 'application/json' }, body: deep });
      expect(res.status).toBe(400);
      const login400 = await gateway('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', ...h.from('10.8.8.8') }, body: `{"password":${'['.repeat(400_000)}${']'.repeat(400_000)}}` });
      expect(login400.status).toBe(400);
      expect(((await login400.json()) as any).error.message).toMatch(/deeper than 100 levels/);
      expect((await received(up.id)).length).toBe(0);
    });

    wireIt('fails over a same-protocol 2xx that is not an answer (an HTML page, garbage), and answers 502 when no member is left', async () => {
      const cookie = await login();
      const html = await scenario({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Welcome to nginx</body></html>' });
      const good = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [html, good], { mode: 'failover', settings: { breakerThreshold: 100 } });
      const res = await chat(r.clientKey, { model: r.group });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).choices[0].message.content.length).toBeGreaterThan(0);
      expect((await received(html.id)).length).toBe(1);

      const alone = await routeTo(cookie, [await scenario({ status: 200, body: 'garbage' })]);
      const bad = await chat(alone.clientKey, { model: alone.group });
      expect(bad.status).toBeGreaterThanOrEqual(502);
      expect(((await bad.json()) as any).error.message).toMatch(/not a openai-chat answer|No upstream channel/);
    });
  });
}
