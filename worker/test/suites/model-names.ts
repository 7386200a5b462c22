/**
 * Model names beyond a group's own (issue 14.3): aliases and patterns, their order, key
 * restrictions, model lists, save-time checks, recent pattern catches and config freshness.
 * Every name and pattern carries a fresh prefix: the suites share one database, and a loose
 * pattern would catch other tests' names.
 */
import { describe, expect, it } from 'vitest';
import { tools, uid, until, type Harness } from './harness';

export function modelNamesSuite(h: Harness): void {
  const { admin, gateway, login, received, routeTo, scenario } = tools(h);
  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';

  function chat(clientKey: string, model: string) {
    return gateway('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  }

  /** Sends one request and returns its status, the reply's body consumed. */
  async function status(clientKey: string, model: string): Promise<number> {
    const res = await chat(clientKey, model);
    await res.arrayBuffer();
    return res.status;
  }

  /** Two groups on two upstreams, so where a name went shows in which upstream got the request. */
  async function twoGroups(cookie: string) {
    const p = `p${uid()}`;
    const upA = await scenario({ json: TEXT_JSON });
    const upB = await scenario({ json: TEXT_JSON });
    const a = await routeTo(cookie, [upA], { upstreamModel: 'upstream-a' });
    const b = await routeTo(cookie, [upB], { upstreamModel: 'upstream-b' });
    return { p, upA, upB, a, b };
  }

  describe('aliases and patterns', () => {
    it('route an alias and a pattern to their group, exact name before alias before pattern, with the member\'s upstream model', async () => {
      const cookie = await login();
      const { p, upA, upB, a, b } = await twoGroups(cookie);
      // Group a (older) has a pattern that would match b's name and alias: it must take neither.
      expect((await admin(cookie, 'PATCH', `/groups/${a.groupId}`, { aliases: [`${p}-alias-a`], patterns: [`^${p}-`, `^${b.group}$`] })).status).toBe(200);
      const g = await admin(cookie, 'PATCH', `/groups/${b.groupId}`, { aliases: [`${p}-alias-b`], patterns: [`^${p}-b-`] });
      expect(g.status).toBe(200);
      expect(g.json).toMatchObject({ aliases: [`${p}-alias-b`], patterns: [`^${p}-b-`] });
      expect((await admin(cookie, 'GET', `/groups/${b.groupId}`)).json).toMatchObject({ aliases: [`${p}-alias-b`], patterns: [`^${p}-b-`] });

      expect(await status(a.clientKey, `${p}-alias-a`)).toBe(200);
      expect(await status(a.clientKey, `${p}-anything`)).toBe(200);
      // Exact name and alias of b win over a's patterns; b's own pattern loses to a's older one.
      expect(await status(a.clientKey, b.group)).toBe(200);
      expect(await status(a.clientKey, `${p}-alias-b`)).toBe(200);
      expect(await status(a.clientKey, `${p}-b-x`)).toBe(200);
      expect(await status(a.clientKey, `x-${p}`)).toBe(404);

      const toA = await received(upA.id);
      const toB = await received(upB.id);
      expect(toA.length).toBe(3);
      expect(toB.length).toBe(2);
      expect(toA.every((r) => r.json.model === 'upstream-a')).toBe(true);
      expect(toB.every((r) => r.json.model === 'upstream-b')).toBe(true);
    });

    it('record the group\'s name in logs and show the names a pattern caught on the group', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const p = `p${uid()}`;
      await admin(cookie, 'PATCH', `/groups/${r.groupId}`, { aliases: [`${p}-alias`], patterns: [`^${p}-`] });
      expect(await status(r.clientKey, `${p}-one`)).toBe(200);
      expect(await status(r.clientKey, `${p}-one`)).toBe(200);
      expect(await status(r.clientKey, `${p}-alias`)).toBe(200);
      const caught = await until(async () => (await admin(cookie, 'GET', `/groups/${r.groupId}/catches`)).json.catches as any[], (c) => c.length > 0 && c[0].count === 2);
      // Aliases are exact names, not catches: only the pattern's name is listed.
      expect(caught).toEqual([{ model: `${p}-one`, pattern: `^${p}-`, count: 2, firstAt: expect.any(Number), lastAt: expect.any(Number) }]);
      expect((await admin(cookie, 'GET', '/groups/999999/catches')).status).toBe(404);
      // The same in the all-groups health answer the dashboard polls.
      const all = (await admin(cookie, 'GET', '/groups/health')).json.groups;
      expect(all[r.groupId].catches).toEqual(caught);

      expect(await h.flush(r.groupId, 3)).toBe(true);
      const logs = await h.query('SELECT group_name AS g FROM request_logs WHERE group_name = ?', r.group);
      expect(logs.length).toBe(3);
    });

    it('apply a key\'s allowed groups to the group a pattern or alias resolved to', async () => {
      const cookie = await login();
      const { p, a, b } = await twoGroups(cookie);
      await admin(cookie, 'PATCH', `/groups/${a.groupId}`, { aliases: [`${p}-alias`], patterns: [`^${p}-`] });
      await admin(cookie, 'PATCH', `/keys/${a.keyId}`, { allowedGroups: [a.group] });
      await admin(cookie, 'PATCH', `/keys/${b.keyId}`, { allowedGroups: [b.group] });
      expect(await status(a.clientKey, `${p}-x`)).toBe(200);
      expect(await status(a.clientKey, `${p}-alias`)).toBe(200);
      // Not allowed answers like unknown: 404, no probing.
      expect(await status(b.clientKey, `${p}-x`)).toBe(404);
      expect(await status(b.clientKey, `${p}-alias`)).toBe(404);
      const models = await gateway(`/v1/models/${p}-x`, { headers: { authorization: `Bearer ${b.clientKey}` } });
      expect(models.status).toBe(404);
      await models.arrayBuffer();
    });

    it('list names and aliases (not patterns) in /v1/models and /v1beta/models; a pattern-caught name can be retrieved', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const p = `p${uid()}`;
      await admin(cookie, 'PATCH', `/groups/${r.groupId}`, { aliases: [`${p}-alias`], patterns: [`^${p}-`] });
      await admin(cookie, 'PATCH', `/keys/${r.keyId}`, { allowedGroups: [r.group] });
      const openai = (await (await gateway('/v1/models', { headers: { authorization: `Bearer ${r.clientKey}` } })).json()) as any;
      expect(openai.data.map((m: any) => m.id)).toEqual([r.group, `${p}-alias`]);
      const gemini = (await (await gateway('/v1beta/models', { headers: { 'x-goog-api-key': r.clientKey } })).json()) as any;
      expect(gemini.models.map((m: any) => m.name)).toEqual([`models/${r.group}`, `models/${p}-alias`]);
      const one = await gateway(`/v1/models/${p}-caught`, { headers: { authorization: `Bearer ${r.clientKey}` } });
      expect(one.status).toBe(200);
      expect(((await one.json()) as any).id).toBe(`${p}-caught`);
    });

    it('refuse a bad or catastrophic pattern (400) and an alias another group already answers to (409)', async () => {
      const cookie = await login();
      const { p, a, b } = await twoGroups(cookie);
      await admin(cookie, 'PATCH', `/groups/${a.groupId}`, { aliases: [`${p}-alias`] });
      const cases: [unknown, RegExp][] = [
        [{ patterns: ['(a+)+$'] }, /^patterns\.0: must not repeat/],
        [{ patterns: [`^${p}`, '(x|xy)*z'] }, /^patterns\.1: must not repeat an alternation/],
        [{ patterns: ['a.*a.*a.*b'] }, /^patterns\.0: may have at most 1 open-ended/],
        [{ patterns: ['['] }, /^patterns\.0: is not a valid regular expression/],
        [{ patterns: ['/x/g'] }, /^patterns\.0: may only use the i flag/],
        [{ patterns: Array.from({ length: 21 }, (_, i) => `^${p}${i}`) }, /^patterns: at most 20/],
      ];
      for (const [body, message] of cases) {
        const res = await admin(cookie, 'PATCH', `/groups/${b.groupId}`, body);
        expect(res.status).toBe(400);
        expect(res.json.error.code).toBe('invalid_request');
        expect(res.json.error.message).toMatch(message);
      }
      const taken = await admin(cookie, 'PATCH', `/groups/${b.groupId}`, { aliases: [`${p}-alias`] });
      expect(taken.status).toBe(409);
      expect(taken.json.error.message).toBe(`aliases.0: "${p}-alias" is already an alias of group "${a.group}"`);
      expect((await admin(cookie, 'PATCH', `/groups/${b.groupId}`, { aliases: [a.group] })).json.error.message).toBe(`aliases.0: "${a.group}" is already the name of group "${a.group}"`);
      const named = await admin(cookie, 'POST', '/groups', { name: `${p}-alias` });
      expect(named.status).toBe(409);
      expect(named.json.error.message).toBe(`name: "${p}-alias" is already an alias of group "${a.group}"`);
      expect((await admin(cookie, 'GET', `/groups/${b.groupId}`)).json).toMatchObject({ aliases: [], patterns: [] });
    });

    it('take a new alias at once through the admin API, and a change made elsewhere within the config check interval', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up]);
      const p = `p${uid()}`;
      expect(await status(r.clientKey, `${p}-new`)).toBe(404);
      await admin(cookie, 'PATCH', `/groups/${r.groupId}`, { aliases: [`${p}-new`] });
      expect(await status(r.clientKey, `${p}-new`)).toBe(200);
      // Another instance's write: the row and the stored config version change, this instance's epoch does not.
      await h.exec('UPDATE "groups" SET aliases = ? WHERE id = ?', JSON.stringify([`${p}-new`, `${p}-elsewhere`]), r.groupId);
      await h.exec('UPDATE settings SET value = ? WHERE "key" = ?', JSON.stringify(`manual-${uid()}`), 'config-version');
      // CONFIG_CHECK_MS (2 s) plus one background check: polled for up to 10 s.
      const seen = await until(() => status(r.clientKey, `${p}-elsewhere`), (s) => s === 200);
      expect(seen).toBe(200);
      // Back to no aliases: the column holds null again.
      await admin(cookie, 'PATCH', `/groups/${r.groupId}`, { aliases: [] });
      expect(await status(r.clientKey, `${p}-new`)).toBe(404);
      const row = await h.query('SELECT aliases AS a FROM "groups" WHERE id = ?', r.groupId);
      expect(row[0]?.a ?? null).toBeNull();
    });
  });
}
