/** matchModel: exact before normalized, and the documented choice among several providers. */
import { describe, expect, it } from 'vitest';
import { FIRST_PARTY_PROVIDERS, matchModel, providerHintFor } from '../../../src/accounting/match';
import { modelsDevIndex, parseModelsDev, type ModelsDevPrice } from '../../../src/accounting/modelsdev';
import { usdPerMillionToNano } from '../../../src/accounting/money';
import { loadSnapshot, rawCost } from './snapshot';

/** A synthetic entry whose input price (nano/M) tells the entries apart. */
const e = (provider: string, model: string, input = 1, output = input): ModelsDevPrice => ({
  provider, model, price: { input, output, cacheRead: input, cacheWrite: input },
});

describe('providerHintFor', () => {
  it('maps channel types to the models.dev provider of their native API', () => {
    expect(providerHintFor('openai-chat')).toBe('openai');
    expect(providerHintFor('openai-responses')).toBe('openai');
    expect(providerHintFor('anthropic')).toBe('anthropic');
    expect(providerHintFor('gemini')).toBe('google');
  });
});

describe('matchModel stages (synthetic catalogue)', () => {
  const index = modelsDevIndex([
    e('openai', 'gpt-4o', 2500),
    e('openai', 'gpt-4o-2024-05-13', 5000),
    e('openai', 'gpt-4o-2024-11-20', 2500),
    e('anthropic', 'claude-sonnet-4-20250514', 3000),
    e('anthropic', 'claude-3-5-haiku', 800),
    e('google', 'gemini-2.5-pro', 1250),
  ]);

  it('matches an exact id', () => {
    expect(matchModel('gpt-4o', index)).toEqual({ id: 'gpt-4o', provider: 'openai', price: e('', '', 2500).price, match: 'exact' });
    // A dated id with its own price is found exactly, not normalised to the alias.
    expect(matchModel('gpt-4o-2024-05-13', index)?.price.input).toBe(5000);
  });

  it('matches case-insensitively and through provider prefixes, as normalized', () => {
    expect(matchModel('GPT-4o', index)).toMatchObject({ id: 'gpt-4o', match: 'normalized' });
    expect(matchModel('openai/gpt-4o', index)).toMatchObject({ id: 'gpt-4o', match: 'normalized' });
    expect(matchModel('models/gemini-2.5-pro', index)).toMatchObject({ id: 'gemini-2.5-pro', provider: 'google', match: 'normalized' });
    expect(matchModel('google/gemini-2.5-pro', index)).toMatchObject({ id: 'gemini-2.5-pro', match: 'normalized' });
    expect(matchModel('anthropic/claude-sonnet-4-20250514', index)).toMatchObject({ id: 'claude-sonnet-4-20250514', match: 'normalized' });
  });

  it('matches through date suffixes and -latest', () => {
    expect(matchModel('claude-sonnet-4-latest', index)).toMatchObject({ id: 'claude-sonnet-4-20250514', match: 'normalized' });
    expect(matchModel('claude-sonnet-4@20250514', index)).toMatchObject({ id: 'claude-sonnet-4-20250514', match: 'normalized' });
    expect(matchModel('claude-3-5-haiku-20241022', index)).toMatchObject({ id: 'claude-3-5-haiku', match: 'normalized' });
    expect(matchModel('claude-3-5-haiku-latest', index)).toMatchObject({ id: 'claude-3-5-haiku', match: 'normalized' });
  });

  it('prefers a same-provider bare match over a base match, and the undated alias among dated ids', () => {
    expect(matchModel('OpenAI/GPT-4o-2024-05-13', index)).toMatchObject({ id: 'gpt-4o-2024-05-13', match: 'normalized' });
    // An unlisted date: base `gpt-4o` has three openai entries; the alias carries the current price.
    expect(matchModel('gpt-4o-2099-01-01', index)).toMatchObject({ id: 'gpt-4o', match: 'normalized', price: { input: 2500 } });
  });

  it('returns null for unknown names', () => {
    expect(matchModel('no-such-model', index)).toBeNull();
    expect(matchModel('', index)).toBeNull();
    expect(matchModel('openai/', index)).toBeNull();
    expect(matchModel('gpt-4', index)).toBeNull();
  });
});

