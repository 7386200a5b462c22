/** Model name resolution (config/resolve.ts), pattern checks (admin/patterns.ts), name clashes and catch records. */
import { describe, expect, it } from 'vitest';
import { GroupCreate } from '../../src/admin/schemas';
import { nameClash } from '../../src/admin/group-names';
import { patternProblem } from '../../src/admin/patterns';
import { MAX_PATTERN_SUBJECT, ModelResolver, RESOLVE_CACHE_SIZE, compilePattern } from '../../src/config/resolve';
import type { Group } from '../../src/db/types';
import { CatchLog } from '../../src/routing/catches';

const group = (id: number, name: string, over: Partial<Group> = {}): Group => ({
  id, name, mode: 'round-robin', settings: {}, aliases: [], patterns: [], enabled: true, members: [], createdAt: 0, updatedAt: 0, ...over,
});

describe('ModelResolver', () => {
  it('resolves a group name first, then an alias, then patterns', () => {
    const r = new ModelResolver([
      group(1, 'fast', { aliases: ['quick'], patterns: ['^gpt-'] }),
      group(2, 'gpt-4o', { patterns: ['^q'] }),
    ]);
    expect(r.resolve('fast')).toMatchObject({ group: { id: 1 }, via: 'name' });
    expect(r.resolve('quick')).toMatchObject({ group: { id: 1 }, via: 'alias' });
    // An exact name is never taken by a pattern, even one of an older group that matches it.
    expect(r.resolve('gpt-4o')).toMatchObject({ group: { id: 2 }, via: 'name' });
    expect(r.resolve('gpt-4.1')).toEqual({ group: expect.objectContaining({ id: 1 }), via: 'pattern', pattern: '^gpt-' });
    expect(r.resolve('qwen')).toMatchObject({ group: { id: 2 }, via: 'pattern' });
    expect(r.resolve('nothing')).toBeNull();
  });

  it('tries patterns by group id, then in list order, whatever order the groups come in', () => {
    const r = new ModelResolver([
      group(7, 'late', { patterns: ['^claude'] }),
      group(3, 'early', { patterns: ['sonnet$', '^claude-opus'] }),
    ]);
    expect(r.resolve('claude-opus-4')).toMatchObject({ group: { id: 3 }, pattern: '^claude-opus' });
    expect(r.resolve('claude-3-5-sonnet')).toMatchObject({ group: { id: 3 }, pattern: 'sonnet$' });
    expect(r.resolve('claude-haiku')).toMatchObject({ group: { id: 7 }, pattern: '^claude' });
  });

  it('skips disabled groups’ patterns, but a disabled group keeps its name and aliases', () => {
    const r = new ModelResolver([
      group(1, 'off', { enabled: false, aliases: ['off-alias'], patterns: ['.*'] }),
      group(2, 'catch-all', { patterns: ['.*'] }),
    ]);
    expect(r.resolve('anything')).toMatchObject({ group: { id: 2 } });
    expect(r.resolve('off')).toMatchObject({ group: { id: 1 }, via: 'name' });
    expect(r.resolve('off-alias')).toMatchObject({ group: { id: 1 }, via: 'alias' });
  });

  it('matches the slash form case-insensitively and never tries patterns on over-long names', () => {
    const r = new ModelResolver([group(1, 'g', { patterns: ['/^GPT-4/i'] })]);
    expect(r.resolve('gpt-4o')).toMatchObject({ via: 'pattern' });
    expect(r.resolve(`gpt-4${'x'.repeat(MAX_PATTERN_SUBJECT)}`)).toBeNull();
    expect(compilePattern('/a/i').flags).toBe('i');
    expect(compilePattern('a/i').flags).toBe('');
  });

  it('ignores a stored pattern that does not compile', () => {
    const r = new ModelResolver([group(1, 'g', { patterns: ['(', '^ok$'] })]);
    expect(r.resolve('ok')).toMatchObject({ group: { id: 1 } });
  });

  it('keeps the cache of pattern results bounded and answers alike after it starts over', () => {
    const r = new ModelResolver([group(1, 'g', { patterns: ['^m-'] })]);
    for (let i = 0; i < RESOLVE_CACHE_SIZE + 10; i++) r.resolve(`m-${i}`);
    expect((r as unknown as { cache: Map<string, unknown> }).cache.size).toBeLessThanOrEqual(RESOLVE_CACHE_SIZE);
    expect(r.resolve('m-1')).toMatchObject({ group: { id: 1 } });
    expect(r.resolve('x-1')).toBeNull();
  });
});

