/**
 * fetchModelList against the fake upstream over real HTTP (127.0.0.1 only), with the global fetch:
 * each protocol's URL, query, auth headers and paging, and the error paths (HTTP errors, non-JSON,
 * page bound, timeout) — never leaking the key.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelListError } from '../../../src/sync/get-json';
import { fetchModelList } from '../../../src/sync/model-list';
import type { ChannelType } from '../../../src/db/types';
import { fixturesDir } from '../../upstream/recordings';
import { startFakeUpstream, type Behavior, type FakeUpstream, type Scenario } from '../../upstream/server';

const KEY = 'sk-test-secret-key-0123456789abcdef';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream({ host: '127.0.0.1' });
});
afterAll(async () => {
  await up?.close();
});

/** Registers a scenario and returns a channel pointing at it (base URL ends with a version path, like real ones). */
function channelFor(type: ChannelType, s: Scenario | Behavior, headers: Record<string, string> = {}) {
  const { id, baseUrl } = up.addScenario(s);
  const version = type === 'gemini' ? 'v1beta' : 'v1';
  return { id, channel: { type, baseUrl: `${baseUrl}/${version}`, headers } };
}

/** The rejection of `p`, asserted to be a ModelListError. */
async function rejection(p: Promise<unknown>): Promise<ModelListError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelListError);
  return err as ModelListError;
}

