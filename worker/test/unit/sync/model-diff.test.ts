/** applyModelFilter, diffModels and mergeChannelModels: pure list arithmetic. */
import { describe, expect, it } from 'vitest';
import { applyModelFilter, diffModels, mergeChannelModels } from '../../../src/sync/model-diff';

describe('applyModelFilter', () => {
  const ids = ['gpt-4o', 'GPT-4o-mini', 'o3', 'text-embedding-3-small', 'gpt-4.1'];

  it('null or empty keeps every id (as a copy)', () => {
    expect(applyModelFilter(ids, null)).toEqual(ids);
    expect(applyModelFilter(ids, '')).toEqual(ids);
    expect(applyModelFilter(ids, null)).not.toBe(ids);
  });

  it('is an unanchored, case-sensitive regex, order kept', () => {
    expect(applyModelFilter(ids, 'gpt')).toEqual(['gpt-4o', 'gpt-4.1']);
    expect(applyModelFilter(ids, '4o')).toEqual(['gpt-4o', 'GPT-4o-mini']);
    expect(applyModelFilter(ids, '^(gpt|o\\d)')).toEqual(['gpt-4o', 'o3', 'gpt-4.1']);
    expect(applyModelFilter(ids, '^gpt-4o$')).toEqual(['gpt-4o']);
    expect(applyModelFilter(ids, '^(?!text-embedding)')).toEqual(['gpt-4o', 'GPT-4o-mini', 'o3', 'gpt-4.1']);
  });

  it('an invalid regex throws a clear Error', () => {
    expect(() => applyModelFilter(ids, 'gpt-(4')).toThrow(/^invalid model filter \/gpt-\(4\/: /);
    expect(() => applyModelFilter([], '[')).toThrow(Error);
  });
});

describe('diffModels', () => {
  it('splits into added (sorted), missing and kept (channel order)', () => {
    expect(diffModels(['b', 'z', 'a', 'gone'], ['y', 'a', 'x', 'b', 'z'])).toEqual({
      added: ['x', 'y'],
      missing: ['gone'],
      kept: ['b', 'z', 'a'],
    });
  });

  it('ignores duplicates and compares exactly', () => {
    expect(diffModels(['a', 'a', 'B'], ['b', 'a', 'a', 'c', 'c'])).toEqual({ added: ['b', 'c'], missing: ['B'], kept: ['a'] });
  });

  it('empty inputs', () => {
    expect(diffModels([], [])).toEqual({ added: [], missing: [], kept: [] });
    expect(diffModels([], ['b', 'a'])).toEqual({ added: ['a', 'b'], missing: [], kept: [] });
    expect(diffModels(['b', 'a'], [])).toEqual({ added: [], missing: ['b', 'a'], kept: [] });
  });
});

describe('mergeChannelModels', () => {
  it('keeps every existing model in its order (even missing ones), then adds new ones sorted', () => {
    expect(mergeChannelModels(['m2', 'old', 'm1'], ['n2', 'm1', 'n1', 'm2'])).toEqual(['m2', 'old', 'm1', 'n1', 'n2']);
  });

  it('an empty fetch changes nothing; an empty channel takes the fetched list sorted', () => {
    expect(mergeChannelModels(['b', 'a'], [])).toEqual(['b', 'a']);
    expect(mergeChannelModels([], ['b', 'a', 'b'])).toEqual(['a', 'b']);
  });

  it('removes duplicates already on the channel and does not mutate its inputs', () => {
    const current = ['a', 'b', 'a'];
    const fetched = ['c', 'a'];
    expect(mergeChannelModels(current, fetched)).toEqual(['a', 'b', 'c']);
    expect(current).toEqual(['a', 'b', 'a']);
    expect(fetched).toEqual(['c', 'a']);
  });

  it('composes with the filter: filter the fetched list, then merge', () => {
    const fetched = applyModelFilter(['gpt-4o', 'whisper-1', 'gpt-5'], '^gpt');
    expect(mergeChannelModels(['gpt-4o', 'my-finetune'], fetched)).toEqual(['gpt-4o', 'my-finetune', 'gpt-5']);
    expect(diffModels(['gpt-4o', 'my-finetune'], fetched).missing).toEqual(['my-finetune']);
  });
});
