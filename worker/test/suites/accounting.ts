/**
 * Request logs and hourly stats: every request recorded once, with tokens, statuses and attempts,
 * flushed from the group state holder to the database; log retention by the daily cron.
 */
import { describe, expect, it } from 'vitest';
import { one, tools, uid, until, type Harness } from './harness';

export function accountingSuite(h: Harness): void {
  const { admin, gateway, login, routeTo, scenario } = tools(h);

  const TEXT_JSON = 'openai-chat/vercel__openai-text.json'; // usage: 16 in, 363 out
  const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt'; // usage: 16 in, 300 out

  function chat(key: string, body: object) {
    return gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }) });
  }

  async function totals(group: string) {
    return (await one(h, 'SELECT count(*) AS n_rows, sum(requests) AS requests, sum(successes) AS successes, sum(failures) AS failures, sum(input_tokens) AS input, sum(output_tokens) AS output FROM stats_hourly WHERE group_name = ?', group))!;
  }

  async function logCount(group: string) {
    return (await one(h, 'SELECT count(*) AS n FROM request_logs WHERE group_name = ?', group))!.n;
  }

  describe('request logs and stats', () => {
    it('records every request once, with tokens, statuses and attempts, flushed by the alarm', async () => {
      const cookie = await login();
      const flaky = await scenario({ status: 500, body: 'down' });
      const good = await scenario({ json: TEXT_JSON, stream: TEXT_STREAM });
      const r = await routeTo(cookie, [flaky, good], { mode: 'failover', settings: { breakerThreshold: 100 } });
      for (let i = 0; i < 3; i++) expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
      const s = await chat(r.clientKey, { model: r.group, stream: true });
      expect(s.status).toBe(200);
      await s.text();
      // A client fault still leaves a log row.
      expect((await chat(r.clientKey, { model: r.group, messages: 'not-an-array' })).status).toBe(400); // rejected before any group: not logged here
      expect(await h.flush(r.groupId, 4)).toBe(true);

      expect(await logCount(r.group)).toBe(4);
      const t = await totals(r.group);
      expect(t).toMatchObject({ requests: 4, successes: 4, input: 16 * 4, output: 363 * 3 + 300 });
      // Each request first failed on the flaky channel: 4 failures on its row, none on the good one's.
      const flakyRow = await one(h, 'SELECT requests, failures FROM stats_hourly WHERE group_name = ? AND channel_id = ?', r.group, r.channelIds[0]);
      expect(flakyRow).toEqual({ requests: 0, failures: 4 });

      const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=10`)).json;
      expect(logs.data).toHaveLength(4);
      const streamed = logs.data.find((l: any) => l.stream);
      expect(streamed).toMatchObject({ status: 200, channelId: r.channelIds[1], protocolIn: 'openai-chat', protocolOut: 'openai-chat', usage: { input: 16, output: 300 } });
      expect(streamed.attempts.map((a: any) => a.status)).toEqual([500, 200]);
      expect(streamed.ttftMs).toBeGreaterThanOrEqual(0);
      const single = (await admin(cookie, 'GET', `/logs/${streamed.id}`)).json;
      expect(single.id).toBe(streamed.id);
      const summary = (await admin(cookie, 'GET', '/stats/summary')).json;
      expect(summary.total.requests).toBeGreaterThanOrEqual(4);
      const now = Date.now();
      const byChannel = (await admin(cookie, 'GET', `/stats?from=${now - 86_400_000}&to=${now + 3_600_000}&bucket=day&by=channel`)).json.data;
      const goodRow = byChannel.find((x: any) => x.key === String(r.channelIds[1]));
      expect(goodRow).toMatchObject({ requests: 4, successes: 4, inputTokens: 64, outputTokens: 363 * 3 + 300 });
      expect(goodRow.bucket % 86_400_000).toBe(0);
      const byGroup = (await admin(cookie, 'GET', `/stats?from=${now - 86_400_000}&to=${now + 3_600_000}&by=group`)).json.data;
      expect(byGroup.filter((x: any) => x.key === r.group).reduce((n: number, x: any) => n + x.requests, 0)).toBe(4);
      expect((await admin(cookie, 'GET', '/stats?from=10&to=5')).status).toBe(400);
      // The key reads its own usage.
      const usage = (await (await gateway('/v1/usage', { headers: { authorization: `Bearer ${r.clientKey}` } })).json()) as any;
      expect(usage.today).toMatchObject({ requests: 4, inputTokens: 64, outputTokens: 363 * 3 + 300 });
      expect(usage.total.requests).toBe(4);
      expect((await gateway('/v1/usage')).status).toBe(401);
      expect((await admin(cookie, 'GET', '/stats?from=0&to=5&by=colour')).status).toBe(400);
    });

    it('records a request no channel could serve, with every attempt', async () => {
      const cookie = await login();
      const a = await scenario({ status: 502, body: 'x' });
      const b = await scenario({ status: 503, body: 'y' });
      const r = await routeTo(cookie, [a, b], { mode: 'failover' });
      expect((await chat(r.clientKey, { model: r.group })).status).toBe(503);
      await h.flush(r.groupId, 1);
      const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}`)).json.data;
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({ status: 503, ok: false, channelId: r.channelIds[1] });
      expect(logs[0].attempts.map((x: any) => x.status)).toEqual([502, 503]);
      expect(await totals(r.group)).toMatchObject({ requests: 1, successes: 0, failures: 2 });
    });

    it('an upstream error after the finish reason fails the request: its usage counted, the client told in its protocol (issue 13 item 7)', async () => {
      const cookie = await login();
      // OpenRouter's shape: the content, finish_reason, then an error chunk carrying the usage.
      const base = { id: 'gen-1', object: 'chat.completion.chunk', created: 1700000000, model: 'upstream/model' };
      const sse = [
        { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { content: ' world' }, finish_reason: 'stop' }] },
        { ...base, error: { code: 502, message: 'Provider returned error' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }], usage: { prompt_tokens: 21, completion_tokens: 34, total_tokens: 55 } },
      ].map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';
      const r = await routeTo(cookie, [await scenario({ body: sse, headers: { 'content-type': 'text/event-stream' } })]);

      // Converted: a Responses client gets `error` and `response.failed`, never `response.completed`.
      const converted = await gateway('/v1/responses', {
        method: 'POST', headers: { authorization: `Bearer ${r.clientKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: r.group, input: 'hi', stream: true }),
      });
      const convertedText = await converted.text();
      expect(converted.status).toBe(200);
      expect(convertedText).toContain('event: error');
      expect(convertedText).toContain('event: response.failed');
      expect(convertedText).not.toContain('response.completed');
      // Same protocol: the bytes as the upstream sent them, error chunk included.
      const same = await chat(r.clientKey, { model: r.group, stream: true });
      expect(await same.text()).toContain('Provider returned error');

      expect(await h.flush(r.groupId, 2)).toBe(true);
      const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=10`)).json.data;
      expect(logs).toHaveLength(2);
      for (const protocolIn of ['openai-responses', 'openai-chat']) {
        const log = logs.find((l: any) => l.protocolIn === protocolIn);
        expect(log, protocolIn).toMatchObject({ ok: false, stream: true, usage: { input: 21, output: 34 } });
        expect(log.error).toContain('Provider returned error');
      }
      expect(await totals(r.group)).toMatchObject({ requests: 2, successes: 0, input: 42, output: 68 });
    });

    it('logs requests refused before any group: unknown model and bad body per request, a bad key aggregated', async () => {
      const cookie = await login();
      const r = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
      const unknown = `nope-${Date.now()}`;
      expect((await chat('sk-oe-wrong', { model: unknown })).status).toBe(401);
      expect((await chat(r.clientKey, { model: unknown })).status).toBe(404);
      expect((await chat(r.clientKey, { model: unknown, messages: 'x' })).status).toBe(400);
      expect(await h.flush(0, 3)).toBe(true); // group 0: requests refused before any group
      const rows = await h.query('SELECT status, api_key_id AS key_id, error FROM request_logs WHERE group_name = ? ORDER BY status', unknown);
      expect(rows.map((x) => x.status)).toEqual([400, 404]);
      expect(rows.find((x) => x.status === 404)!.key_id).toBe(r.keyId);
    });

    it('aggregates requests refused before authentication: one stats row per reason, a capped log, no bodies, no group names', async () => {
      const cookie = await login();
      await admin(cookie, 'PUT', '/settings', { logBodies: true });
      try {
        // Windows opened by earlier tests close first (AGGREGATE_WINDOW_MS is 2 s).
        await new Promise((ok) => setTimeout(ok, 2_500));
        await h.flush(0, 0);
        const before = await h.query("SELECT COALESCE(SUM(requests), 0) AS n, COALESCE(SUM(failures), 0) AS f FROM stats_hourly WHERE group_name = '' AND upstream_model = 'invalid_api_key'");
        const logsBefore = (await h.query("SELECT COUNT(*) AS n FROM request_logs WHERE status = 401"))[0]!.n as number;
        const tag = `probe-${uid()}`;
        const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => chat(`sk-oe-bad-${i}`, { model: `${tag}-${i}` }).then((res) => res.status)));
        expect(statuses.every((s) => s === 401)).toBe(true);
        // A window's record is handed over AGGREGATE_WINDOW_MS (2 s) after it opened; on a busy
        // machine the 200 refusals can span two windows, so flush until all 200 are counted.
        const counted = async () => {
          await h.flush(0, 0);
          return h.query("SELECT COALESCE(SUM(requests), 0) AS n, COALESCE(SUM(failures), 0) AS f FROM stats_hourly WHERE group_name = '' AND upstream_model = 'invalid_api_key'");
        };
        const after = await until(counted, (rows) => Number(rows[0]!.n) - Number(before[0]!.n) >= 200, 300);
        expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(200);
        expect(Number(after[0]!.f) - Number(before[0]!.f)).toBe(200);
        const logs = await h.query("SELECT request_body AS body, group_name AS g FROM request_logs WHERE status = 401");
        expect(logs.length - logsBefore).toBeLessThanOrEqual(3);
        expect(logs.every((x) => x.body === null && x.g === '')).toBe(true);
        expect(await h.query('SELECT group_name FROM stats_hourly WHERE group_name LIKE ?', `${tag}%`)).toEqual([]);
        expect(await h.query('SELECT group_name FROM request_logs WHERE group_name LIKE ?', `${tag}%`)).toEqual([]);
      } finally {
        await admin(cookie, 'PUT', '/settings', { logBodies: false });
      }
    });

    it('answers /stats filtered to one client key or one group, by model per bucket (issue 15 item 6)', async () => {
      const cookie = await login();
      // Hours of their own in the past, so no other test's rows land in them.
      const hour = (300_000 + Math.floor(Math.random() * 100_000)) * 3_600_000;
      const [g1, g2] = [`spend-${uid()}`, `spend-${uid()}`];
      const keyA = 900_000 + Math.floor(Math.random() * 90_000);
      const keyB = keyA + 1;
      const row = (at: number, group: string, key: number, model: string, requests: number, cost: number) => h.exec(
        'INSERT INTO stats_hourly (hour, group_name, channel_id, upstream_model, api_key_id, requests, successes, failures, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_nano_usd, latency_ms_total, ttft_ms_total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        at, group, 1, model, key, requests, requests, 0, 0, 0, 0, 0, 0, cost, 0, 0);
      await row(hour, g1, keyA, 'm-a', 1, 1_000_000_000);
      await row(hour, g1, keyA, 'm-b', 2, 2_000_000_000);
      await row(hour, g2, keyA, 'm-a', 4, 4_000_000_000);
      await row(hour, g1, keyB, 'm-a', 8, 8_000_000_000);
      await row(hour + 3_600_000, g1, keyA, 'm-b', 16, 16_000_000_000);
      const range = `from=${hour}&to=${hour + 7_200_000}&bucket=hour&by=model`;
      const pick = (data: any[]) => data.map((r) => [r.bucket - hour, r.key, r.requests, r.costUsd]);

      const byKey = await admin(cookie, 'GET', `/stats?${range}&keyId=${keyA}`);
      expect(byKey.status).toBe(200);
      expect(byKey.json).toMatchObject({ keyId: keyA, group: null, by: 'model' });
      expect(pick(byKey.json.data)).toEqual([[0, 'm-a', 5, 5], [0, 'm-b', 2, 2], [3_600_000, 'm-b', 16, 16]]);

      const byGroup = await admin(cookie, 'GET', `/stats?${range}&group=${g1}`);
      expect(byGroup.json).toMatchObject({ keyId: null, group: g1 });
      expect(pick(byGroup.json.data)).toEqual([[0, 'm-a', 9, 9], [0, 'm-b', 2, 2], [3_600_000, 'm-b', 16, 16]]);

      const both = await admin(cookie, 'GET', `/stats?${range}&keyId=${keyA}&group=${g2}`);
      expect(pick(both.json.data)).toEqual([[0, 'm-a', 4, 4]]);
      expect((await admin(cookie, 'GET', `/stats?${range}&group=${g1}-none`)).json.data).toEqual([]);
      // Unfiltered, the same range holds all of them.
      const all = (await admin(cookie, 'GET', `/stats?from=${hour}&to=${hour + 7_200_000}&bucket=day`)).json.data;
      expect(all.reduce((n: number, r: any) => n + r.requests, 0)).toBe(31);

      for (const bad of ['keyId=0', 'keyId=abc', 'keyId=-1', 'group=']) {
        const res = await admin(cookie, 'GET', `/stats?${range}&${bad}`);
        expect(res.status, bad).toBe(400);
        expect(res.json.error.code).toBe('invalid_request');
      }
    });

    it('answers /stats/summary with one `total` shape on every home: the same keys, numbers, zeros on an empty range (issue 16 item 7)', async () => {
      const cookie = await login();
      // An hour of its own, in the past, so no other test's rows land in it; sums past 2^32 come
      // back as DECIMAL/NUMERIC strings from MySQL and PostgreSQL and must still be numbers.
      const hour = (200_000 + Math.floor(Math.random() * 100_000)) * 3_600_000;
      const row = (channelId: number, v: number[]) => h.exec(
        'INSERT INTO stats_hourly (hour, group_name, channel_id, upstream_model, api_key_id, requests, successes, failures, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_nano_usd, latency_ms_total, ttft_ms_total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        hour, `shape-${uid()}`, channelId, 'm', 0, ...v); // key 0: no client key's all-time usage moves
      await row(1, [3, 3, 1, 3_000_000_000, 10, 20, 300, 40, 3_000_000_000, 900, 300]);
      await row(2, [2, 1, 1, 1_000_000_001, 5, 0, 200, 0, 4_000_000_001, 600, 0]);
      const counters = {
        requests: 5, successes: 4, failures: 2, inputTokens: 4_000_000_001, cacheReadTokens: 15, cacheWriteTokens: 20,
        outputTokens: 500, reasoningTokens: 40, costNanoUsd: 7_000_000_001, latencyMsTotal: 1500, ttftMsTotal: 300,
      };
      const full = await admin(cookie, 'GET', `/stats/summary?from=${hour}&to=${hour + 3_600_000}`);
      expect(full.status).toBe(200);
      // Rows written without the breakdown columns (as before their migration) are "untracked".
      const breakdownZeros = { attempts: 0, failedAttempts: 0, clientErrors: 0, upstreamErrors: 0, rescues: 0 };
      const untracked = { untrackedRequests: 5, untrackedSuccesses: 4, untrackedFailures: 2 };
      const noAttempts = { total: 0, failed: 0, absorbed: 0 };
      expect(full.json).toStrictEqual({
        from: hour, to: hour + 3_600_000,
        total: { hour, ...counters, ...breakdownZeros, ...untracked, costUsd: 7.000000001, successRate: 0.8 },
        hours: [{ hour, ...counters, ...breakdownZeros, ...untracked, costUsd: 7.000000001, successRate: 0.8 }],
        breakdown: { requests: { total: 5, succeeded: 0, rescued: 0, failed: 0, clientErrors: 0, upstreamErrors: 0, clientClosed: 0, untracked: 5 }, attempts: noAttempts },
        channels: [
          { channelId: 1, requests: 3, successes: 3, attempts: 0, failedAttempts: 0, everyAttemptFailed: false },
          { channelId: 2, requests: 2, successes: 1, attempts: 0, failedAttempts: 0, everyAttemptFailed: false },
        ],
      });

      // No rows in range: the same keys, zeros, successRate null (no requests to divide by).
      const from = hour - 3_600_000;
      const empty = await admin(cookie, 'GET', `/stats/summary?from=${from}&to=${hour}`);
      const zeros = Object.fromEntries(Object.keys({ ...counters, ...breakdownZeros, ...untracked }).map((k) => [k, 0]));
      expect(empty.json).toStrictEqual({
        from, to: hour, total: { hour: from, ...zeros, costUsd: 0, successRate: null }, hours: [],
        breakdown: { requests: { total: 0, succeeded: 0, rescued: 0, failed: 0, clientErrors: 0, upstreamErrors: 0, clientClosed: 0, untracked: 0 }, attempts: noAttempts },
        channels: [],
      });

      // Real traffic, flushed by the gateway itself: the same keys, every value a number.
      const r = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
      expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
      expect(await h.flush(r.groupId, 1)).toBe(true);
      const today = (await admin(cookie, 'GET', '/stats/summary')).json;
      expect(Object.keys(today.total).sort()).toEqual(Object.keys(full.json.total).sort());
      for (const [k, v] of Object.entries(today.total)) expect(typeof v, k).toBe('number');
      expect(today.total.hour).toBe(today.from);
      for (const hr of today.hours) expect(Object.keys(hr).sort()).toEqual(Object.keys(full.json.total).sort());
    });

    it('with bodies on, a converted request logs what the channel was sent and its stream assembled (issue 15 item 4)', async () => {
      const cookie = await login();
      await admin(cookie, 'PUT', '/settings', { logBodies: true });
      try {
        const up = await scenario({ json: 'anthropic/vercel__anthropic-text.json', stream: 'anthropic/vercel__anthropic-text.chunks.txt' });
        const r = await routeTo(cookie, [up], { channelType: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
        const res = await chat(r.clientKey, { model: r.group, stream: true, messages: [{ role: 'user', content: 'convert me' }] });
        expect(res.status).toBe(200);
        // What the OpenAI client assembled from the converted stream.
        let clientText = '';
        for (const line of (await res.text()).split('\n')) {
          if (!line.startsWith('data: {')) continue;
          clientText += JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? '';
        }
        expect(clientText.length).toBeGreaterThan(0);
        expect(await h.flush(r.groupId, 1)).toBe(true);

        const list = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=5`)).json.data;
        expect(list).toHaveLength(1);
        expect(list[0]).not.toHaveProperty('upstreamRequestBody');
        const log = (await admin(cookie, 'GET', `/logs/${list[0].id}`)).json;
        expect(JSON.parse(log.requestBody)).toMatchObject({ model: r.group, stream: true });
        // The Anthropic Messages body the channel got, not the client's Chat body.
        const sent = JSON.parse(log.upstreamRequestBody);
        expect(sent).toMatchObject({ model: 'claude-sonnet-4-5', stream: true, messages: [{ role: 'user' }] });
        expect(typeof sent.max_tokens).toBe('number');
        expect(JSON.stringify(sent.messages)).toContain('convert me');
        // The client's stream, read back: the text the client got, finished.
        expect(log.responseAssembled).toMatchObject({ text: clientText, incomplete: false, toolCalls: [] });
        expect(log.responseAssembled.finishReason).toBe('stop');
      } finally {
        await admin(cookie, 'PUT', '/settings', { logBodies: false });
      }
    });

    it('keeps requests apart from upstream attempts in /stats/summary: client errors, upstream faults, rescues, a channel failing every attempt (issue 15 item 2)', async () => {
      const cookie = await login();
      // All time, so an hour turning during the test moves nothing; other tests of this file run before or after, never meanwhile.
      const summary = async () => (await admin(cookie, 'GET', `/stats/summary?from=0&to=${Date.now() + 3_600_000}`)).json;
      // Windows of bad-key refusals opened by earlier tests close first (AGGREGATE_WINDOW_MS is 2 s).
      await new Promise((ok) => setTimeout(ok, 2_500));
      await h.flush(0, 0);
      const before = await summary();

      const flaky = await scenario({ status: 500, body: 'down' });
      const good = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [flaky, good], { mode: 'failover', settings: { breakerThreshold: 100 } });
      for (let i = 0; i < 3; i++) expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
      const down = await routeTo(cookie, [await scenario({ status: 502, body: 'x' })]);
      expect((await chat(down.clientKey, { model: down.group })).status).toBe(502);
      expect((await chat('sk-oe-wrong', { model: r.group })).status).toBe(401);
      expect((await chat(r.clientKey, { model: `nope-${uid()}` })).status).toBe(404);
      expect(await h.flush(r.groupId, 3)).toBe(true);
      expect(await h.flush(down.groupId, 1)).toBe(true);
      // The unknown model at once; the bad key when its 2 s aggregation window closes.
      const after = await until(async () => {
        await h.flush(0, 0);
        return summary();
      }, (s) => s.breakdown.requests.clientErrors - before.breakdown.requests.clientErrors >= 2, 60);

      const diff = (k: 'requests' | 'attempts') => Object.fromEntries(Object.entries(after.breakdown[k]).map(([f, v]) => [f, (v as number) - before.breakdown[k][f]]));
      expect(diff('requests')).toEqual({ total: 6, succeeded: 3, rescued: 3, failed: 3, clientErrors: 2, upstreamErrors: 1, clientClosed: 0, untracked: 0 });
      expect(diff('attempts')).toEqual({ total: 7, failed: 4, absorbed: 3 });
      // Failover hid the flaky channel from the request counts, not from its own attempts.
      const channel = (id: number) => after.channels.find((c: { channelId: number }) => c.channelId === id);
      expect(channel(r.channelIds[0]!)).toEqual({ channelId: r.channelIds[0]!, requests: 0, successes: 0, attempts: 3, failedAttempts: 3, everyAttemptFailed: true });
      expect(channel(r.channelIds[1]!)).toEqual({ channelId: r.channelIds[1]!, requests: 3, successes: 3, attempts: 3, failedAttempts: 0, everyAttemptFailed: false });
      expect(channel(down.channelIds[0]!)).toMatchObject({ requests: 1, successes: 0, attempts: 1, failedAttempts: 1, everyAttemptFailed: true });
      expect(after.channels.some((c: { channelId: number }) => c.channelId === 0)).toBe(false);
    });

    it('keeps request logs for the retention set, deleted by the daily cron', async () => {
      const cookie = await login();
      expect((await admin(cookie, 'GET', '/settings')).json).toEqual({ logRetentionDays: 30, statsSaveIntervalSeconds: 60, logBodies: false, logBodyMaxBytes: 65536, priceSyncIntervalHours: 6, modelSyncIntervalHours: 1, proxy: null });
      expect((await admin(cookie, 'PUT', '/settings', { logRetentionDays: 0 })).status).toBe(400);
      expect((await admin(cookie, 'PUT', '/settings', { logRetentionDays: 2 })).json).toMatchObject({ logRetentionDays: 2, statsSaveIntervalSeconds: 60 });
      const old = Date.now() - 3 * 86_400_000;
      // `attempts` given: MySQL has no default for a TEXT column.
      await h.exec("INSERT INTO request_logs (id, \"time\", protocol_in, status, attempts) VALUES ('old-log', ?, 'openai-chat', 200, '[]'), ('new-log', ?, 'openai-chat', 200, '[]')", old, Date.now());
      await h.cron('30 3 * * *');
      const ids = (await h.query("SELECT id FROM request_logs WHERE id IN ('old-log', 'new-log')")).map((x) => x.id);
      expect(ids).toEqual(['new-log']);
      await admin(cookie, 'PUT', '/settings', { logRetentionDays: 30 });
    });
  });
}