describe('OpenAI', () => {
  const list = {
    object: 'list',
    data: [
      { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
      { id: 'gpt-4.1-mini', object: 'model', created: 1744317547, owned_by: 'system' },
      { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
      { id: 'dall-e-3', object: 'model', created: 1698785189, owned_by: 'system' },
    ],
  };

  it.each(['openai-chat', 'openai-responses'] as const)('%s: one GET {base}/models with a Bearer key; sorted unique ids', async (type) => {
    const { id, channel } = channelFor(type, { models: list });
    const ids = await fetchModelList(channel, KEY, fetch);
    expect(ids).toEqual(['dall-e-3', 'gpt-4.1-mini', 'gpt-4o']);
    const reqs = up.requests(id);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]).toMatchObject({ method: 'GET', path: '/v1/models', query: {} });
    expect(reqs[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(reqs[0]!.headers.accept).toBe('application/json');
    expect(reqs[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('sends the channel headers too, and they win over the defaults', async () => {
    const { id, channel } = channelFor('openai-chat', { models: list }, { 'openai-organization': 'org-1', authorization: 'Bearer other' });
    await fetchModelList(channel, KEY, fetch);
    const h = up.requests(id)[0]!.headers;
    expect(h['openai-organization']).toBe('org-1');
    expect(h.authorization).toBe('Bearer other');
  });

  it('tolerates a trailing slash on the base URL', async () => {
    const { id, channel } = channelFor('openai-chat', { models: list });
    await fetchModelList({ ...channel, baseUrl: `${channel.baseUrl}/` }, KEY, fetch);
    expect(up.requests(id)[0]!.path).toBe('/v1/models');
  });
});

describe('Anthropic', () => {
  const page1 = {
    data: [
      { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
      { type: 'model', id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
    ],
    has_more: true,
    first_id: 'claude-sonnet-4-5-20250929',
    last_id: 'claude-opus-4-1-20250805',
  };
  const page2 = {
    data: [{ type: 'model', id: 'claude-3-5-haiku-20241022', display_name: 'Claude Haiku 3.5', created_at: '2024-10-22T00:00:00Z' }],
    has_more: false,
    first_id: 'claude-3-5-haiku-20241022',
    last_id: 'claude-3-5-haiku-20241022',
  };

  it('pages with after_id = last_id while has_more, with x-api-key and anthropic-version', async () => {
    const { id, channel } = channelFor('anthropic', { steps: [{ models: page1 }, { models: page2 }] });
    const ids = await fetchModelList(channel, KEY, fetch);
    expect(ids).toEqual(['claude-3-5-haiku-20241022', 'claude-opus-4-1-20250805', 'claude-sonnet-4-5-20250929']);
    const reqs = up.requests(id);
    expect(reqs.map((r) => [r.method, r.path, r.query])).toEqual([
      ['GET', '/v1/models', { limit: '1000' }],
      ['GET', '/v1/models', { limit: '1000', after_id: 'claude-opus-4-1-20250805' }],
    ]);
    for (const r of reqs) {
      expect(r.headers['x-api-key']).toBe(KEY);
      expect(r.headers['anthropic-version']).toBe('2023-06-01');
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it('stops after one page when has_more is false', async () => {
    const { id, channel } = channelFor('anthropic', { steps: [{ models: page2 }, { status: 500 }] });
    expect(await fetchModelList(channel, KEY, fetch)).toEqual(['claude-3-5-haiku-20241022']);
    expect(up.requests(id)).toHaveLength(1);
  });

  it('has_more without last_id is an error, not a silently partial list', async () => {
    const { channel } = channelFor('anthropic', { models: { ...page1, last_id: null } });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.message).toMatch(/has_more but gives no last_id/);
  });
});

describe('Gemini (real models.list fixture)', () => {
  const fixture = JSON.parse(
    readFileSync(path.join(fixturesDir(), 'gemini/extracted/llmgemini__test_cli_gemini_models.resp0.json'), 'utf8'),
  ) as { models: Array<{ name: string; supportedGenerationMethods: string[] }>; nextPageToken: string };
  const half = Math.ceil(fixture.models.length / 2);
  const page1 = { models: fixture.models.slice(0, half), nextPageToken: fixture.nextPageToken };
  const page2 = { models: fixture.models.slice(half) };

  it('pages with pageToken, keeps pageSize, strips models/ and keeps generateContent models only', async () => {
    const { id, channel } = channelFor('gemini', { steps: [{ models: page1 }, { models: page2 }] });
    const ids = await fetchModelList(channel, KEY, fetch);

    const reqs = up.requests(id);
    expect(reqs.map((r) => [r.method, r.path, r.query])).toEqual([
      ['GET', '/v1beta/models', { pageSize: '1000' }],
      ['GET', '/v1beta/models', { pageSize: '1000', pageToken: fixture.nextPageToken }],
    ]);
    for (const r of reqs) {
      expect(r.headers['x-goog-api-key']).toBe(KEY);
      expect(r.headers.authorization).toBeUndefined();
      expect(r.query.key).toBeUndefined(); // the key never travels in the URL
    }

    // 50 models in the fixture; 8 do not support generateContent (3 embedding, aqa, 3 Imagen, Veo).
    expect(fixture.models).toHaveLength(50);
    expect(ids).toHaveLength(42);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toContain('gemini-2.5-flash'); // page 1
    expect(ids).toContain('gemini-2.5-pro');
    expect(ids).toContain('gemini-3.6-flash'); // page 2
    expect(ids).toContain('gemini-2.5-flash-preview-tts'); // lists generateContent second
    for (const gone of ['gemini-embedding-001', 'aqa', 'imagen-4.0-generate-001', 'veo-3.1-generate-preview']) {
      expect(ids).not.toContain(gone);
    }
    expect(ids.some((m) => m.startsWith('models/'))).toBe(false);
  });
});

describe('errors', () => {
  it('HTTP error: status and the body start in the message, the echoed key redacted', async () => {
    const body = { error: { code: 401, message: `API key not valid: ${KEY}. Please pass a valid API key.`, status: 'UNAUTHENTICATED' } };
    const { channel } = channelFor('gemini', { status: 401, body });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.status).toBe(401);
    expect(err.message).toContain('Gemini model list: GET ');
    expect(err.message).toContain('HTTP 401');
    expect(err.message).toContain('API key not valid: [redacted]');
    expect(err.message).not.toContain(KEY);
  });

  it('quotes at most 200 characters of a long error body', async () => {
    const long = `<html>${'x'.repeat(1000)}</html>`;
    const { channel } = channelFor('openai-chat', { status: 503, body: long });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.status).toBe(503);
    const quoted = err.message.slice(err.message.indexOf('<html>'));
    expect(quoted).toHaveLength(200);
  });

  it('a secret channel header is redacted too', async () => {
    const secret = 'azure-secret-value-987654';
    const { channel } = channelFor('openai-chat', { status: 403, body: `denied for ${secret} / ${KEY}` }, { 'api-key': secret });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain(KEY);
  });

  it('a 200 whose body is not JSON', async () => {
    const { channel } = channelFor('anthropic', { models: '<!doctype html><title>Login</title>' });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.status).toBe(200);
    expect(err.message).toMatch(/Anthropic model list: GET \S+ returned HTTP 200 but the body is not JSON: <!doctype html>/);
  });

  it('JSON of the wrong shape names what was expected', async () => {
    const { channel } = channelFor('openai-chat', { models: { models: [] } });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.message).toMatch(/expected an OpenAI model list: an object with a "data" array; got \{"models":\[\]\}/);
  });

  it('maxPages bounds the requests and fails instead of returning a partial list', async () => {
    const page = (n: number) => ({ models: { data: [{ type: 'model', id: `m${n}` }], has_more: true, last_id: `m${n}` } });
    const { id, channel } = channelFor('anthropic', { steps: [page(1), page(2), page(3), page(4)] });
    const err = await rejection(fetchModelList(channel, KEY, fetch, { maxPages: 2 }));
    expect(err.message).toMatch(/more than 2 pages/);
    expect(up.requests(id)).toHaveLength(2);
  });

  it('a repeated page cursor stops the loop early', async () => {
    const page = { models: { models: [{ name: 'models/a', supportedGenerationMethods: ['generateContent'] }], nextPageToken: 'same' } };
    const { id, channel } = channelFor('gemini', { steps: [page] });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.message).toMatch(/repeated page cursor same/);
    expect(up.requests(id)).toHaveLength(2);
  });

  it('times out per request', async () => {
    const { channel } = channelFor('openai-chat', { models: { data: [] }, latencyMs: 5_000 });
    const started = Date.now();
    const err = await rejection(fetchModelList(channel, KEY, fetch, { timeoutMs: 100 }));
    expect(err.status).toBeNull();
    expect(err.message).toMatch(/timed out after 100 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it.each(['anthropic', 'gemini', 'openai-chat'] as const)('%s: a base URL that redirects fails naming the target, and the key and channel headers never reach it', async (type) => {
    const target = channelFor(type, { models: { data: [], models: [], has_more: false } });
    const location = `${target.channel.baseUrl.replace('127.0.0.1', 'localhost')}/models`;
    const { channel } = channelFor(type, { status: 302, headers: { location }, body: '' }, { 'x-custom-token': 'custom-secret-value-1' });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.status).toBe(302);
    expect(err.message).toContain(location);
    expect(err.message).toMatch(/not followed/);
    expect(up.requests(target.id)).toHaveLength(0);
  });

  it('a dropped connection is a network error', async () => {
    const { channel } = channelFor('openai-chat', { fault: { kind: 'drop' } });
    const err = await rejection(fetchModelList(channel, KEY, fetch));
    expect(err.status).toBeNull();
    expect(err.message).toMatch(/OpenAI model list: GET \S+ failed: /);
  });
});
