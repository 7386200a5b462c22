/**
 * At scale (issue 12 item 7): 1,000 groups, 1,000 client keys and 200 channels. D1 binds at most 100
 * values a statement, so any query that binds one value per group, key or channel (an `IN (…)` list, a
 * multi-row INSERT, a flush of many stats rows) breaks here first. Most rows are written straight
 * into the database (the admin API would take minutes); the last few go through the admin API, so
 * the configuration snapshot (config/snapshot.ts) reloads with everything in it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { one, tools, uid, type Harness } from './harness';

const GROUPS = 1_000;
const KEYS = 1_000;
const CHANNELS = 200;
/** Made through the admin API (the rest are inserted directly). */
const API_GROUPS = 2;
const API_KEYS = 2;
const API_CHANNELS = 2;
/** Client keys that each send one request to the last group: one stats row each, in one flush. */
const FLUSH_KEYS = 150;
/** Requests in flight at once while filling the flush. */
const CONCURRENCY = 8;
/** Values bound per bulk statement in the test itself (D1 allows 100). */
const TEST_BOUND_VALUES = 96;

const TEXT_JSON = 'openai-chat/vercel__openai-text.json';

async function sha256Hex(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function scaleSuite(h: Harness): void {
  const { admin, gateway, login, scenario } = tools(h);

  /** Multi-row INSERTs of `rows` (each `row` placeholders + literals), split so a statement binds at most TEST_BOUND_VALUES. */
  async function bulkInsert(head: string, row: string, rows: unknown[][]): Promise<void> {
    const per = Math.floor(TEST_BOUND_VALUES / rows[0]!.length);
    for (let i = 0; i < rows.length; i += per) {
      const part = rows.slice(i, i + per);
      await h.exec(`${head} VALUES ${part.map(() => row).join(', ')}`, ...part.flat());
    }
  }

  const count = async (table: string, where = '', ...params: unknown[]) => Number((await one(h, `SELECT COUNT(*) AS n FROM ${table} ${where}`, ...params))!.n);

  describe('at scale: 1,000 groups, 1,000 client keys, 200 channels', () => {
    const tag = uid();
    let cookie = '';
    let last: { id: number; name: string } = { id: 0, name: '' };
    let apiKey = '';
    /** Secrets of directly inserted keys, in insertion order. */
    const bulkSecrets: string[] = [];

    beforeAll(async () => {
      cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const now = Date.now();

      const bulkChannels = CHANNELS - API_CHANNELS;
      await bulkInsert(
        'INSERT INTO channels (name, type, base_url, "keys", models, headers, enabled, created_at, updated_at)',
        "(?, 'openai-chat', ?, '[]', '[]', '{}', TRUE, ?, ?)",
        Array.from({ length: bulkChannels }, (_, i) => [`scale-${tag}-c-${i}`, `${up.baseUrl}/v1`, now, now]),
      );
      const channelIds = (await h.query('SELECT id FROM channels WHERE name LIKE ? ORDER BY id', `scale-${tag}-c-%`)).map((r) => Number(r.id));
      expect(channelIds).toHaveLength(bulkChannels);

      const bulkGroups = GROUPS - API_GROUPS;
      await bulkInsert(
        'INSERT INTO "groups" (name, mode, settings, enabled, created_at, updated_at)',
        "(?, 'round-robin', '{}', TRUE, ?, ?)",
        Array.from({ length: bulkGroups }, (_, i) => [`scale-${tag}-g-${i}`, now, now]),
      );
      const groupIds = (await h.query('SELECT id FROM "groups" WHERE name LIKE ? ORDER BY id', `scale-${tag}-g-%`)).map((r) => Number(r.id));
      expect(groupIds).toHaveLength(bulkGroups);
      // One member each, every one on its own upstream model: 998 rows on the price page.
      await bulkInsert(
        'INSERT INTO group_members (group_id, channel_id, upstream_model, priority, weight, enabled)',
        '(?, ?, ?, 0, 1, TRUE)',
        groupIds.map((g, i) => [g, channelIds[i % channelIds.length], `scale-${tag}-m-${i}`]),
      );

      const bulkKeys = KEYS - API_KEYS;
      for (let i = 0; i < bulkKeys; i++) bulkSecrets.push(`sk-scale-${tag}-${String(i).padStart(4, '0')}-secret`);
      await bulkInsert(
        'INSERT INTO api_keys (name, key_hash, key_prefix, enabled, created_at)',
        '(?, ?, ?, TRUE, ?)',
        await Promise.all(bulkSecrets.map(async (s, i) => [`scale-${tag}-k-${i}`, await sha256Hex(s), s.slice(0, 10), now])),
      );

      // The last ones through the admin API: each write moves the config version, so the snapshot reloads with everything.
      const apiChannels: number[] = [];
      for (let i = 0; i < API_CHANNELS; i++) {
        const ch = await admin(cookie, 'POST', '/channels', { name: `scale-${tag}-api-c-${i}`, type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: [`sk-up-${uid()}`] });
        expect(ch.status).toBe(201);
        apiChannels.push(ch.json.id);
      }
      for (let i = 0; i < API_KEYS; i++) {
        const k = await admin(cookie, 'POST', '/keys', { name: `scale-${tag}-api-k-${i}` });
        expect(k.status).toBe(201);
        apiKey = k.json.key;
      }
      for (let i = 0; i < API_GROUPS; i++) {
        const g = await admin(cookie, 'POST', '/groups', {
          name: `scale-${tag}-api-g-${i}`, members: apiChannels.map((channelId) => ({ channelId, upstreamModel: 'gpt-4.1-nano' })),
        });
        expect(g.status).toBe(201);
        last = { id: g.json.id, name: g.json.name };
      }
    }, 180_000);

    it('lists every group, key, channel and price, in each shape, with all 1,000 of each', async () => {
      const groups = await count('"groups"', 'WHERE enabled = TRUE');
      expect(groups).toBeGreaterThanOrEqual(GROUPS);

      const openai = await gateway('/v1/models', { headers: { authorization: `Bearer ${apiKey}` } });
      expect(openai.status, await openai.clone().text().then((t) => t.slice(0, 300))).toBe(200);
      const openaiIds = ((await openai.json()) as any).data.map((m: any) => m.id);
      expect(openaiIds).toHaveLength(groups);
      expect(openaiIds).toContain(last.name);
      expect(openaiIds).toContain(`scale-${tag}-g-0`);

      const gemini = await gateway('/v1beta/models', { headers: { 'x-goog-api-key': bulkSecrets.at(-1)! } });
      expect(gemini.status, await gemini.clone().text().then((t) => t.slice(0, 300))).toBe(200);
      const geminiNames = ((await gemini.json()) as any).models.map((m: any) => m.name);
      expect(geminiNames).toHaveLength(groups);
      expect(geminiNames).toContain(`models/${last.name}`);

      const g = await admin(cookie, 'GET', '/groups');
      expect(g.status).toBe(200);
      expect(g.json.data).toHaveLength(await count('"groups"'));
      expect(g.json.data.find((x: any) => x.id === last.id).members).toHaveLength(API_CHANNELS);
      expect(g.json.data.filter((x: any) => x.name.startsWith(`scale-${tag}-g-`) && x.members.length === 1)).toHaveLength(GROUPS - API_GROUPS);

      const k = await admin(cookie, 'GET', '/keys');
      expect(k.status).toBe(200);
      expect(k.json.data).toHaveLength(await count('api_keys'));
      expect(k.json.data.filter((x: any) => x.name.startsWith(`scale-${tag}-`))).toHaveLength(KEYS);

      const c = await admin(cookie, 'GET', '/channels');
      expect(c.status).toBe(200);
      expect(c.json.data).toHaveLength(await count('channels'));
      expect(c.json.data.filter((x: any) => x.name.startsWith(`scale-${tag}-`))).toHaveLength(CHANNELS);

      const p = await admin(cookie, 'GET', '/prices');
      expect(p.status).toBe(200);
      expect(p.json.data.filter((x: any) => x.model.startsWith(`scale-${tag}-m-`))).toHaveLength(GROUPS - API_GROUPS);
      expect(p.json.data.map((x: any) => x.model)).toContain('gpt-4.1-nano');
    });

    it('relays to the last group and flushes one stats row per key in one flush, then reports them', async () => {
      const chat = (key: string) => gateway('/v1/chat/completions', {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: last.name, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const first = await chat(apiKey);
      expect(first.status, await first.clone().text()).toBe(200);
      await first.text();

      const senders = bulkSecrets.slice(0, FLUSH_KEYS);
      const statuses: number[] = [];
      for (let i = 0; i < senders.length; i += CONCURRENCY) {
        statuses.push(...await Promise.all(senders.slice(i, i + CONCURRENCY).map(async (s) => {
          const res = await chat(s);
          await res.text();
          return res.status;
        })));
      }
      expect(statuses.filter((s) => s !== 200)).toEqual([]);

      const total = FLUSH_KEYS + 1;
      expect(await h.flush(last.id, total)).toBe(true);
      expect(await count('request_logs', 'WHERE group_name = ?', last.name)).toBe(total);
      const stats = (await one(h, 'SELECT COUNT(*) AS n_rows, COUNT(DISTINCT api_key_id) AS n_keys, SUM(requests) AS requests, SUM(successes) AS successes FROM stats_hourly WHERE group_name = ?', last.name))!;
      // One row per (hour, channel, key) at least: a row per key, more if the hour turned or both channels served a key.
      expect(stats).toMatchObject({ n_keys: total, requests: total, successes: total });
      expect(Number(stats.n_rows)).toBeGreaterThanOrEqual(total);

      const now = Date.now();
      const range = `from=${now - 2 * 3_600_000}&to=${now + 3_600_000}`;
      const byKey = await admin(cookie, 'GET', `/stats?${range}&bucket=day&by=key`);
      expect(byKey.status).toBe(200);
      expect(byKey.json.data.reduce((n: number, r: any) => n + r.requests, 0)).toBeGreaterThanOrEqual(total);
      expect(new Set(byKey.json.data.filter((r: any) => r.requests > 0).map((r: any) => r.key)).size).toBeGreaterThanOrEqual(total);
      const byGroup = await admin(cookie, 'GET', `/stats?${range}&by=group`);
      expect(byGroup.status).toBe(200);
      expect(byGroup.json.data.filter((r: any) => r.key === last.name).reduce((n: number, r: any) => n + r.requests, 0)).toBe(total);
      const summary = await admin(cookie, 'GET', `/stats/summary?${range}`);
      expect(summary.status).toBe(200);
      expect(summary.json.total.requests).toBeGreaterThanOrEqual(total);
      const logs = await admin(cookie, 'GET', `/logs?group=${last.name}&limit=500`);
      expect(logs.status).toBe(200);
      expect(logs.json.data).toHaveLength(total);
      const usage = await gateway('/v1/usage', { headers: { authorization: `Bearer ${senders.at(-1)}` } });
      expect(usage.status).toBe(200);
      expect(((await usage.json()) as any).total.requests).toBe(1);
    });
  });
}