describe('patternProblem', () => {
  it.each(['^gpt-4.*', 'claude-3-.*-latest', '^claude-(opus|sonnet|haiku)-4(-\\d+)?$', 'gpt-4o-\\d{4}-\\d{2}-\\d{2}', '/^GPT/i', '^claude-.*-.*$', '^[^/]+/gpt-4'])(
    'accepts %s', (p) => expect(patternProblem(p)).toBeNull(),
  );

  it.each([
    ['(a+)+$', 'repeat a part'], ['(x?)*', 'repeat a part'], ['^(\\w+\\s?)*$', 'repeat a part'], ['(a|a)*$', 'alternation'], ['(a|ab)*c', 'alternation'],
    ['a.*a.*a.*b', 'open-ended'], ['.*.*x', 'open-ended'], ['^a+b+c+$', 'open-ended'], ['(a)\\1', 'back-references'], ['[', 'not a valid regular expression'],
    ['/x/g', 'i flag'], ['(?<=a)b', 'cannot read'], ['', 'empty'], ['x'.repeat(201), 'at most 200'],
    [`^${'(a|b)'.repeat(9)}`, 'combinations'],
  ])('refuses %s', (p, why) => expect(patternProblem(p)).toContain(why));

  it('is what the group schema applies, with the field path, a count cap and no duplicates', () => {
    const bad = GroupCreate.safeParse({ name: 'g', patterns: ['^ok', '(a+)+'] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['patterns', 1]);
    expect(GroupCreate.safeParse({ name: 'g', patterns: Array.from({ length: 21 }, (_, i) => `^m${i}`) }).success).toBe(false);
    expect(GroupCreate.safeParse({ name: 'g', patterns: ['^a', '^a'] }).success).toBe(false);
    expect(GroupCreate.safeParse({ name: 'g', aliases: ['a b'] }).success).toBe(false);
    expect(GroupCreate.safeParse({ name: 'g', aliases: ['x', 'x'] }).success).toBe(false);
    expect(GroupCreate.safeParse({ name: 'g', aliases: ['x'], patterns: ['^gpt-'] }).success).toBe(true);
  });
});

describe('nameClash', () => {
  const groups = [group(1, 'fast', { aliases: ['quick'] }), group(2, 'slow')];
  it('refuses an alias that is another group’s name or alias, or the group’s own name', () => {
    expect(nameClash(groups, null, 'new', ['slow'])).toBe('aliases.0: "slow" is already the name of group "slow"');
    expect(nameClash(groups, 2, 'slow', ['x', 'quick'])).toBe('aliases.1: "quick" is already an alias of group "fast"');
    expect(nameClash(groups, null, 'new', ['new'])).toBe('aliases.0: "new" is the group\'s own name');
  });
  it('refuses a name that is another group’s alias, and lets a group keep its own aliases', () => {
    expect(nameClash(groups, null, 'quick', [])).toBe('name: "quick" is already an alias of group "fast"');
    expect(nameClash(groups, 1, 'fast', ['quick'])).toBeNull();
    // Name against name is the store's unique constraint: left to it.
    expect(nameClash(groups, null, 'slow', [])).toBeNull();
  });
});

describe('CatchLog', () => {
  it('keeps the most recent distinct names first, counts repeats and stays bounded', () => {
    const log = new CatchLog(3);
    log.note('a', '^a', 1);
    log.note('b', '^b', 2);
    log.note('a', '^a', 3);
    log.note('c', '^c', 4);
    log.note('d', '^d', 5);
    expect(log.list().map((c) => c.model)).toEqual(['d', 'c', 'a']);
    expect(log.list()[2]).toEqual({ model: 'a', pattern: '^a', count: 2, firstAt: 1, lastAt: 3 });
  });
  it('notes only records a pattern brought', () => {
    const log = new CatchLog();
    log.noteRecord({ time: 1 });
    log.noteRecord({ time: 2, requested: { model: 'q', via: 'alias' } });
    log.noteRecord({ time: 3, requested: { model: 'gpt-x', via: 'pattern', pattern: '^gpt' } });
    expect(log.list()).toEqual([{ model: 'gpt-x', pattern: '^gpt', count: 1, firstAt: 3, lastAt: 3 }]);
  });
});
