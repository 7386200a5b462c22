/**
 * Anthropic error bodies for every gateway error kind, the model list, the channel URL and
 * headers, and the codec object's wiring.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicCodec } from '../../../src/protocols/anthropic';
import { gatewayError, STATUS_BY_KIND, type ErrorKind } from '../../../src/protocols/canonical';

const TYPES: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
  upstream: 'api_error',
  internal: 'api_error',
};

describe('Anthropic error encoding', () => {
  it.each(Object.entries(TYPES) as Array<[ErrorKind, string]>)('%s → %s with the gateway status', (kind, type) => {
    const status = STATUS_BY_KIND[kind];
    const { status: got, body } = anthropicCodec.encodeError(gatewayError(status, kind, 'some_code', `failed: ${kind}`));
    expect(got).toBe(status);
    expect(body).toEqual({ type: 'error', error: { type, message: `failed: ${kind}` } });
  });

  it('keeps an explicit status (503 overloaded, 402 billing)', () => {
    expect(anthropicCodec.encodeError(gatewayError(503, 'overloaded', 'no_available_channel', 'busy'))).toEqual({
      status: 503, body: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } },
    });
    expect(anthropicCodec.encodeError(gatewayError(402, 'permission', 'quota', 'pay up')).body).toMatchObject({ error: { type: 'billing_error' } });
  });

  it('is read by the SDK as the matching error class', async () => {
    const cases: Array<[ErrorKind, unknown]> = [
      ['authentication', Anthropic.AuthenticationError],
      ['rate_limit', Anthropic.RateLimitError],
      ['invalid_request', Anthropic.BadRequestError],
      ['not_found', Anthropic.NotFoundError],
    ];
    for (const [kind, cls] of cases) {
      const { status, body } = anthropicCodec.encodeError(gatewayError(STATUS_BY_KIND[kind], kind, 'c', 'nope'));
      const client = new Anthropic({ apiKey: 'k', baseURL: 'http://stub.test', maxRetries: 0, fetch: async () => Response.json(body, { status }) });
      const err = await client.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(cls);
      expect((err as InstanceType<typeof Anthropic.APIError>).message).toContain('nope');
    }
  });
});

describe('Anthropic model list, channel and codec', () => {
  it('lists models as Anthropic does (RFC 3339 created_at)', async () => {
    const body = anthropicCodec.encodeModelList([{ id: 'claude-a', created: Date.UTC(2026, 0, 2) }, { id: 'claude-b', created: 0 }]);
    expect(body).toEqual({
      data: [
        { type: 'model', id: 'claude-a', display_name: 'claude-a', created_at: '2026-01-02T00:00:00.000Z' },
        { type: 'model', id: 'claude-b', display_name: 'claude-b', created_at: '1970-01-01T00:00:00.000Z' },
      ],
      has_more: false, first_id: 'claude-a', last_id: 'claude-b',
    });
    expect(anthropicCodec.encodeModelList([])).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
    const client = new Anthropic({ apiKey: 'k', baseURL: 'http://stub.test', maxRetries: 0, fetch: async () => Response.json(body) });
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['claude-a', 'claude-b']);
  });

  it('calls {base}/messages with x-api-key and anthropic-version', () => {
    expect(anthropicCodec.upstreamUrl('https://api.anthropic.com/v1', 'claude-x', true)).toBe('https://api.anthropic.com/v1/messages');
    expect(anthropicCodec.upstreamUrl('https://proxy.example/anthropic/v1/', 'claude-x', false)).toBe('https://proxy.example/anthropic/v1/messages');
    expect(anthropicCodec.upstreamHeaders('sk-ant-1')).toEqual({ 'x-api-key': 'sk-ant-1', 'anthropic-version': '2023-06-01' });
  });

  it('is wired as the anthropic codec', () => {
    expect(anthropicCodec.name).toBe('anthropic');
    expect(anthropicCodec.streamContentType()).toBe('text/event-stream; charset=utf-8');
    expect(anthropicCodec.createStreamDecoder()).not.toBe(anthropicCodec.createStreamDecoder());
  });
});
