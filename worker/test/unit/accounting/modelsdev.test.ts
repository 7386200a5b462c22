/** parseModelsDev on the real models.dev snapshot and on malformed input; modelsDevIndex lookups. */
import { describe, expect, it } from 'vitest';
import { modelsDevIndex, parseModelsDev, type ModelsDevPrice } from '../../../src/accounting/modelsdev';
import { usdPerMillionToNano } from '../../../src/accounting/money';
import { loadSnapshot, rawCost } from './snapshot';

const parsed = parseModelsDev(loadSnapshot());
const find = (provider: string, model: string) => parsed.find((p) => p.provider === provider && p.model === model);

/** Expected Price read from the raw file, with the documented cache fallback to input. */
function expectedFromFile(provider: string, model: string) {
  const c = rawCost(provider, model) as { input: number; output: number; cache_read?: number; cache_write?: number };
  return {
    input: usdPerMillionToNano(c.input),
    output: usdPerMillionToNano(c.output),
    cacheRead: usdPerMillionToNano(c.cache_read ?? c.input),
    cacheWrite: usdPerMillionToNano(c.cache_write ?? c.input),
  };
}

describe('parseModelsDev on the real snapshot', () => {
  it('keeps every model that has a cost with numeric input and output', () => {
    let priced = 0;
    let total = 0;
    for (const provider of Object.values(loadSnapshot())) {
      for (const model of Object.values(provider.models)) {
        total++;
        if (typeof model.cost?.input === 'number' && typeof model.cost.output === 'number') priced++;
      }
    }
    expect(total).toBe(5258); // 145 providers, 5258 models (PROVENANCE.md)
    expect(priced).toBe(4886);
    expect(parsed).toHaveLength(priced);
    expect(new Set(parsed.map((p) => p.provider)).size).toBeGreaterThan(100);
  });

  it('matches the file for an OpenAI, an Anthropic and a Google model', () => {
    for (const [provider, model] of [['openai', 'gpt-4o'], ['anthropic', 'claude-sonnet-4-20250514'], ['google', 'gemini-2.5-pro']] as const) {
      expect(find(provider, model)?.price).toEqual(expectedFromFile(provider, model));
    }
  });

  it('converts to the exact nano-USD integers computed by hand from the file', () => {
    // openai gpt-4o: input 2.5, output 10, cache_read 1.25, no cache_write (→ input).
    expect(find('openai', 'gpt-4o')?.price).toEqual({ input: 2_500_000_000, output: 10_000_000_000, cacheRead: 1_250_000_000, cacheWrite: 2_500_000_000 });
    // anthropic claude-sonnet-4-20250514: 3, 15, 0.3, 3.75.
    expect(find('anthropic', 'claude-sonnet-4-20250514')?.price).toEqual({ input: 3_000_000_000, output: 15_000_000_000, cacheRead: 300_000_000, cacheWrite: 3_750_000_000 });
    // google gemini-2.5-pro: base tier 1.25 / 10 / 0.125 (context_over_200k and tiers ignored).
    expect(find('google', 'gemini-2.5-pro')?.price).toEqual({ input: 1_250_000_000, output: 10_000_000_000, cacheRead: 125_000_000, cacheWrite: 1_250_000_000 });
    // deepseek deepseek-chat: 0.14 / 0.28 / 0.0028.
    expect(find('deepseek', 'deepseek-chat')?.price).toEqual({ input: 140_000_000, output: 280_000_000, cacheRead: 2_800_000, cacheWrite: 140_000_000 });
  });

  it('cleans float noise in the file (helicone claude-3.7-sonnet cache_read 0.30000000000000004)', () => {
    expect(rawCost('helicone', 'claude-3.7-sonnet').cache_read).toBe(0.30000000000000004);
    expect(find('helicone', 'claude-3.7-sonnet')?.price.cacheRead).toBe(300_000_000);
  });

  it('uses the base output price for models with a separate reasoning price', () => {
    const raw = rawCost('alibaba', 'qwen-plus') as { output: number; reasoning: number };
    expect(raw.reasoning).not.toBe(raw.output);
    expect(find('alibaba', 'qwen-plus')?.price.output).toBe(usdPerMillionToNano(raw.output));
  });

  it('leaves out models without a cost', () => {
    const unpriced: Array<[string, string]> = [];
    for (const [provider, p] of Object.entries(loadSnapshot())) {
      for (const [model, m] of Object.entries(p.models)) if (!m.cost) unpriced.push([provider, model]);
    }
    expect(unpriced.length).toBe(5258 - 4886);
    for (const [provider, model] of unpriced.slice(0, 50)) expect(find(provider, model)).toBeUndefined();
  });

  it('produces only safe non-negative integer prices', () => {
    const bad = parsed.filter(({ price }) => !Object.values(price).every((v) => Number.isSafeInteger(v) && v >= 0));
    expect(bad).toEqual([]);
  });
});

