import { describe, expect, it } from 'vitest';
import type { ProtocolName } from '../../src/protocols/canonical';
import type { DispatchResult } from '../../src/relay/dispatch';
import { exhaustedReply } from '../../src/relay/exhausted';
import type { AttemptOutcome } from '../../src/routing/types';

type Exhausted = Extract<DispatchResult, { kind: 'exhausted' }>;

const attempt = (status: number): AttemptOutcome => ({ memberId: 1, channelId: 1, keyId: 'k', kind: 'channel', status, ms: 1 });

/** An exhausted dispatch whose last attempt got `status` and `body` from a `protocol` channel. */
function after(status: number, body: string | null, protocol: ProtocolName = 'openai-chat', extra: Partial<Exhausted> = {}): Exhausted {
  return {
    kind: 'exhausted', outcomes: [attempt(status)], report: { outcomes: [], untried: [], settings: {} as never }, release: () => {},
    lastStatus: status, lastError: body ?? 'connection reset', rateLimited: false,
    ...(body !== null && { lastAnswer: { status, body, protocol } }),
    ...extra,
  };
}

const OPENAI_404 = JSON.stringify({ error: { message: 'The model `m` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } });

describe('the reply after every candidate failed', () => {
  it('is the last upstream status, its own body for the same protocol, translated for another', () => {
    expect(exhaustedReply('openai-chat', 'g', after(404, OPENAI_404))).toEqual({
      error: { status: 404, kind: 'not_found', code: 'model_not_found', message: 'The model `m` does not exist or you do not have access to it.' },
      upstreamBody: OPENAI_404,
    });
    const translated = exhaustedReply('anthropic', 'g', after(404, OPENAI_404));
    expect(translated.upstreamBody).toBeUndefined();
    expect(translated.error).toMatchObject({ status: 404, kind: 'not_found', message: 'The model `m` does not exist or you do not have access to it.' });
    for (const status of [400, 408, 409, 413, 422, 500, 502, 504]) expect(exhaustedReply('gemini', 'g', after(status, 'upstream words')).error).toMatchObject({ status, message: 'upstream words' });
  });

  it('says 503 only for unavailability: no answer, no member, members cooling after failures, an upstream 503 or 529', () => {
    expect(exhaustedReply('openai-chat', 'g', after(0, null)).error).toMatchObject({ status: 503, code: 'no_available_channel', message: expect.stringContaining('connection reset') });
    expect(exhaustedReply('openai-chat', 'g', after(200, null)).error.status).toBe(503);
    const none = { ...after(0, null), outcomes: [], lastError: 'the group has no available member' };
    expect(exhaustedReply('openai-chat', 'g', none).error).toMatchObject({ status: 503, message: expect.stringContaining('no available member') });
    expect(exhaustedReply('openai-chat', 'g', { ...none, retryAfterSeconds: 30 }).error).toMatchObject({ status: 503, retryAfterSeconds: 30 });
    const overloaded = JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    // 529 is Anthropic's own status: other clients hear 503.
    expect(exhaustedReply('anthropic', 'g', after(529, overloaded, 'anthropic'))).toMatchObject({ error: { status: 529, kind: 'overloaded' }, upstreamBody: overloaded });
    expect(exhaustedReply('openai-chat', 'g', after(529, overloaded, 'anthropic')).error).toMatchObject({ status: 503, kind: 'overloaded', message: 'Overloaded' });
    expect(exhaustedReply('openai-chat', 'g', after(503, 'busy', 'openai-chat', { retryAfterSeconds: 3 })).error).toMatchObject({ status: 503, retryAfterSeconds: 3 });
  });

  it('says 429, always with Retry-After, only for rate limits: the last attempt, or keys cooling after 429s', () => {
    expect(exhaustedReply('openai-chat', 'g', after(429, 'slow down', 'openai-chat', { retryAfterSeconds: 7 })).error).toMatchObject({ status: 429, retryAfterSeconds: 7 });
    // No Retry-After header: the provider's own hint (Gemini RetryInfo), else the key's cooldown.
    const quota = JSON.stringify({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }] } });
    expect(exhaustedReply('gemini', 'g', after(429, quota, 'gemini'))).toMatchObject({ error: { status: 429, retryAfterSeconds: 35 }, upstreamBody: quota });
    expect(exhaustedReply('openai-chat', 'g', after(429, 'slow down')).error.retryAfterSeconds).toBe(60);
    const cooling = { ...after(0, null), outcomes: [], rateLimited: true, retryAfterSeconds: 12 };
    expect(exhaustedReply('anthropic', 'g', cooling).error).toMatchObject({ status: 429, kind: 'rate_limit', retryAfterSeconds: 12 });
  });

  it('treats an error event that opened the last stream like the HTTP status of its kind', () => {
    const streamed = (info: Exhausted['lastStreamError'], extra: Partial<Exhausted> = {}) => exhaustedReply('openai-responses', 'g', { ...after(0, null), lastStreamError: info, ...extra }).error;
    expect(streamed({ kind: 'rate_limit', code: 'insufficient_quota', message: 'You exceeded your current quota' })).toMatchObject({ status: 429, code: 'insufficient_quota', message: 'You exceeded your current quota', retryAfterSeconds: 60 });
    expect(streamed({ kind: 'rate_limit', message: 'slow down', retryAfterSeconds: 1.5 }).retryAfterSeconds).toBe(2);
    expect(streamed({ kind: 'invalid_request', code: 'context_length_exceeded', message: 'too long' })).toMatchObject({ status: 400, code: 'context_length_exceeded' });
    expect(streamed({ kind: 'overloaded', code: 'overloaded_error', message: 'Overloaded' }, { retryAfterSeconds: 4 })).toMatchObject({ status: 503, message: 'Overloaded', retryAfterSeconds: 4 });
    expect(streamed({ kind: 'upstream', message: 'internal' }).status).toBe(503);
    const auth = streamed({ kind: 'authentication', message: 'bad key sk-ab***yz' });
    expect(auth).toMatchObject({ status: 502, code: 'upstream_auth_failed' });
    expect(auth.message).not.toContain('sk-ab');
  });

  it('says 502 without the upstream\'s words when the upstream refused the gateway\'s credentials', () => {
    for (const status of [401, 402, 403]) {
      const reply = exhaustedReply('openai-chat', 'g', after(status, JSON.stringify({ error: { message: 'Incorrect API key provided: sk-ab***yz' } })));
      expect(reply.upstreamBody).toBeUndefined();
      expect(reply.error).toMatchObject({ status: 502, kind: 'upstream', code: 'upstream_auth_failed' });
      expect(reply.error.message).not.toContain('sk-ab');
    }
  });
});
