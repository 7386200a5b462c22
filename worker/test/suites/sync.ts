/**
 * Price sync from the real models.dev snapshot, cost per request at flush, user prices, channel
 * model-list sync, and the cron routing.
 */
import { describe, expect, it } from 'vitest';
import { CRON_PRICES } from '../../src/sync/jobs';
import { one, tools, type Harness } from './harness';

export function syncSuite(h: Harness): void {
  const { admin, gateway, login, routeTo, scenario } = tools(h);

  const TEXT_JSON = 'openai-chat/vercel__openai-text.json'; // 16 input, 363 output tokens

  function chat(key: string, model: string) {
    return gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
  }

  async function flushedCost(groupId: number, group: string): Promise<number> {
    expect(await h.flush(groupId, 1)).toBe(true);
    return (await one(h, 'SELECT sum(cost_nano_usd) AS c FROM stats_hourly WHERE group_name = ?', group))!.c;
  }

  describe('prices and cost', () => {
    it('syncs models.dev prices, prices requests exactly, lets a user price win, and lists sources', async () => {
      const cookie = await login();
      const sync = await admin(cookie, 'POST', '/sync/prices');
      expect(sync.status).toBe(200);
      expect(sync.json.models).toBeGreaterThan(4000);
      const state = (await admin(cookie, 'GET', '/sync')).json.data.find((s: any) => s.key === 'prices');
      expect(state).toMatchObject({ ok: true, detail: { models: sync.json.models } });

      // gpt-4o at models.dev's OpenAI price: $2.50 in, $10 out per 1M → 16 × 2500 + 363 × 10000 nano-USD.
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up], { upstreamModel: 'gpt-4o' });
      expect((await chat(r.clientKey, r.group)).status).toBe(200);
      expect(await flushedCost(r.groupId, r.group)).toBe(16 * 2_500 + 363 * 10_000);

      // A user price wins; an unknown model costs 0 and is listed first.
      const put = await admin(cookie, 'PUT', '/prices/my-tuned-model', { input: 1, output: 2 });
      expect(put.json.price).toEqual({ input: 1, output: 2, cacheRead: 1, cacheWrite: 1 });
      const r2 = await routeTo(cookie, [await scenario({ json: TEXT_JSON })], { upstreamModel: 'my-tuned-model' });
      expect((await chat(r2.clientKey, r2.group)).status).toBe(200);
      expect(await flushedCost(r2.groupId, r2.group)).toBe(16 * 1_000 + 363 * 2_000);
      await routeTo(cookie, [await scenario({ json: TEXT_JSON })], { upstreamModel: 'no-price-anywhere-xyz' });

      const list = (await admin(cookie, 'GET', '/prices')).json.data;
      expect(list[0]).toMatchObject({ model: 'no-price-anywhere-xyz', source: 'unknown', price: null });
      expect(list.find((x: any) => x.model === 'gpt-4o')).toMatchObject({ source: 'models.dev', provider: 'openai', price: { input: 2.5, output: 10 } });
      expect(list.find((x: any) => x.model === 'my-tuned-model')).toMatchObject({ source: 'user' });

      // A second sync never touches user prices.
      await admin(cookie, 'POST', '/sync/prices');
      expect((await admin(cookie, 'GET', '/prices')).json.data.find((x: any) => x.model === 'my-tuned-model')).toMatchObject({ source: 'user' });
      expect((await admin(cookie, 'DELETE', '/prices/my-tuned-model')).status).toBe(204);
      expect((await admin(cookie, 'DELETE', '/prices/my-tuned-model')).status).toBe(404);
      expect((await admin(cookie, 'PUT', '/prices/x', { input: -1, output: 1 })).status).toBe(400);
      // A name no member could use is refused before it reaches the database (MySQL keys are 255 characters).
      expect((await admin(cookie, 'PUT', `/prices/${'m'.repeat(201)}`, { input: 1, output: 1 })).status).toBe(400);
      expect((await admin(cookie, 'DELETE', `/prices/${'m'.repeat(5000)}`)).status).toBe(400);
    });
  });

  describe('channel model lists', () => {
    it('adds new upstream models, keeps and reports missing ones, and applies the filter', async () => {
      const cookie = await login();
      const up = await scenario({ steps: [
        { models: { object: 'list', data: [{ id: 'gpt-a' }, { id: 'gpt-b' }, { id: 'whisper-1' }] } },
        { models: { object: 'list', data: [{ id: 'gpt-b' }, { id: 'gpt-c' }] } },
      ] });
      const r = await routeTo(cookie, [up]);
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { models: ['gpt-a'], modelFilter: '^gpt-' });
      const first = await admin(cookie, 'POST', `/channels/${r.channelIds[0]}/sync-models`);
      expect(first.json).toEqual({ added: ['gpt-b'], missing: [], kept: ['gpt-a'] });
      const second = await admin(cookie, 'POST', `/channels/${r.channelIds[0]}/sync-models`);
      expect(second.json).toEqual({ added: ['gpt-c'], missing: ['gpt-a'], kept: ['gpt-b'] });
      expect((await admin(cookie, 'GET', `/channels/${r.channelIds[0]}`)).json.models).toEqual(['gpt-a', 'gpt-b', 'gpt-c']);
      const state = (await admin(cookie, 'GET', '/sync')).json.data.find((s: any) => s.key === `channel:${r.channelIds[0]}`);
      expect(state).toMatchObject({ ok: true, detail: { missing: ['gpt-a'] } });
      // An upstream failure is reported, not thrown at the admin.
      const dead = await scenario({ status: 401, body: 'bad key' });
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { baseUrl: `${dead.baseUrl}/v1` });
      const failed = await admin(cookie, 'POST', `/channels/${r.channelIds[0]}/sync-models`);
      expect(failed.status).toBe(502);
      expect(failed.json.error.code).toBe('sync_failed');
    });
  });

  describe('cron triggers', () => {
    it('runs the price sync for its cron expression', async () => {
      await h.exec('DELETE FROM sync_state WHERE "key" = \'prices\'');
      await h.cron(CRON_PRICES);
      const row = await one(h, 'SELECT ok FROM sync_state WHERE "key" = \'prices\'');
      expect(row?.ok).toBe(1);
    });
  });
}
