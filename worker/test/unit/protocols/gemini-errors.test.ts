/**
 * Gateway errors → Gemini error responses: HTTP status and `{"error": {code, message, status, details}}`
 * with the google.rpc.Code name of each error kind; checked against @google/genai's ApiError too.
 */
import { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { STATUS_BY_KIND, gatewayError, type ErrorKind } from '../../../src/protocols/canonical';
import { geminiCodec } from '../../../src/protocols/gemini/index';

const EXPECTED: Record<ErrorKind, { status: number; rpc: string }> = {
  authentication: { status: 401, rpc: 'UNAUTHENTICATED' },
  permission: { status: 403, rpc: 'PERMISSION_DENIED' },
  not_found: { status: 404, rpc: 'NOT_FOUND' },
  invalid_request: { status: 400, rpc: 'INVALID_ARGUMENT' },
  request_too_large: { status: 413, rpc: 'INVALID_ARGUMENT' },
  rate_limit: { status: 429, rpc: 'RESOURCE_EXHAUSTED' },
  overloaded: { status: 503, rpc: 'UNAVAILABLE' },
  timeout: { status: 504, rpc: 'DEADLINE_EXCEEDED' },
  upstream: { status: 502, rpc: 'UNAVAILABLE' },
  internal: { status: 500, rpc: 'INTERNAL' },
};

describe('Gemini error encoding', () => {
  for (const [kind, want] of Object.entries(EXPECTED) as Array<[ErrorKind, { status: number; rpc: string }]>) {
    it(`${kind} → ${want.status} ${want.rpc}`, () => {
      const err = gatewayError(STATUS_BY_KIND[kind], kind, `code_${kind}`, `message for ${kind}`);
      const { status, body } = geminiCodec.encodeError(err);
      expect(status).toBe(want.status);
      expect(body).toEqual({ error: {
        code: want.status, message: `message for ${kind}`, status: want.rpc,
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: `code_${kind}`, domain: 'octopus-edge' }],
      } });
      // Read back as an upstream's error: Google has no code of its own for a too-large request, and an
      // upstream's INTERNAL / UNAVAILABLE are an upstream failure / overload, whoever caused them.
      const back = geminiCodec.decodeError(status, JSON.stringify(body));
      const readBack: Partial<Record<ErrorKind, ErrorKind>> = { request_too_large: 'invalid_request', upstream: 'overloaded', internal: 'upstream' };
      expect(back.kind).toBe(readBack[kind] ?? kind);
    });
  }

  it('adds RetryInfo for a retry delay and the offending field in ErrorInfo metadata', () => {
    const { body } = geminiCodec.encodeError(gatewayError(429, 'rate_limit', 'rate_limited', 'Too many requests', { retryAfterSeconds: 30, param: 'model' }));
    expect((body as { error: { details: unknown[] } }).error.details).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'rate_limited', domain: 'octopus-edge', metadata: { param: 'model' } },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' },
    ]);
    expect(geminiCodec.decodeError(429, JSON.stringify(body)).retryAfterSeconds).toBe(30);
  });

  it('keeps an explicit status other than the default', () => {
    expect(geminiCodec.encodeError(gatewayError(503, 'overloaded', 'no_available_channel', 'none')).status).toBe(503);
    expect(geminiCodec.encodeError(gatewayError(529, 'overloaded', 'x', 'y')).status).toBe(503);
  });

  it('the SDK surfaces status and message', async () => {
    const { status, body } = geminiCodec.encodeError(gatewayError(404, 'not_found', 'model_not_found', 'Model nope not found'));
    const fetch = async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: 'http://gateway.test', fetch: fetch as typeof globalThis.fetch, retryOptions: { attempts: 1 } } });
    const err = (await ai.models.generateContent({ model: 'nope', contents: 'hi' }).then(() => undefined, (e: unknown) => e)) as Error & { status?: number };
    expect(err.status).toBe(404);
    expect(err.message).toContain('Model nope not found');
  });
});
