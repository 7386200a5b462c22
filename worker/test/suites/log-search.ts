/**
 * Searching request logs (`GET /api/v1/logs` filters and paging) and the CSV export
 * (`GET /api/v1/logs.csv`), over traffic made through the fake upstream.
 */
import { describe, expect, it } from 'vitest';
import { tools, type Harness } from './harness';

/** RFC 4180 records of `text` (quoted fields may hold commas, doubled quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field); records.push(record); record = []; field = ''; i++;
    } else field += c;
  }
  expect(field === '' && record.length === 0).toBe(true); // the text ends with a CRLF
  return records;
}

export function logSearchSuite(h: Harness): void {
  const { admin, gateway, login, routeTo, scenario } = tools(h);
  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
  const NASTY = 'down, "really"\nsecond line';

  function chat(key: string, model: string) {
    return gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
  }
  const ids = (r: { json: any }) => (r.json.data as { id: string }[]).map((l) => l.id).sort();

  describe('log search', () => {
    it('filters by text, time, errors, any-attempt channel and status classes; pages with filters; exports CSV', async () => {
      const cookie = await login();
      const start = Date.now() - 1;
      const dead = await scenario({ status: 500, body: { error: { message: 'primary down' } } });
      const good = await scenario({ json: TEXT_JSON });
      const limited = await scenario({ status: 429, headers: { 'retry-after': '60' }, body: { error: { message: 'Rate limit reached' } } });
      const broken = await scenario({ status: 500, body: { error: { message: NASTY } } });
      // A: every request fails over from `dead` to `good`; B answers 429; C fails with a comma, quotes and a newline.
      const a = await routeTo(cookie, [dead, good], { mode: 'failover', settings: { breakerThreshold: 100 } });
      const b = await routeTo(cookie, [limited]);
      const c = await routeTo(cookie, [broken]);
      for (let i = 0; i < 3; i++) expect((await chat(a.clientKey, a.group)).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await chat(b.clientKey, b.group)).status).toBe(429);
      const cStatus = (await chat(c.clientKey, c.group)).status;
      expect(cStatus).toBeGreaterThanOrEqual(500);
      expect(await h.flush(a.groupId, 3)).toBe(true);
      expect(await h.flush(b.groupId, 2)).toBe(true);
      expect(await h.flush(c.groupId, 1)).toBe(true);

      const all = (await admin(cookie, 'GET', `/logs?from=${start}&limit=500`)).json.data as any[];
      const ofA = all.filter((l) => l.groupName === a.group);
      const ofB = all.filter((l) => l.groupName === b.group);
      const ofC = all.filter((l) => l.groupName === c.group);
      expect([ofA.length, ofB.length, ofC.length]).toEqual([3, 2, 1]);
      expect(ofA.every((l) => l.channelId === a.channelIds[1])).toBe(true);
      const idsA = ofA.map((l) => l.id).sort();

      // Channel of any attempt: `dead` only ever failed over, yet its requests are found.
      const [deadCh, goodCh] = a.channelIds;
      expect(ids(await admin(cookie, 'GET', `/logs?channelId=${deadCh}`))).toEqual(idsA);
      expect(ids(await admin(cookie, 'GET', `/logs?channelId=${goodCh}`))).toEqual(idsA);
      // B's second request may find its only channel cooling from the 429 (no attempt, channel 0): not its row then.
      const triedB = ofB.filter((l) => l.attempts.some((x: any) => x.channelId === b.channelIds[0]));
      expect(triedB.length).toBeGreaterThanOrEqual(1);
      expect(ids(await admin(cookie, 'GET', `/logs?channelId=${b.channelIds[0]}`))).toEqual(triedB.map((l) => l.id).sort());

      // Status lists and classes.
      expect(ids(await admin(cookie, 'GET', `/logs?group=${b.group}&status=4xx`))).toHaveLength(2);
      expect(ids(await admin(cookie, 'GET', `/logs?group=${b.group}&status=429`))).toHaveLength(2);
      expect(ids(await admin(cookie, 'GET', `/logs?group=${b.group}&status=200,5xx`))).toHaveLength(0);
      const mixed = (await admin(cookie, 'GET', `/logs?from=${start}&status=${cStatus},4xx&limit=500`)).json.data as any[];
      expect(mixed.every((l) => l.status === cStatus || (l.status >= 400 && l.status < 500))).toBe(true);
      expect(mixed.map((l) => l.id)).toEqual(expect.arrayContaining([...ofB, ...ofC].map((l) => l.id)));
      expect(mixed.some((l) => l.groupName === a.group)).toBe(false);
      for (const bad of ['abc', '6xx', '42', '4xx,,5xx']) expect((await admin(cookie, 'GET', `/logs?status=${bad}`)).status).toBe(400);

      // Errors only.
      const errs = (await admin(cookie, 'GET', `/logs?from=${start}&errors=1&limit=500`)).json.data as any[];
      expect(errs.some((l) => l.groupName === a.group)).toBe(false);
      expect(errs.map((l) => l.id)).toEqual(expect.arrayContaining([...ofB, ...ofC].map((l) => l.id)));
      expect(ids(await admin(cookie, 'GET', `/logs?group=${a.group}&errors=0`))).toEqual(idsA);

      // Free text: group name in any case, a request id exactly, part of an error; wildcards are literal.
      expect(ids(await admin(cookie, 'GET', `/logs?q=${encodeURIComponent(a.group.toUpperCase())}`))).toEqual(idsA);
      expect(ids(await admin(cookie, 'GET', `/logs?q=${idsA[0]}`))).toEqual([idsA[0]]);
      expect(ids(await admin(cookie, 'GET', `/logs?q=${encodeURIComponent('DOWN, "REALLY"')}&from=${start}`))).toEqual([ofC[0].id]);
      expect(ids(await admin(cookie, 'GET', `/logs?q=${encodeURIComponent(a.group.replace('-', '_'))}`))).toEqual([]);
      expect(ids(await admin(cookie, 'GET', `/logs?q=${encodeURIComponent(a.group.slice(0, 8) + '%')}&from=${start}`))).toEqual([]);
      expect((await admin(cookie, 'GET', `/logs?q=${'x'.repeat(201)}`)).status).toBe(400);

      // Time range: [from, to).
      const t = ofA[1].time;
      expect(ids(await admin(cookie, 'GET', `/logs?group=${a.group}&to=${start}`))).toEqual([]);
      expect(ids(await admin(cookie, 'GET', `/logs?group=${a.group}&from=${t}&to=${t + 1}`))).toContain(ofA[1].id);
      expect(ids(await admin(cookie, 'GET', `/logs?group=${a.group}&from=${t + 1}`))).not.toContain(ofA[1].id);

      // Paging with filters: 2 + 1 rows, none twice, none lost.
      const p1 = (await admin(cookie, 'GET', `/logs?channelId=${deadCh}&status=2xx&limit=2`)).json;
      expect(p1.data).toHaveLength(2);
      expect(p1.nextId).toBe(p1.data[1].id);
      const p2 = (await admin(cookie, 'GET', `/logs?channelId=${deadCh}&status=2xx&limit=2&before=${p1.next}&beforeId=${p1.nextId}`)).json;
      expect(p2.data).toHaveLength(1);
      expect(p2.next).toBeNull();
      expect([...p1.data, ...p2.data].map((l: any) => l.id).sort()).toEqual(idsA);

      // CSV: same filters, attachment, RFC 4180 quoting, one record per log.
      const csvRes = await gateway(`/api/v1/logs.csv?from=${start}&errors=1&q=${encodeURIComponent(c.group)}`, { headers: { cookie } });
      expect(csvRes.status).toBe(200);
      expect(csvRes.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csvRes.headers.get('content-disposition')).toMatch(/^attachment; filename="logs-.*\.csv"$/);
      const text = await csvRes.text();
      expect(text).toContain('""really""');
      const records = parseCsv(text);
      const header = records[0]!;
      expect(header.slice(0, 3)).toEqual(['id', 'time', 'time_ms']);
      expect(records).toHaveLength(2);
      const row = Object.fromEntries(header.map((k, i) => [k, records[1]![i]]));
      expect(row).toMatchObject({ id: ofC[0].id, group: c.group, status: String(cStatus), ok: 'false' });
      expect(row.error).toContain(NASTY);
      const csvA = parseCsv(await (await gateway(`/api/v1/logs.csv?channelId=${deadCh}`, { headers: { cookie } })).text());
      expect(csvA.slice(1).map((r) => r[0]).sort()).toEqual(idsA);
      expect(csvA[1]![header.indexOf('attempted_channel_ids')]).toBe(`${deadCh} ${goodCh}`);
      expect((await gateway('/api/v1/logs.csv?status=nope', { headers: { cookie } })).status).toBe(400);
      expect((await gateway('/api/v1/logs.csv')).status).toBe(401);
    }, 120_000);
  });
}
