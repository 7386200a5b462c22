/** resolvePrice: user price wins, then models.dev, then unknown. */
import { describe, expect, it } from 'vitest';
import type { Price } from '../../../src/accounting/cost';
import { modelsDevIndex, parseModelsDev } from '../../../src/accounting/modelsdev';
import { resolvePrice, type PriceSources } from '../../../src/accounting/prices';
import { loadSnapshot } from './snapshot';

const userPrice: Price = { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 };
const sources: PriceSources = {
  user: new Map([['gpt-4o', userPrice], ['my-finetune', { input: 5, output: 6, cacheRead: 5, cacheWrite: 5 }]]),
  modelsDev: modelsDevIndex(parseModelsDev(loadSnapshot())),
};

describe('resolvePrice', () => {
  it('uses the user price for the exact model name, over models.dev', () => {
    expect(resolvePrice('gpt-4o', 'openai-chat', sources)).toEqual({ price: userPrice, source: 'user', matchedId: 'gpt-4o' });
    expect(resolvePrice('my-finetune', 'anthropic', sources)).toMatchObject({ source: 'user', matchedId: 'my-finetune' });
  });

  it('does not normalise user price names', () => {
    expect(resolvePrice('GPT-4o', 'openai-chat', sources)).toMatchObject({ source: 'models.dev', matchedId: 'gpt-4o', provider: 'openai', match: 'normalized' });
  });

  it('falls back to models.dev with the channel type as provider hint', () => {
    expect(resolvePrice('claude-sonnet-4-20250514', 'anthropic', sources)).toEqual({
      price: { input: 3_000_000_000, output: 15_000_000_000, cacheRead: 300_000_000, cacheWrite: 3_750_000_000 },
      source: 'models.dev',
      matchedId: 'claude-sonnet-4-20250514',
      provider: 'anthropic',
      match: 'exact',
    });
    expect(resolvePrice('models/gemini-2.5-flash', 'gemini', sources)).toMatchObject({ source: 'models.dev', matchedId: 'gemini-2.5-flash', provider: 'google', match: 'normalized' });
  });

  it('reports unknown when neither source has the model', () => {
    expect(resolvePrice('octopus-imaginary-model-9000', 'openai-chat', sources)).toEqual({ price: null, source: 'unknown' });
    expect(resolvePrice('', 'gemini', sources)).toEqual({ price: null, source: 'unknown' });
    const empty: PriceSources = { user: new Map(), modelsDev: modelsDevIndex([]) };
    expect(resolvePrice('gpt-4o', 'openai-chat', empty)).toEqual({ price: null, source: 'unknown' });
  });
});
