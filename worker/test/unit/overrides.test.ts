/** Request overrides (lib/overrides.ts): the RFC 7396 merge, header edits, validation and sealing. */
import { describe, expect, it } from 'vitest';
import { OverridesInput } from '../../src/admin/schemas';
import { KeyVault } from '../../src/lib/crypto';
import {
  OVERRIDES_MAX_CHARS, OVERRIDES_MAX_DEPTH, applyHeaderEdits, applyMergePatch, compileOverrides, normalizeOverrides, overridesProblem, patchBody,
} from '../../src/lib/overrides';
import { maskOverrides, openHeaderEdits, sealOverrides } from '../../src/lib/override-secrets';

describe('applyMergePatch (RFC 7396)', () => {
  // The examples of RFC 7396 Appendix A, each [target, patch, result].
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, result] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      const before = JSON.stringify(target);
      expect(applyMergePatch(target, patch)).toEqual(result);
      expect(JSON.stringify(target)).toBe(before); // the target is not changed
    });
  }

  it('copies only the patched path; untouched members are shared', () => {
    const tools = [{ name: 't' }];
    const target = { tools, generation: { temperature: 1, topK: 3 } };
    const out = applyMergePatch(target, { generation: { topK: null } }) as typeof target;
    expect(out.tools).toBe(tools);
    expect(out.generation).not.toBe(target.generation);
    expect(target.generation.topK).toBe(3);
  });

  it('keeps a member named __proto__ a plain member', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__":{"x":1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1}}');
  });

  it('patchBody applies patches in order (channel, then member)', () => {
    const body = { max_tokens: 10, temperature: 1 };
    expect(patchBody(body, [{ max_tokens: 100, top_p: 0.5 }, { max_tokens: 200, temperature: null }])).toEqual({ max_tokens: 200, top_p: 0.5 });
    expect(patchBody(body, [])).toBe(body);
  });
});

describe('header edits', () => {
  it('set and remove, whatever the case of the name already there', () => {
    const out = applyHeaderEdits({ 'Anthropic-Beta': 'x', 'x-keep': '1', 'x-org': 'old' }, [['anthropic-beta', null], ['x-org', 'new'], ['x-add', 'a']]);
    expect(out).toEqual({ 'x-keep': '1', 'x-org': 'new', 'x-add': 'a' });
  });

  it('a later edit of the same name wins (member after channel)', () => {
    expect(applyHeaderEdits({}, [['x-a', '1'], ['x-a', null]])).toEqual({});
    expect(applyHeaderEdits({ 'x-a': '0' }, [['x-a', null], ['x-a', '2']])).toEqual({ 'x-a': '2' });
  });

  it('compileOverrides: channel first, then member; null when nothing', () => {
    expect(compileOverrides(null, null)).toBeNull();
    expect(compileOverrides({}, { body: {} })).toBeNull();
    const c = compileOverrides({ body: { a: 1 }, headers: { 'X-A': '1' } }, { body: { b: 2 }, headers: { 'x-a': null } })!;
    expect(c.body).toEqual([{ a: 1 }, { b: 2 }]);
    expect(c.headers).toEqual([['x-a', '1'], ['x-a', null]]);
  });
});

describe('validation', () => {
  const ok = (v: unknown) => expect(overridesProblem(v)).toBeNull();
  const bad = (v: unknown, words: RegExp) => expect(overridesProblem(v)).toMatch(words);

  it('accepts null, a body patch and header edits', () => {
    ok(null);
    ok({});
    ok({ body: { max_tokens: 4096, reasoning: { effort: 'high' }, temperature: null }, headers: { 'x-org': 'o-1', 'anthropic-beta': null } });
  });

  it('refuses the keys the gateway relies on', () => {
    bad({ body: { stream: false } }, /^body\.stream: cannot be overridden/);
    bad({ body: { stream_options: { include_usage: false } } }, /^body\.stream_options: cannot be overridden .*usage/);
    bad({ body: { model: 'x' } }, /^body\.model: cannot be overridden/);
    // Only at the top level: a nested `model` or `stream` is some other field.
    ok({ body: { metadata: { model: 'x', stream: true } } });
  });

  it('refuses the auth and wire headers, set or removed, in any case', () => {
    for (const name of ['Authorization', 'x-api-key', 'X-Goog-Api-Key', 'host', 'content-length', 'content-type', 'accept-encoding']) {
      bad({ headers: { [name]: 'v' } }, new RegExp(`^headers\\.${name}: cannot be set or removed`));
      bad({ headers: { [name]: null } }, /cannot be set or removed/);
    }
  });

  it('refuses bad header names and values', () => {
    bad({ headers: { 'x y': 'v' } }, /^headers\.x y: must be a header name/);
    bad({ headers: { 'x-a': 'a\r\nx-b: b' } }, /line breaks/);
    bad({ headers: { 'x-a': 1 } }, /must be a string, or null/);
    bad({ headers: { 'X-A': '1', 'x-a': '2' } }, /named twice/);
  });

  it('refuses other shapes, size and depth', () => {
    bad('x', /must be an object/);
    bad({ body: [1] }, /^body: must be a JSON object/);
    bad({ query: {} }, /^query: unknown field/);
    bad({ body: { text: 'x'.repeat(OVERRIDES_MAX_CHARS) } }, /at most 16384 characters/);
    let deep: unknown = 1;
    for (let i = 0; i < OVERRIDES_MAX_DEPTH; i++) deep = { d: deep };
    bad({ body: deep }, /nest at most/);
  });

  it('the admin schema reports the same words', () => {
    const r = OverridesInput.safeParse({ body: { stream: true } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['body', 'stream']);
    expect(r.error!.issues[0]!.message).toMatch(/^cannot be overridden/);
    expect(OverridesInput.parse(null)).toBeNull();
  });

  it('normalizeOverrides: lower-case header names, empty parts dropped', () => {
    expect(normalizeOverrides({ body: {}, headers: {} })).toBeNull();
    expect(normalizeOverrides({ headers: { 'X-Org': 'a' } })).toEqual({ headers: { 'x-org': 'a' } });
  });
});

describe('credential header values', () => {
  it('are sealed, shown as a hint, kept when the hint comes back, and opened for the call', async () => {
    const vault = new KeyVault('test-encryption-key-0123456789');
    const sealed = (await sealOverrides(vault, { headers: { 'X-Second-Key': 'sk-second-secret-1234', 'x-org': 'org-1', 'x-drop': null } }))!;
    expect(sealed.headers!['x-second-key']).toMatch(/^oe-enc:/);
    expect(sealed.headers!['x-org']).toBe('org-1');
    expect(maskOverrides(sealed)!.headers).toEqual({ 'x-second-key': '…1234', 'x-org': 'org-1', 'x-drop': null });
    const again = (await sealOverrides(vault, maskOverrides(sealed), sealed))!;
    expect(again.headers!['x-second-key']).toBe(sealed.headers!['x-second-key']);
    expect(await openHeaderEdits(vault, compileOverrides(again)!.headers)).toEqual([['x-second-key', 'sk-second-secret-1234'], ['x-org', 'org-1'], ['x-drop', null]]);
  });
});