describe('matchModel ambiguity rule (synthetic catalogue)', () => {
  const index = modelsDevIndex([
    e('zeta-router', 'shared-model', 11),
    e('anthropic', 'shared-model', 22),
    e('openai', 'shared-model', 33),
    e('alpha-router', 'shared-model', 44),
    e('alpha-router', 'resold', 0),
    e('beta-router', 'resold', 7),
    e('gamma-router', 'resold', 9),
    e('free-a', 'free-only', 0),
    e('free-b', 'free-only', 0),
  ]);

  it('prefers the hinted provider', () => {
    expect(matchModel('shared-model', index, 'openai')?.provider).toBe('openai');
    expect(matchModel('shared-model', index, 'anthropic')?.provider).toBe('anthropic');
    expect(matchModel('Shared-Model', index, 'openai')).toMatchObject({ provider: 'openai', match: 'normalized' });
  });

  it('falls back to first-party vendors, in FIRST_PARTY_PROVIDERS order, when the hint does not list the model', () => {
    expect(FIRST_PARTY_PROVIDERS.indexOf('openai')).toBeLessThan(FIRST_PARTY_PROVIDERS.indexOf('anthropic'));
    expect(matchModel('shared-model', index)?.provider).toBe('openai');
    expect(matchModel('shared-model', index, 'google')?.provider).toBe('openai');
  });

  it('otherwise drops zero prices and picks the first provider id in code-unit order', () => {
    expect(matchModel('resold', index, 'openai')).toMatchObject({ provider: 'beta-router', price: { input: 7 } });
    expect(matchModel('free-only', index)).toMatchObject({ provider: 'free-a', price: { input: 0 } });
  });

  it('does not depend on catalogue order', () => {
    const reversed = modelsDevIndex([e('gamma-router', 'resold', 9), e('beta-router', 'resold', 7), e('alpha-router', 'resold', 0)]);
    expect(matchModel('resold', reversed)?.provider).toBe('beta-router');
  });
});

describe('matchModel on the real snapshot', () => {
  const index = modelsDevIndex(parseModelsDev(loadSnapshot()));
  const nano = (provider: string, model: string, field: string) => usdPerMillionToNano(rawCost(provider, model)[field] as number);

  it('finds well-known models at their makers’ prices', () => {
    expect(matchModel('gpt-4o', index, 'openai')).toMatchObject({ id: 'gpt-4o', provider: 'openai', match: 'exact', price: { input: nano('openai', 'gpt-4o', 'input') } });
    expect(matchModel('claude-sonnet-4-20250514', index, 'anthropic')).toMatchObject({ provider: 'anthropic', match: 'exact', price: { cacheWrite: 3_750_000_000 } });
    expect(matchModel('models/gemini-2.5-pro', index, 'google')).toMatchObject({ id: 'gemini-2.5-pro', provider: 'google', match: 'normalized', price: { input: 1_250_000_000 } });
  });

  it('uses the maker, not a reseller, for an OpenAI-compatible channel serving another vendor', () => {
    // deepseek-chat is listed by 302ai, deepseek and nano-gpt at different prices.
    expect(matchModel('deepseek-chat', index, 'openai')).toMatchObject({ provider: 'deepseek', price: { input: 140_000_000, cacheRead: 2_800_000 } });
  });

  it('resolves -latest and date suffixes to the vendor entry', () => {
    expect(matchModel('claude-sonnet-4-5-latest', index, 'anthropic')).toMatchObject({ id: 'claude-sonnet-4-5', provider: 'anthropic', match: 'normalized' });
    expect(matchModel('gpt-4o-2099-01-01', index, 'openai')).toMatchObject({ id: 'gpt-4o', provider: 'openai', match: 'normalized' });
    expect(matchModel('gpt-4o-2024-05-13', index, 'openai')).toMatchObject({ match: 'exact', price: { input: nano('openai', 'gpt-4o-2024-05-13', 'input') } });
  });

  it('matches an aggregator id exactly and skips a zero-priced listing', () => {
    // openai/gpt-4o is listed by several gateways, github-models at 0.
    const m = matchModel('openai/gpt-4o', index, 'openai');
    expect(m?.match).toBe('exact');
    expect(m?.price.input).toBe(2_500_000_000);
  });

  it('returns null for a name nobody lists', () => {
    expect(matchModel('octopus-imaginary-model-9000', index, 'openai')).toBeNull();
  });
});
