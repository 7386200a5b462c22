/**
 * The live tail of request logs (`GET /api/v1/logs/tail`, admin/log-tail.ts): with a stats save
 * interval of an hour, requests made through the fake upstream arrive as `log` events while their
 * records are still in the group holders (none in the database yet), each once, in the shape of a
 * `GET /api/v1/logs` row; a flush does not send them again; the group and errors filters hold; and
 * a client that goes away stops the tail's holder reads.
 */
import { MAX_OPEN_TAILS, TAIL_POLL_MS } from '../../src/admin/log-tail';
import { describe, expect, it } from 'vitest';
import { tools, until, type Harness } from './harness';

/** One server-sent event. */
interface SseEvent {
  event: string;
  data: string;
}

/** Reads an event stream in the background: `events` grows as they come; `close()` cancels the body. */
function readEvents(res: Response) {
  const events: SseEvent[] = [];
  let comments = 0;
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const done = (async () => {
    for (;;) {
      const { value, done: end } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (end) return;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments++;
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) events.push({ event, data: data.join('\n') });
      }
    }
  })();
  return {
    events,
    comments: () => comments,
    logs: () => events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data)),
    close: async () => {
      await reader.cancel().catch(() => undefined);
      await done;
    },
  };
}

export function logTailSuite(h: Harness): void {
  const { admin, gateway, login, routeTo, scenario } = tools(h);
  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
  const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

  function chat(key: string, model: string) {
    return gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
  }

  describe('log tail', () => {
    it('sends each request log once, before its flush, honours group and errors filters, and stops reading when the client goes away', async () => {
      const cookie = await login();
      const before = (await admin(cookie, 'GET', '/settings')).json.statsSaveIntervalSeconds;
      expect((await admin(cookie, 'PUT', '/settings', { statsSaveIntervalSeconds: 3600 })).status).toBe(200);
      try {
        const good = await scenario({ json: TEXT_JSON });
        const bad = await scenario({ status: 500, body: { error: { message: 'tail upstream down' } } });
        const a = await routeTo(cookie, [good]);
        const b = await routeTo(cookie, [bad], { settings: { breakerThreshold: 100 } });

        const open = (query = '') => h.fetch(`/api/v1/logs/tail${query}`, { headers: { cookie } });
        expect((await h.fetch('/api/v1/logs/tail')).status).toBe(401);
        expect((await open('?status=abc')).status).toBe(400);
        const res = await open();
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const all = readEvents(res);
        const onlyB = readEvents(await open(`?group=${b.group}&errors=1`));
        // The stream is open (its first comment arrived) before any request is made.
        await until(async () => all.comments(), (n) => n > 0, 100);
        expect(all.comments()).toBeGreaterThan(0);

        for (let i = 0; i < 3; i++) expect((await chat(a.clientKey, a.group)).status).toBe(200);
        expect((await chat(b.clientKey, b.group)).status).toBeGreaterThanOrEqual(500);
        const unknownModel = `no-such-model-tail-${Date.now()}`;
        expect((await chat(a.clientKey, unknownModel)).status).toBe(404);

        const ofGroup = (g: string) => all.logs().filter((l) => l.groupName === g);
        await until(async () => [ofGroup(a.group).length, ofGroup(b.group).length, ofGroup(unknownModel).length], (n) => n[0]! >= 3 && n[1]! >= 1 && n[2]! >= 1, 150);
        expect([ofGroup(a.group).length, ofGroup(b.group).length, ofGroup(unknownModel).length]).toEqual([3, 1, 1]);
        // Seen before any flush: none of them is in the database yet.
        const stored = await h.query('select count(*) as n from request_logs where group_name in (?, ?, ?)', a.group, b.group, unknownModel);
        expect(stored[0]!.n).toBe(0);
        expect(ofGroup(b.group)[0]).toMatchObject({ status: expect.any(Number), ok: false, hasBodies: false, costUsd: 0 });
        expect(ofGroup(a.group).every((l) => l.status === 200 && l.ok === true && l.usage.output > 0)).toBe(true);

        // The filtered tail: only group B's failure (nor A's rows, nor the unrouted one).
        await until(async () => onlyB.logs().length, (n) => n >= 1, 100);
        expect(onlyB.logs().map((l) => l.groupName)).toEqual([b.group]);

        // Flushed now: the same rows in the database, not sent again; the event had the row's shape.
        expect(await h.flush(a.groupId, 3)).toBe(true);
        const rows = (await admin(cookie, 'GET', `/logs?group=${a.group}`)).json.data as any[];
        expect(rows.map((r) => r.id).sort()).toEqual(ofGroup(a.group).map((l) => l.id).sort());
        for (const row of rows) expect(ofGroup(a.group).find((l) => l.id === row.id)).toEqual(row);
        // More polls read the flushed rows from the database: still once each. Each poll reads A's
        // holder once (the filtered tail never reads it), so two more holder reads mean at least one
        // whole poll began after the flush: wait for that (state), not for a fixed 2.5 s.
        const r0 = await h.pendingReads(a.groupId);
        const r1 = await until(() => h.pendingReads(a.groupId), (n) => n >= r0 + 2, 100);
        expect(r1 - r0).toBeGreaterThanOrEqual(2);
        const ids = all.logs().map((l) => l.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ofGroup(a.group)).toHaveLength(3);

        // No more holder reads once the client went away (one poll may have been under way). An
        // absence needs a window: two and a half poll intervals (TAIL_POLL_MS), so an open tail
        // would have read the holder at least twice in it.
        await all.close();
        await onlyB.close();
        await sleep(300);
        const r2 = await h.pendingReads(a.groupId);
        await sleep(2.5 * TAIL_POLL_MS);
        expect((await h.pendingReads(a.groupId)) - r2).toBeLessThanOrEqual(1);
      } finally {
        await admin(cookie, 'PUT', '/settings', { statsSaveIntervalSeconds: before });
      }
    });

    it('refuses a tail past MAX_OPEN_TAILS with a 429 in the admin format, and opens one again once a tail closed', async () => {
      const cookie = await login();
      const open = () => h.fetch('/api/v1/logs/tail', { headers: { cookie } });
      const tails = [];
      try {
        for (let i = 0; i < MAX_OPEN_TAILS; i++) {
          const res = await open();
          expect(res.status).toBe(200);
          tails.push(readEvents(res));
        }
        const refused = await open();
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('5');
        expect(((await refused.json()) as { error: unknown }).error).toMatchObject({ code: 'too_many_tails', message: expect.stringContaining(`${MAX_OPEN_TAILS} live tails`) });
        await tails.pop()!.close();
        // The closed tail leaves the count once its stream has noticed the cancel.
        const again = await until(async () => {
          const res = await open();
          if (res.status !== 200) await res.body?.cancel();
          return res;
        }, (res) => res.status === 200, 100);
        expect(again.status).toBe(200);
        tails.push(readEvents(again));
      } finally {
        for (const t of tails) await t.close();
      }
    });
  });
}
