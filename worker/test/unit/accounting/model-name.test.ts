/** Model-name normalisation: case, path prefixes, release tags. */
import { describe, expect, it } from 'vitest';
import { bareModelName, baseModelName } from '../../../src/accounting/model-name';

describe('bareModelName', () => {
  it('lower-cases and drops everything up to the last slash', () => {
    expect(bareModelName('GPT-4o')).toBe('gpt-4o');
    expect(bareModelName('openai/gpt-4o')).toBe('gpt-4o');
    expect(bareModelName('anthropic/claude-sonnet-4')).toBe('claude-sonnet-4');
    expect(bareModelName('models/gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(bareModelName('google/gemini-2.5-flash')).toBe('gemini-2.5-flash');
    expect(bareModelName('meta-llama/Llama-3.3-70B-Instruct')).toBe('llama-3.3-70b-instruct');
    expect(bareModelName('workers-ai/@cf/meta/llama-3.1-8b-instruct')).toBe('llama-3.1-8b-instruct');
    expect(bareModelName('  gpt-4o ')).toBe('gpt-4o');
    expect(bareModelName('openai/')).toBe('');
  });

  it('keeps release tags', () => {
    expect(bareModelName('gpt-4o-2024-11-20')).toBe('gpt-4o-2024-11-20');
  });
});

describe('baseModelName', () => {
  it('strips date suffixes and -latest', () => {
    expect(baseModelName('claude-sonnet-4-20250514')).toBe('claude-sonnet-4');
    expect(baseModelName('gpt-4o-2024-11-20')).toBe('gpt-4o');
    expect(baseModelName('claude-3-opus@20240229')).toBe('claude-3-opus');
    expect(baseModelName('claude-3-5-haiku-latest')).toBe('claude-3-5-haiku');
    expect(baseModelName('Anthropic/Claude-Sonnet-4-20250514')).toBe('claude-sonnet-4');
    expect(baseModelName('gpt-4o-2024-11-20-latest')).toBe('gpt-4o');
  });

  it('leaves version numbers and 4-digit tags alone', () => {
    expect(baseModelName('gpt-4-0613')).toBe('gpt-4-0613');
    expect(baseModelName('deepseek-r1-0528')).toBe('deepseek-r1-0528');
    expect(baseModelName('gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(baseModelName('model-12345678')).toBe('model-12345678');
    expect(baseModelName('anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe('anthropic.claude-3-5-sonnet-20241022-v2:0');
  });

  it('never strips a name down to nothing', () => {
    expect(baseModelName('-latest')).toBe('-latest');
    expect(baseModelName('')).toBe('');
  });
});
