/**
 * fetchModelList with an injected fetch (no network): option validation, and the per-protocol
 * page parsers on edge cases the fake upstream need not cover.
 */
import { describe, expect, it } from 'vitest';
import { fetchModelList } from '../../../src/sync/model-list';
import { anthropicModelsUrl, parseAnthropicModelPage } from '../../../src/sync/model-list-anthropic';
import { geminiModelsUrl, parseGeminiModelPage } from '../../../src/sync/model-list-gemini';
import { parseOpenAIModelPage } from '../../../src/sync/model-list-openai';

const noFetch = (() => {
  throw new Error('fetch must not be called');
}) as unknown as typeof fetch;

describe('fetchModelList options', () => {
  const channel = { type: 'openai-chat' as const, baseUrl: 'https://api.openai.com/v1', headers: {} };

  it.each([0, -1, 1.5, Number.NaN])('rejects maxPages %s', async (maxPages) => {
    await expect(fetchModelList(channel, 'k', noFetch, { maxPages })).rejects.toThrow(RangeError);
  });

  it.each([0, -5, Number.POSITIVE_INFINITY])('rejects timeoutMs %s', async (timeoutMs) => {
    await expect(fetchModelList(channel, 'k', noFetch, { timeoutMs })).rejects.toThrow(RangeError);
  });

  it('rejects an unknown channel type', async () => {
    const bad = { ...channel, type: 'cohere' as never };
    await expect(fetchModelList(bad, 'k', noFetch)).rejects.toThrow(/cannot list models of channel type cohere/);
  });

  it('uses the injected fetch with a GET and the right URL', async () => {
    const seen: string[] = [];
    const fake = (async (url: string, init: RequestInit) => {
      seen.push(`${init.method} ${url}`);
      return new Response(JSON.stringify({ object: 'list', data: [{ id: 'b' }, { id: 'a' }] }), { status: 200 });
    }) as unknown as typeof fetch;
    expect(await fetchModelList(channel, 'k', fake)).toEqual(['a', 'b']);
    expect(seen).toEqual(['GET https://api.openai.com/v1/models']);
  });
});

describe('page URLs', () => {
  it('Anthropic: limit=1000, then after_id', () => {
    expect(anthropicModelsUrl('https://api.anthropic.com/v1', null)).toBe('https://api.anthropic.com/v1/models?limit=1000');
    expect(anthropicModelsUrl('https://api.anthropic.com/v1/', 'claude-x')).toBe(
      'https://api.anthropic.com/v1/models?limit=1000&after_id=claude-x',
    );
  });

  it('Gemini: pageSize=1000, then an encoded pageToken', () => {
    const base = 'https://generativelanguage.googleapis.com/v1beta';
    expect(geminiModelsUrl(base, null)).toBe(`${base}/models?pageSize=1000`);
    expect(geminiModelsUrl(base, 'a+b/c=')).toBe(`${base}/models?pageSize=1000&pageToken=a%2Bb%2Fc%3D`);
  });
});

describe('page parsers', () => {
  it('OpenAI: skips entries without a string id; no next page', () => {
    expect(parseOpenAIModelPage({ data: [{ id: 'a' }, { id: 3 }, null, { id: '' }, 'x', { id: 'b' }] })).toEqual({ ids: ['a', 'b'], next: null });
    expect(() => parseOpenAIModelPage([{ id: 'a' }])).toThrow(/"data" array/);
  });

  it('Anthropic: last_id is only a cursor when has_more is true', () => {
    expect(parseAnthropicModelPage({ data: [{ id: 'a' }], has_more: false, last_id: 'a' })).toEqual({ ids: ['a'], next: null });
    expect(parseAnthropicModelPage({ data: [{ id: 'a' }], has_more: true, last_id: 'a' })).toEqual({ ids: ['a'], next: 'a' });
    expect(() => parseAnthropicModelPage({ data: 'nope' })).toThrow(/"data" array/);
  });

  it('Gemini: accepts snake_case fields, treats a missing models array as an empty page', () => {
    expect(
      parseGeminiModelPage({
        models: [
          { name: 'models/a', supported_generation_methods: ['generateContent'] },
          { name: 'models/b', supportedGenerationMethods: ['embedContent'] },
          { name: 'models/c' },
        ],
        next_page_token: 't',
      }),
    ).toEqual({ ids: ['a'], next: 't' });
    expect(parseGeminiModelPage({})).toEqual({ ids: [], next: null });
    expect(parseGeminiModelPage({ models: [], nextPageToken: '' })).toEqual({ ids: [], next: null });
    expect(() => parseGeminiModelPage({ models: {} })).toThrow(/must be an array/);
    expect(() => parseGeminiModelPage('x')).toThrow(/"models" array/);
  });
});