describe('parseModelsDev on malformed input', () => {
  it('throws only when the top level is not an object', () => {
    for (const bad of [null, undefined, 42, 'x', [], [{}]]) expect(() => parseModelsDev(bad)).toThrow(TypeError);
    expect(parseModelsDev({})).toEqual([]);
  });

  it('skips bad providers and bad models, keeping the good ones', () => {
    const json = {
      nomodels: { id: 'nomodels' },
      modelsarray: { models: [] },
      stringprovider: 'oops',
      p: {
        models: {
          good: { cost: { input: 1, output: 2 } },
          zero: { cost: { input: 0, output: 0, cache_read: 0 } },
          nullcache: { cost: { input: 1, output: 2, cache_read: null } },
          nocost: { name: 'x' },
          costnotobject: { cost: 5 },
          noinput: { cost: { output: 2 } },
          stringinput: { cost: { input: '1', output: 2 } },
          negative: { cost: { input: -1, output: 2 } },
          nan: { cost: { input: Number.NaN, output: 2 } },
          badcache: { cost: { input: 1, output: 2, cache_write: 'x' } },
          huge: { cost: { input: 1e12, output: 2 } },
          modelnull: null,
          modelstring: 'x',
        },
      },
    };
    expect(parseModelsDev(json)).toEqual([
      { provider: 'p', model: 'good', price: { input: 1e9, output: 2e9, cacheRead: 1e9, cacheWrite: 1e9 } },
      { provider: 'p', model: 'zero', price: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } },
      { provider: 'p', model: 'nullcache', price: { input: 1e9, output: 2e9, cacheRead: 1e9, cacheWrite: 1e9 } },
    ]);
  });
});

describe('modelsDevIndex', () => {
  const entry = (provider: string, model: string): ModelsDevPrice => ({ provider, model, price: { input: 1, output: 1, cacheRead: 1, cacheWrite: 1 } });

  it('groups by exact id, bare name and base name', () => {
    const a = entry('openai', 'gpt-4o');
    const b = entry('openrouter', 'openai/gpt-4o');
    const c = entry('openai', 'gpt-4o-2024-11-20');
    const index = modelsDevIndex([a, b, c]);
    expect(index.byId.get('gpt-4o')).toEqual([a]);
    expect(index.byId.get('openai/gpt-4o')).toEqual([b]);
    expect(index.byBareName.get('gpt-4o')).toEqual([a, b]);
    expect(index.byBaseName.get('gpt-4o')).toEqual([a, b, c]);
    expect(index.byId.get('GPT-4o')).toBeUndefined();
  });

  it('indexes the real snapshot: every entry by its id', () => {
    const index = modelsDevIndex(parsed);
    const gpt4o = index.byId.get('gpt-4o') ?? [];
    expect(gpt4o.some((e) => e.provider === 'openai')).toBe(true);
    const sum = [...index.byId.values()].reduce((n, list) => n + list.length, 0);
    expect(sum).toBe(parsed.length);
  });
});
