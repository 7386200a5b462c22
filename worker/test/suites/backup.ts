/**
 * Backup export and import (issue 14, item 1): a round trip (export → replace with an empty file →
 * import) gives the same configuration back and requests still reach the upstream with the
 * decrypted key and credential headers; a wrong passphrase, an invalid file and a dry run change
 * nothing; an octopus export is mapped, with warnings for what does not map.
 */
import { describe, expect, it } from 'vitest';
import { sealImage } from '../../src/backup/format';
import { octopusExport } from './octopus-fixture';
import { tools, uid, type Harness } from './harness';

const PASSPHRASE = 'correct horse battery staple';
const RECORDING = { json: 'openai-chat/vercel__openai-text.json' };

export function backupSuite(h: Harness): void {
  const { admin, gateway, login, scenario, received } = tools(h);

  /** Everything an admin configured, as the admin API and the prices table show it (times that a write sets left out). */
  async function snapshot(cookie: string) {
    const strip = <T extends Record<string, unknown>>(o: T, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
    const channels = (await admin(cookie, 'GET', '/channels')).json.data.map((c: any) => strip(c, 'createdAt', 'updatedAt'));
    const groups = (await admin(cookie, 'GET', '/groups')).json.data.map((g: any) => ({
      ...strip(g, 'createdAt', 'updatedAt'), members: g.members.map((m: any) => strip(m, 'id')),
    }));
    const keys = (await admin(cookie, 'GET', '/keys')).json.data.map((k: any) => strip(k, 'lastUsedAt'));
    const settings = (await admin(cookie, 'GET', '/settings')).json;
    const prices = await h.query("SELECT model AS model, input AS input, output AS output, cache_read AS cr, cache_write AS cw FROM prices WHERE source = 'user' ORDER BY model");
    return { channels, groups, keys, settings, prices };
  }

  const exportWith = (cookie: string, passphrase: string) => admin(cookie, 'POST', '/backup/export', { passphrase });
  const importWith = (cookie: string, body: object) => admin(cookie, 'POST', '/backup/import', body);

  function chat(key: string, model: string) {
    return gateway('/v1/chat/completions', {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  }

  /** A channel with a key, a credential header and override headers, a group, a limited client key, a user price, a setting. */
  async function configure(cookie: string) {
    const up = await scenario(RECORDING);
    const s = { key: `sk-upstream-${uid()}-abcdef`, header: `hdr-secret-${uid()}-xyz`, override: `ov-secret-${uid()}-xyz`, member: `mem-secret-${uid()}-xyz` };
    const ch = await admin(cookie, 'POST', '/channels', {
      name: `bk-${uid()}`, type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: [s.key], models: ['gpt-4.1-nano'],
      headers: { 'x-api-token': s.header, 'x-plain': 'plain-value' }, overrides: { body: { max_tokens: 99 }, headers: { 'x-auth-extra': s.override } },
      healthCheck: { enabled: true, intervalMinutes: 7, model: 'gpt-4.1-nano', failureThreshold: 2 },
      endpoints: [{ type: 'anthropic', baseUrl: `${up.baseUrl}/anthropic/v1` }],
    });
    expect(ch.status, JSON.stringify(ch.json)).toBe(201);
    const group = `bk-${uid()}`;
    const g = await admin(cookie, 'POST', '/groups', {
      name: group, mode: 'failover', aliases: [`${group}-alias`], settings: { maxAttempts: 2 },
      members: [{ channelId: ch.json.id, upstreamModel: 'gpt-4.1-nano', priority: 2, weight: 3, protocol: 'openai-chat', overrides: { headers: { 'x-member-token': s.member } } }],
    });
    expect(g.status, JSON.stringify(g.json)).toBe(201);
    const k = await admin(cookie, 'POST', '/keys', { name: `bk-${uid()}`, rpmLimit: 1000, budgetUsd: 50, allowedGroups: [group] });
    expect(k.status).toBe(201);
    expect((await admin(cookie, 'PUT', `/prices/bk-model-${uid()}`, { input: 1.5, output: 3 })).status).toBe(200);
    expect((await admin(cookie, 'PUT', '/settings', { logRetentionDays: 17 })).status).toBe(200);
    let proxySecret: string | null = null;
    if (h.name !== 'edge') {
      // Node only (the Worker refuses proxies): a channel's proxy credentials are sealed like keys.
      proxySecret = `proxy-pass-${uid()}-9876`;
      const px = await admin(cookie, 'POST', '/channels', {
        name: `bk-proxy-${uid()}`, type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', keys: ['sk-ant-unused-0001'], proxy: `http://bob:${proxySecret}@127.0.0.1:9`,
      });
      expect(px.status, JSON.stringify(px.json)).toBe(201);
    }
    return { up, s, group, channelId: ch.json.id as number, clientKey: k.json.key as string, proxySecret };
  }

  describe('backup', () => {
    it('round trip: export, replace with an empty file, import again: the same configuration, routed with the decrypted key', async () => {
      const cookie = await login();
      const c = await configure(cookie);
      expect((await chat(c.clientKey, c.group)).status).toBe(200);
      const before = await snapshot(cookie);

      const exp = await exportWith(cookie, PASSPHRASE);
      expect(exp.status, JSON.stringify(exp.json)).toBe(200);
      const text = JSON.stringify(exp.json);
      for (const secret of [...Object.values(c.s), c.clientKey, ...(c.proxySecret ? [c.proxySecret] : [])]) expect(text).not.toContain(secret);
      if (c.proxySecret) expect(before.channels.some((ch: any) => ch.proxy === 'http://bob:…9876@127.0.0.1:9')).toBe(true);
      expect(text).toContain('plain-value');
      expect(exp.json.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: 100_000 });
      expect(exp.json.apiKeys.every((k: any) => /^[0-9a-f]{64}$/.test(k.keyHash))).toBe(true);

      const empty = { ...exp.json, channels: [], groups: [], apiKeys: [], prices: [] };
      const wipe = await importWith(cookie, { file: empty, passphrase: PASSPHRASE, mode: 'replace' });
      expect(wipe.status, JSON.stringify(wipe.json)).toBe(200);
      expect(wipe.json.changes.channels.delete).toBe(before.channels.length);
      expect(wipe.json.changes.apiKeys.delete).toBe(before.keys.length);
      expect((await admin(cookie, 'GET', '/channels')).json.data).toEqual([]);
      expect((await chat(c.clientKey, c.group)).status).toBe(401);

      const restore = await importWith(cookie, { file: exp.json, passphrase: PASSPHRASE, mode: 'replace' });
      expect(restore.status, JSON.stringify(restore.json)).toBe(200);
      expect(restore.json).toMatchObject({ dryRun: false, mode: 'replace', source: 'octopus-edge' });
      expect(restore.json.changes.channels).toEqual({ create: before.channels.length, update: 0, delete: 0, unchanged: 0 });
      expect(await snapshot(cookie)).toEqual(before);
      // Multi-protocol fields (issue 14.5) came back too.
      const restored = (await admin(cookie, 'GET', '/channels')).json.data.find((x: any) => x.name === before.channels.find((y: any) => y.id === c.channelId)?.name);
      expect(restored.endpoints).toEqual([{ type: 'anthropic', baseUrl: `${c.up.baseUrl}/anthropic/v1` }]);
      const restoredGroup = (await admin(cookie, 'GET', '/groups')).json.data.find((x: any) => x.name === c.group);
      expect(restoredGroup.members[0].protocol).toBe('openai-chat');

      const res = await chat(c.clientKey, c.group);
      expect(res.status, await res.clone().text()).toBe(200);
      const seen = (await received(c.up.id)).at(-1);
      expect(seen.headers.authorization).toBe(`Bearer ${c.s.key}`);
      expect(seen.headers['x-api-token']).toBe(c.s.header);
      expect(seen.headers['x-auth-extra']).toBe(c.s.override);
      expect(seen.headers['x-member-token']).toBe(c.s.member);
      expect(seen.json.max_tokens).toBe(99);

      // The same file again changes nothing.
      const again = await importWith(cookie, { file: exp.json, passphrase: PASSPHRASE, mode: 'merge' });
      expect(again.status).toBe(200);
      for (const kind of ['channels', 'groups', 'apiKeys', 'prices', 'settings']) {
        expect(again.json.changes[kind], kind).toMatchObject({ create: 0, update: 0, delete: 0 });
      }
    });

    it('a wrong passphrase is a clear 400 and changes nothing; a short export passphrase is refused', async () => {
      const cookie = await login();
      await configure(cookie);
      expect((await exportWith(cookie, 'short')).status).toBe(400);
      const exp = await exportWith(cookie, PASSPHRASE);
      expect(exp.status).toBe(200);
      const changed = { ...exp.json, channels: exp.json.channels.map((ch: any) => ({ ...ch, models: [...ch.models, 'changed'] })) };
      const before = await snapshot(cookie);
      for (const mode of ['merge', 'replace']) {
        const r = await importWith(cookie, { file: changed, passphrase: 'not the passphrase', mode });
        expect(r.status).toBe(400);
        expect(r.json.error.code).toBe('wrong_passphrase');
        expect(r.json.error.message).toMatch(/passphrase does not open this backup/);
      }
      const missing = await importWith(cookie, { file: changed, mode: 'merge' });
      expect(missing.status).toBe(400);
      expect(missing.json.error.message).toMatch(/^passphrase:/);
      // A sealed value edited by hand does not open either.
      const k = changed.channels[0].keys[0].key.$sealed as string;
      const tampered = structuredClone(changed);
      tampered.channels[0].keys[0].key.$sealed = `${k.slice(0, 20)}${k[20] === 'A' ? 'B' : 'A'}${k.slice(21)}`;
      expect((await importWith(cookie, { file: tampered, passphrase: PASSPHRASE, mode: 'merge' })).json.error.code).toBe('wrong_passphrase');
      expect(await snapshot(cookie)).toEqual(before);
    });

    it('an invalid file is refused whole (schema, duplicates, dangling members, name clashes): nothing changes', async () => {
      const cookie = await login();
      const c = await configure(cookie);
      const exp = (await exportWith(cookie, PASSPHRASE)).json;
      const before = await snapshot(cookie);
      const extra = { ...exp.channels[0], id: 900_001, name: `bk-new-${uid()}` };
      const cases: [string, any, RegExp][] = [
        ['unknown version', { ...exp, version: 2 }, /version/],
        ['bad channel type', { ...exp, channels: [...exp.channels, { ...extra, type: 'cohere' }] }, /channels\.\d+\.type/],
        ['two channels with one name', { ...exp, channels: [...exp.channels, { ...extra, name: exp.channels[0].name }] }, /appears twice/],
        ['a member of no channel', { ...exp, channels: [...exp.channels, extra], groups: [...exp.groups, { ...exp.groups[0], id: 900_002, name: `bk-g-${uid()}`, aliases: [], members: [{ ...exp.groups[0].members[0], channelId: 123_456 }] }] }, /no channel of the file/],
        ['an alias that is another group\'s name', { ...exp, channels: [...exp.channels, extra], groups: [...exp.groups, { ...exp.groups[0], id: 900_003, name: `bk-g-${uid()}`, aliases: [c.group], members: [] }] }, /already/],
        ['a bad base URL', { ...exp, channels: [...exp.channels, { ...extra, baseUrl: 'ftp://x' }] }, /baseUrl/],
      ];
      for (const [what, file, message] of cases) {
        for (const dryRun of [false, true]) {
          const r = await importWith(cookie, { file, passphrase: PASSPHRASE, mode: 'merge', dryRun });
          expect(r.status, what).toBe(400);
          expect(r.json.error.code, what).toBe('invalid_backup');
          expect(r.json.error.message, what).toMatch(message);
        }
      }
      const notAFile = await importWith(cookie, { file: { hello: 'world' }, mode: 'merge' });
      expect(notAFile.status).toBe(400);
      expect(notAFile.json.error.message).toMatch(/neither an octopus-edge backup .* nor an octopus export/);
      expect(await snapshot(cookie)).toEqual(before);
    });

    it('a dry run reports creates, updates and deletes per kind and writes nothing', async () => {
      const cookie = await login();
      await configure(cookie);
      const exp = (await exportWith(cookie, PASSPHRASE)).json;
      const name = exp.channels[0].name as string;
      const model = `bk-dry-${uid()}`;
      const file = {
        ...exp,
        channels: exp.channels.map((ch: any) => (ch.name === name ? { ...ch, models: [...ch.models, 'dry-extra'] } : ch)),
        prices: [...exp.prices, { model, input: 1_000_000_000, output: 2_000_000_000, cacheRead: 1_000_000_000, cacheWrite: 1_000_000_000 }],
      };
      // Something the file does not have: replace would delete it.
      const up = await scenario(RECORDING);
      expect((await admin(cookie, 'POST', '/channels', { name: `bk-extra-${uid()}`, type: 'gemini', baseUrl: `${up.baseUrl}/v1beta`, keys: ['g-key-123456789'] })).status).toBe(201);
      const before = await snapshot(cookie);

      const merge = await importWith(cookie, { file, passphrase: PASSPHRASE, mode: 'merge', dryRun: true });
      expect(merge.status, JSON.stringify(merge.json)).toBe(200);
      expect(merge.json.dryRun).toBe(true);
      expect(merge.json.changes.channels).toEqual({ create: 0, update: 1, delete: 0, unchanged: exp.channels.length - 1 });
      expect(merge.json.changes.prices).toMatchObject({ create: 1, update: 0, delete: 0 });
      const replace = await importWith(cookie, { file, passphrase: PASSPHRASE, mode: 'replace', dryRun: true });
      expect(replace.json.changes.channels).toMatchObject({ update: 1, delete: 1 });
      expect(await snapshot(cookie)).toEqual(before);

      const real = await importWith(cookie, { file, passphrase: PASSPHRASE, mode: 'merge' });
      expect(real.json.changes).toEqual(merge.json.changes);
      const after = await snapshot(cookie);
      expect(after.channels.find((ch: any) => ch.name === name).models).toContain('dry-extra');
      expect(after.channels.length).toBe(before.channels.length);
      expect(after.prices.map((p: any) => p.model)).toContain(model);
    });

    it('a stored key the server no longer decrypts: export refused in plain words, a restore replaces it', async () => {
      const cookie = await login();
      const c = await configure(cookie);
      const exp = await exportWith(cookie, PASSPHRASE);
      expect(exp.status).toBe(200);
      const row = (await h.query('SELECT "keys" AS k FROM channels WHERE id = ?', c.channelId))[0]!;
      const broken = JSON.parse(String(row.k)).map((k: any) => ({ ...k, enc: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }));
      await h.exec('UPDATE channels SET "keys" = ? WHERE id = ?', JSON.stringify(broken), c.channelId);
      const refused = await exportWith(cookie, PASSPHRASE);
      expect(refused.status).toBe(409);
      expect(refused.json.error.code).toBe('undecryptable_secret');
      expect(refused.json.error.message).toMatch(/cannot be decrypted with this server's ENCRYPTION_KEY/);

      const restore = await importWith(cookie, { file: exp.json, passphrase: PASSPHRASE, mode: 'merge' });
      expect(restore.status, JSON.stringify(restore.json)).toBe(200);
      expect(restore.json.changes.channels.update).toBeGreaterThanOrEqual(1);
      expect((await exportWith(cookie, PASSPHRASE)).status).toBe(200);
      const res = await chat(c.clientKey, c.group);
      expect(res.status).toBe(200);
      expect((await received(c.up.id)).at(-1).headers.authorization).toBe(`Bearer ${c.s.key}`);
    });

    it('GET /backup points at the POST export; an import body past the admin API\'s 1 MiB is accepted', async () => {
      const cookie = await login();
      const get = await admin(cookie, 'GET', '/backup');
      expect(get.status).toBe(405);
      expect(get.json.error.message).toMatch(/POST \/api\/v1\/backup\/export/);
      // An octopus export with a 1.5 MiB table this gateway does not read.
      const file = { version: 2, channels: [], relay_logs: Array.from({ length: 1500 }, (_, i) => ({ id: i, text: 'x'.repeat(1000) })) };
      const big = await importWith(cookie, { file, mode: 'merge', dryRun: true });
      expect(big.status, JSON.stringify(big.json).slice(0, 300)).toBe(200);
      expect(big.json.warnings.join('\n')).toMatch(/relay_logs \(1500\)/);
      // Other admin bodies keep their limit.
      const other = await admin(cookie, 'POST', '/keys', { name: 'x'.repeat(1_200_000) });
      expect(other.status).toBe(413);
    });

    it('proxies in a file: kept in Node mode, left out with a warning on the Worker (which cannot use one)', async () => {
      const cookie = await login();
      const name = `bk-px-${uid()}`;
      const file = await sealImage({
        channels: [{ id: 880_001, name, type: 'openai-chat', baseUrl: 'https://api.example.com/v1', keys: [{ id: 'k1', key: 'sk-px-key-000001', enabled: true }], models: [], headers: {}, modelFilter: null, overrides: null, proxy: 'socks5://amy:px-secret-4321@10.0.0.2:1080', healthCheck: null, enabled: true }],
        groups: [], apiKeys: [], prices: [], settings: { ...(await admin(cookie, 'GET', '/settings')).json, proxy: null },
      }, PASSPHRASE, Date.now());
      expect(JSON.stringify(file)).not.toContain('px-secret-4321');
      const r = await importWith(cookie, { file, passphrase: PASSPHRASE, mode: 'merge' });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      const ch = (await admin(cookie, 'GET', '/channels')).json.data.find((x: any) => x.name === name);
      if (h.name === 'edge') {
        expect(ch.proxy).toBeNull();
        expect(r.json.warnings.join('\n')).toMatch(new RegExp(`channel "${name}": its proxy was left out`));
      } else {
        expect(ch.proxy).toBe('socks5://amy:…4321@10.0.0.2:1080');
        expect(r.json.warnings).toEqual([]);
      }
    });

    it('an octopus export: channels, groups, client keys, prices and settings mapped, the rest reported; its keys still work', async () => {
      const cookie = await login();
      const up = await scenario(RECORDING);
      const clientKey = `sk-octopus-${uid()}${uid()}`;
      const upstreamKey = `sk-up-oc-${uid()}-0000`;
      const file = octopusExport(up.baseUrl, clientKey, upstreamKey);

      const dry = await importWith(cookie, { file, mode: 'merge', dryRun: true });
      expect(dry.status, JSON.stringify(dry.json)).toBe(200);
      expect(dry.json.source).toBe('octopus');
      expect(dry.json.changes.channels).toMatchObject({ create: 2, delete: 0 });
      expect(dry.json.changes.groups).toMatchObject({ create: 2 });
      expect(dry.json.changes.apiKeys).toMatchObject({ create: 1 });
      expect(dry.json.changes.prices).toMatchObject({ create: 2 });
      const warnings = (dry.json.warnings as string[]).join('\n');
      for (const w of [/type 42/, /2 base URLs/, /auto_sync/, /encrypted by octopus/, /"with space"/, /channel 5, which was not imported/,
        /per-request price/, /stats_daily \(1\)/, /cors_allow_origins/, /circuit breaker/]) expect(warnings).toMatch(w);
      expect((await admin(cookie, 'GET', '/channels')).json.data.some((ch: any) => ch.name === 'oc-openai')).toBe(false);

      const real = await importWith(cookie, { file, mode: 'merge' });
      expect(real.status, JSON.stringify(real.json)).toBe(200);
      const channels = (await admin(cookie, 'GET', '/channels')).json.data;
      const oc = channels.find((ch: any) => ch.name === 'oc-openai');
      expect(oc).toMatchObject({ type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, overrides: { body: { max_tokens: 321 } } });
      expect(oc.models).toEqual(['gpt-4.1-nano', 'gpt-4.1-mini', 'my-model']);
      expect(oc.keys.map((k: any) => k.enabled)).toEqual([true, false]);
      expect(oc.headers).toEqual({ 'x-org-token': '…3456', 'x-team': 'blue' });
      expect(channels.find((ch: any) => ch.name === 'oc-claude')).toMatchObject({ type: 'anthropic' });
      const group = (await admin(cookie, 'GET', '/groups')).json.data.find((g: any) => g.name === 'oc-gpt');
      expect(group).toMatchObject({ mode: 'failover', patterns: ['^oc-gpt-.*$'], settings: { firstByteTimeoutMs: 30_000, stickyTtlMs: 600_000, breakerThreshold: 4 } });
      expect(group.members.map((m: any) => [m.upstreamModel, m.priority, m.weight])).toEqual([['gpt-4.1-nano', 1, 1], ['claude-haiku-4-5', 2, 1]]);
      const key = (await admin(cookie, 'GET', '/keys')).json.data.find((k: any) => k.name === 'oc-client');
      expect(key).toMatchObject({ budgetUsd: 12.5, rpmLimit: 60, allowedGroups: ['oc-gpt', 'oc-mixed'], expiresAt: null });
      expect((await admin(cookie, 'GET', '/settings')).json).toMatchObject({ statsSaveIntervalSeconds: 120, logRetentionDays: 14 });
      const prices = await h.query("SELECT model AS model, input AS input, cache_read AS cr FROM prices WHERE source = 'user' AND model = ?", 'claude-haiku-4-5');
      expect(prices).toEqual([{ model: 'claude-haiku-4-5', input: 1_000_000_000, cr: 100_000_000 }]);

      // The octopus client key itself still works, and the upstream gets the octopus channel key.
      const res = await chat(clientKey, 'oc-gpt');
      expect(res.status, await res.clone().text()).toBe(200);
      const seen = (await received(up.id)).at(-1);
      expect(seen.headers.authorization).toBe(`Bearer ${upstreamKey}`);
      expect(seen.headers['x-org-token']).toBe('org-secret-123456');
      expect(seen.json.max_tokens).toBe(321);

      const again = await importWith(cookie, { file, mode: 'merge', dryRun: true });
      expect(again.json.changes.channels).toMatchObject({ create: 0, update: 0, unchanged: 2 });
      expect(again.json.changes.apiKeys).toMatchObject({ create: 0, update: 0, unchanged: 1 });
    });
  });
}
