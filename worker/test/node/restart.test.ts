/**
 * A restart of the Node mode (graceful stop, start on the same database) keeps everything that
 * matters: channels, groups, keys, prices, settings, admin sessions, stats and logs of requests
 * not yet flushed, and routing health (an open breaker stays open, a round-robin cursor goes on).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { one, tools } from '../suites/harness';
import { nodeDatabases, nodeHarness } from './harness';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json'; // usage: 16 in, 363 out

for (const type of nodeDatabases()) {
  describe(`node-${type}: restart`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    const { admin, gateway, login, received, routeTo, scenario } = tools(h);
    const chat = (key: string, model: string) => gateway('/v1/chat/completions', {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

    it('keeps channels, groups, keys, prices, settings, sessions, unflushed stats and routing health', async () => {
      const cookie = await login();
      const dead = await scenario({ status: 502, body: 'bad gateway' });
      const good = await scenario({ json: TEXT_JSON });
      const failover = await routeTo(cookie, [dead, good], { mode: 'failover', settings: { breakerThreshold: 1, breakerBaseMs: 600_000 }, upstreamModel: 'my-tuned-model' });
      const rr = [await scenario({ json: TEXT_JSON }), await scenario({ json: TEXT_JSON })];
      const roundRobin = await routeTo(cookie, rr);
      expect((await admin(cookie, 'PUT', '/prices/my-tuned-model', { input: 1, output: 2 })).status).toBe(200);
      expect((await admin(cookie, 'PUT', '/settings', { logRetentionDays: 7 })).status).toBe(200);

      for (let i = 0; i < 3; i++) expect((await chat(failover.clientKey, failover.group)).status).toBe(200);
      expect((await chat(roundRobin.clientKey, roundRobin.group)).status).toBe(200);
      const before = {
        channels: (await admin(cookie, 'GET', '/channels')).json,
        groups: (await admin(cookie, 'GET', '/groups')).json,
        keys: (await admin(cookie, 'GET', '/keys')).json,
        health: (await admin(cookie, 'GET', `/groups/${failover.groupId}/health`)).json,
      };
      expect(Object.values(before.health.members).some((m: any) => m.phase === 'open')).toBe(true);
      // Nothing was flushed yet (the timer is an hour in tests): the restart's shutdown must write it.
      expect(await one(h, 'SELECT count(*) AS n FROM request_logs WHERE group_name = ?', failover.group)).toEqual({ n: 0 });

      await h.restart();

      // The session cookie still works: sessions live in the database.
      expect((await admin(cookie, 'GET', '/channels')).json).toEqual(before.channels);
      expect((await admin(cookie, 'GET', '/groups')).json).toEqual(before.groups);
      expect((await admin(cookie, 'GET', '/keys')).json.data.map((k: any) => k.id)).toEqual(before.keys.data.map((k: any) => k.id));
      expect((await admin(cookie, 'GET', '/settings')).json.logRetentionDays).toBe(7);
      expect((await admin(cookie, 'GET', '/prices')).json.data.find((p: any) => p.model === 'my-tuned-model')).toMatchObject({ source: 'user', price: { input: 1, output: 2 } });

      // Stats and logs of the requests before the restart, priced with the user price.
      const stats = await one(h, 'SELECT sum(requests) AS requests, sum(failures) AS failures, sum(cost_nano_usd) AS cost FROM stats_hourly WHERE group_name = ?', failover.group);
      expect(stats).toEqual({ requests: 3, failures: 1, cost: 3 * (16 * 1_000 + 363 * 2_000) });
      expect((await admin(cookie, 'GET', `/logs?group=${failover.group}`)).json.data).toHaveLength(3);

      // Routing health: the open breaker keeps the dead member out; the round-robin cursor goes on.
      const health = (await admin(cookie, 'GET', `/groups/${failover.groupId}/health`)).json;
      expect(health).toEqual(before.health);
      for (let i = 0; i < 3; i++) expect((await chat(failover.clientKey, failover.group)).status).toBe(200);
      expect(await received(dead.id)).toHaveLength(1);
      expect((await chat(roundRobin.clientKey, roundRobin.group)).status).toBe(200);
      expect((await received(rr[0]!.id)).length + (await received(rr[1]!.id)).length).toBe(2);
      expect(await received(rr[0]!.id)).toHaveLength(1);
      expect(await received(rr[1]!.id)).toHaveLength(1);
    });
  });
}
