/**
 * Scheduled channel health checks (issue 14.6) through the cron, the admin API and the relay: a
 * channel that fails its check N times in a row is skipped by routing, comes back after a pass,
 * its history is kept, its interval respected, keys rotate, and nothing is billed to a client key.
 */
import { describe, expect, it } from 'vitest';
import { CRON_HEALTH } from '../../src/sync/jobs';
import { one, tools, uid, type Harness } from './harness';

export function healthChecksSuite(h: Harness): void {
  const { admin, gateway, login, received, scenario } = tools(h);

  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
  const MODEL = 'gpt-4.1-nano';

  function chat(key: string, model: string) {
    return gateway('/v1/chat/completions', {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  }

  /** Makes the channel's last check look `minutes` older, so its interval has passed. */
  async function age(channelId: number, minutes: number) {
    const row = await one(h, 'SELECT health_state AS s FROM channels WHERE id = ?', channelId);
    const state = JSON.parse(row!.s);
    state.lastAt -= minutes * 60_000;
    await h.exec('UPDATE channels SET health_state = ? WHERE id = ?', JSON.stringify(state), channelId);
  }

  async function channel(cookie: string, baseUrl: string, extra: object = {}) {
    const res = await admin(cookie, 'POST', '/channels', {
      name: `hc-${uid()}`, type: 'openai-chat', baseUrl: `${baseUrl}/v1`, models: [MODEL], ...extra,
    });
    if (res.status !== 201) throw new Error(`channel: ${JSON.stringify(res.json)}`);
    return res.json;
  }

  async function group(cookie: string, members: { channelId: number; priority?: number }[]) {
    const name = `hc-model-${uid()}`;
    const g = await admin(cookie, 'POST', '/groups', { name, mode: 'failover', members: members.map((m) => ({ ...m, upstreamModel: MODEL })) });
    if (g.status !== 201) throw new Error(`group: ${JSON.stringify(g.json)}`);
    return { name, id: g.json.id as number };
  }

  describe('scheduled channel health checks', () => {
    it('takes a channel out of routing after N failed checks and brings it back after a pass, unbilled', async () => {
      const cookie = await login();
      const bad = await scenario({ status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } });
      const backup = await scenario({ json: TEXT_JSON });
      const [keyA, keyB] = [`sk-check-a-${uid()}`, `sk-check-b-${uid()}`];
      const a = await channel(cookie, bad.baseUrl, { keys: [keyA, keyB], healthCheck: { enabled: true, intervalMinutes: 1, failureThreshold: 3 } });
      expect(a.healthCheck).toEqual({ enabled: true, intervalMinutes: 1, model: null, failureThreshold: 3 });
      expect(a.healthState).toBeNull();
      const b = await channel(cookie, backup.baseUrl, { keys: [`sk-backup-${uid()}`] });
      const g = await group(cookie, [{ channelId: a.id, priority: 0 }, { channelId: b.id, priority: 1 }]);
      const solo = await group(cookie, [{ channelId: a.id }]);
      const key = await admin(cookie, 'POST', '/keys', { name: `hc-key-${uid()}` });

      // First check: one failure, still routable. The same minute again: not due, nothing sent.
      await h.cron(CRON_HEALTH);
      expect((await received(bad.id)).length).toBe(1);
      await h.cron(CRON_HEALTH);
      expect((await received(bad.id)).length).toBe(1);
      let state = (await admin(cookie, 'GET', `/channels/${a.id}`)).json.healthState;
      expect(state).toMatchObject({ failures: 1, down: false, lastOk: false });
      // Checks never touch the channel that has none.
      expect((await received(backup.id)).length).toBe(0);

      // Two more due checks: the third failure in a row takes it down.
      await age(a.id, 2);
      await h.cron(CRON_HEALTH);
      expect((await admin(cookie, 'GET', `/channels/${a.id}`)).json.healthState).toMatchObject({ failures: 2, down: false });
      await age(a.id, 2);
      await h.cron(CRON_HEALTH);
      state = (await admin(cookie, 'GET', `/channels/${a.id}`)).json.healthState;
      expect(state).toMatchObject({ failures: 3, down: true, lastOk: false });
      expect(state.downSince).toBeGreaterThan(0);
      const sent = await received(bad.id);
      expect(sent).toHaveLength(3);
      // The tiny request in the channel's protocol, with the keys in turn.
      expect(sent.map((r) => r.path)).toEqual(Array(3).fill('/v1/chat/completions'));
      expect(sent[0].json).toMatchObject({ model: MODEL, messages: [{ role: 'user', content: 'ping' }] });
      expect(sent.map((r) => r.headers.authorization)).toEqual([`Bearer ${keyA}`, `Bearer ${keyB}`, `Bearer ${keyA}`]);

      // Down: the primary is skipped, not tried and failed over.
      expect((await chat(key.json.key, g.name)).status).toBe(200);
      expect((await received(bad.id)).length).toBe(3);
      expect((await received(backup.id)).length).toBe(1);
      // A group whose every member is down by check still tries them rather than answer with nothing tried.
      const soloRes = await chat(key.json.key, solo.name);
      expect(soloRes.status).not.toBe(200);
      expect((await received(bad.id)).length).toBeGreaterThan(3);

      // The upstream recovers; the channel stays down until a check passes.
      const good = await scenario({ json: TEXT_JSON });
      expect((await admin(cookie, 'PATCH', `/channels/${a.id}`, { baseUrl: `${good.baseUrl}/v1` })).status).toBe(200);
      expect((await admin(cookie, 'GET', `/channels/${a.id}`)).json.healthState).toMatchObject({ down: true });
      expect((await chat(key.json.key, g.name)).status).toBe(200);
      expect((await received(good.id)).length).toBe(0);
      await age(a.id, 2);
      await h.cron(CRON_HEALTH);
      expect((await admin(cookie, 'GET', `/channels/${a.id}`)).json.healthState).toMatchObject({ failures: 0, down: false, downSince: null, lastOk: true });
      expect((await received(good.id)).length).toBe(1);
      expect((await chat(key.json.key, g.name)).status).toBe(200);
      expect((await received(good.id)).length).toBe(2);
      expect((await received(backup.id)).length).toBe(2);

      // History, newest first: key by position only, short errors without the key.
      const hist = await admin(cookie, 'GET', `/channels/${a.id}/health-checks`);
      expect(hist.status).toBe(200);
      expect(hist.json.data.map((r: any) => [r.ok, r.status, r.keyIndex])).toEqual([[true, 200, 1], [false, 500, 0], [false, 500, 1], [false, 500, 0]]);
      expect(hist.json.data[1].error).toContain('upstream exploded');
      expect(hist.json.data[0]).toMatchObject({ model: MODEL, error: null });
      expect(hist.json.data.every((r: any) => r.latencyMs >= 0 && r.at > 0)).toBe(true);
      expect(JSON.stringify(hist.json)).not.toContain(keyA.slice(8));
      const every = await admin(cookie, 'GET', '/channels/health-checks?limit=2');
      expect(every.json.data[a.id]).toHaveLength(2);
      expect(every.json.data[b.id]).toBeUndefined();
      expect((await admin(cookie, 'GET', '/channels/health-checks?limit=0')).status).toBe(400);

      // Never billed: the stats hold the five relay requests only, and no log names a check.
      await h.flush(g.id, 3);
      await h.flush(solo.id, 1);
      const billed = await one(h, 'SELECT sum(requests) AS n FROM stats_hourly WHERE api_key_id = ?', key.json.id);
      expect(Number(billed!.n)).toBe(4);
      const logs = await one(h, 'SELECT count(*) AS n FROM request_logs WHERE channel_id = ?', a.id);
      // The solo group's attempts and the last request served by the channel; none of its 4 checks.
      expect(Number(logs!.n)).toBeLessThanOrEqual(2);
      const unkeyed = await one(h, 'SELECT count(*) AS n FROM stats_hourly WHERE channel_id = ? AND api_key_id IS NULL', a.id);
      expect(Number(unkeyed!.n)).toBe(0);
    }, 120_000);

    it('runs a check on demand, forgets the state when the check is turned off, and validates settings', async () => {
      const cookie = await login();
      const bad = await scenario({ status: 503, body: 'busy' });
      const a = await channel(cookie, bad.baseUrl, { keys: [`sk-${uid()}`], healthCheck: { enabled: true, intervalMinutes: 30, failureThreshold: 1, model: 'check-model' } });
      const now = await admin(cookie, 'POST', `/channels/${a.id}/health-check`);
      expect(now.status).toBe(200);
      expect(now.json.result).toMatchObject({ ok: false, status: 503, model: 'check-model', keyIndex: 0 });
      expect(now.json.state).toMatchObject({ failures: 1, down: true });
      expect((await received(bad.id))[0].json.model).toBe('check-model');
      // Interval 30 minutes: a cron a minute later (and one 20 minutes later) does not check again.
      await age(a.id, 1);
      await h.cron(CRON_HEALTH);
      await age(a.id, 20);
      await h.cron(CRON_HEALTH);
      expect((await received(bad.id)).length).toBe(1);
      await age(a.id, 10);
      await h.cron(CRON_HEALTH);
      expect((await received(bad.id)).length).toBe(2);

      // Turned off: the state goes, the cron leaves the channel alone.
      const off = await admin(cookie, 'PATCH', `/channels/${a.id}`, { healthCheck: { enabled: false } });
      expect(off.json).toMatchObject({ healthCheck: { enabled: false, intervalMinutes: 5, failureThreshold: 3 }, healthState: null });
      await h.cron(CRON_HEALTH);
      expect((await received(bad.id)).length).toBe(2);
      expect((await admin(cookie, 'GET', `/channels/${a.id}/health-checks`)).json.data).toHaveLength(2);

      for (const bad of [{ enabled: true, intervalMinutes: 0 }, { enabled: true, intervalMinutes: 1441 }, { enabled: true, failureThreshold: 0 }, { intervalMinutes: 5 }, { enabled: true, extra: 1 }]) {
        const res = await admin(cookie, 'PATCH', `/channels/${a.id}`, { healthCheck: bad });
        expect(res.status, JSON.stringify(bad)).toBe(400);
        expect(res.json.error.message).toMatch(/healthCheck|extra/);
      }
      expect((await admin(cookie, 'PATCH', `/channels/${a.id}`, { healthCheck: null })).json.healthCheck).toBeNull();
      expect((await admin(cookie, 'POST', '/channels/999999/health-check')).status).toBe(404);
      expect((await admin(cookie, 'GET', '/channels/999999/health-checks')).status).toBe(404);
    }, 60_000);
  });
}
