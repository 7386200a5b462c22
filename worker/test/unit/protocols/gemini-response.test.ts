/**
 * Whole Gemini responses: decoding every recorded response body and error body, encoding canonical
 * responses for a Gemini client (checked with @google/genai's own response handling), model lists.
 */
import { readFileSync } from 'node:fs';
import { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse } from '../../../src/protocols/canonical';
import { opaqueFromSlot } from '../../../src/protocols/opaque';
import { geminiCodec, encodeModel } from '../../../src/protocols/gemini/index';
import { fixturesDir } from '../../upstream/recordings';

const fixture = (name: string) => readFileSync(`${fixturesDir()}/gemini/${name}`, 'utf8');
const json = (name: string) => JSON.parse(fixture(name)) as Record<string, any>;

/** A GoogleGenAI client whose fetch answers with `body` (JSON) and records the URL. */
function sdkAnswering(body: unknown, status = 200) {
  const urls: string[] = [];
  const fetch = async (url: unknown) => {
    urls.push(String(url));
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: 'http://gateway.test', fetch: fetch as typeof globalThis.fetch, retryOptions: { attempts: 1 } } });
  return { ai, urls };
}

const REQ: CanonicalRequest = {
  model: 'my-group', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], tools: [], sampling: {}, stream: false,
  extensions: { protocol: 'gemini', fields: {} },
};

describe('Gemini non-stream decoding of recorded responses', () => {
  it('vercel__google-text.json: text with its signature, usage, stop', () => {
    const body = json('vercel__google-text.json');
    const res = geminiCodec.decodeResponse(body);
    expect(res.id).toBe('Un6LacrVMcjUxs0PmJfWoQc');
    expect(res.model).toBe('gemini-3-pro-preview');
    expect(res.content).toEqual([{
      type: 'text',
      text: body.candidates[0].content.parts[0].text,
      signature: { provider: 'gemini', value: body.candidates[0].content.parts[0].thoughtSignature },
    }]);
    expect(res.finishReason).toBe('stop');
    // promptTokenCount 9, candidatesTokenCount 28 (thoughts excluded), thoughtsTokenCount 244.
    expect(res.usage).toEqual({ input: 9, cacheRead: 0, cacheWrite: 0, output: 272, reasoning: 244 });
  });

  it('vercel__google-reasoning.json: signed text and thoughts counted as reasoning', () => {
    const res = geminiCodec.decodeResponse(json('vercel__google-reasoning.json'));
    expect(res.content).toHaveLength(1);
    expect(res.content[0]).toMatchObject({ type: 'text', text: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.', signature: { provider: 'gemini' } });
    expect(res.usage).toEqual({ input: 9, cacheRead: 0, cacheWrite: 0, output: 311, reasoning: 282 });
    expect(res.finishReason).toBe('stop');
  });

  it('vercel__google-tool-call.json: a signed function call, STOP → tool_calls', () => {
    const body = json('vercel__google-tool-call.json');
    const res = geminiCodec.decodeResponse(body);
    expect(res.content).toEqual([{
      type: 'tool_call', id: 'call_m36LaZGyCLz1xs0PtNSB-QU_0', name: 'weather', arguments: '{"location":"San Francisco"}',
      signature: { provider: 'gemini', value: body.candidates[0].content.parts[0].thoughtSignature },
    }]);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ input: 29, cacheRead: 0, cacheWrite: 0, output: 908, reasoning: 893 });
  });

  it('accepts a JSON-array stream body as one response', () => {
    const chunks = JSON.parse(readFileSync(`${fixturesDir()}/gemini/extracted/llmgemini__test_tools_with_gemini_3_thought_signatures.resp1.jsonarray`, 'utf8'));
    const res = geminiCodec.decodeResponse(chunks);
    expect(res.content).toEqual([{ type: 'text', text: '5 times 3 is 15.' }]);
    expect(res.usage).toEqual({ input: 121, cacheRead: 0, cacheWrite: 0, output: 9, reasoning: 0 });
  });

  it('throws on a body that is not a response, or is an error', () => {
    expect(() => geminiCodec.decodeResponse({ foo: 1 })).toThrow();
    expect(() => geminiCodec.decodeResponse('text')).toThrow();
    expect(() => geminiCodec.decodeResponse(json('vercel__issue-8943-gemini-2.5-flash-error.json'))).toThrow(/Penalty is not enabled/);
  });
});

describe('Gemini error bodies', () => {
  it('vercel__google-429-retry-info.json: rate limit with RetryInfo 34.4s → 35 s', () => {
    expect(geminiCodec.decodeError(429, fixture('vercel__google-429-retry-info.json'))).toEqual({
      kind: 'rate_limit', message: 'You exceeded your current quota, please check your plan.', code: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 35,
    });
  });

  it('vercel__issue-8943-gemini-2.5-flash-error.json: invalid request', () => {
    expect(geminiCodec.decodeError(400, fixture('vercel__issue-8943-gemini-2.5-flash-error.json'))).toEqual({
      kind: 'invalid_request', message: 'Penalty is not enabled for models/gemini-2.5-flash', code: 'INVALID_ARGUMENT',
    });
  });

  it('an invalid API key (400 INVALID_ARGUMENT + ErrorInfo API_KEY_INVALID) is an authentication error', () => {
    const body = JSON.stringify({ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }] } });
    expect(geminiCodec.decodeError(400, body).kind).toBe('authentication');
  });

  it('reads array-wrapped bodies, millisecond delays, and non-JSON bodies', () => {
    const arr = JSON.stringify([{ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '900ms' }] } }]);
    expect(geminiCodec.decodeError(503, arr)).toEqual({ kind: 'overloaded', message: 'overloaded', code: 'UNAVAILABLE', retryAfterSeconds: 1 });
    expect(geminiCodec.decodeError(502, '<html>Bad Gateway</html>')).toEqual({ kind: 'upstream', message: '<html>Bad Gateway</html>', code: '502' });
    expect(geminiCodec.decodeError(404, '')).toMatchObject({ kind: 'not_found' });
  });
});

describe('Gemini non-stream encoding for clients', () => {
  const res: CanonicalResponse = {
    id: 'resp_1', model: 'claude-x', created: 1,
    content: [
      { type: 'reasoning', text: 'Let me think.', signature: { provider: 'anthropic', value: 'anthropic-sig' } },
      { type: 'text', text: 'Checking the weather.' },
      { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'tool_call', id: 'toolu_2', name: 'now', arguments: '{}' },
    ],
    finishReason: 'tool_calls',
    usage: { input: 10, cacheRead: 90, cacheWrite: 5, output: 40, reasoning: 15 },
  };

  it('gives the SDK the text, calls, usage and finish reason; carries the reasoning signature on the next part', async () => {
    const body = geminiCodec.encodeResponse(res, REQ) as Record<string, any>;
    const { ai, urls } = sdkAnswering(body);
    const out = await ai.models.generateContent({ model: 'my-group', contents: 'hi' });
    expect(urls[0]).toBe('http://gateway.test/v1beta/models/my-group:generateContent');
    expect(out.text).toBe('Checking the weather.');
    expect(out.functionCalls).toEqual([{ id: 'toolu_1', name: 'weather', args: { city: 'Paris' } }, { id: 'toolu_2', name: 'now', args: {} }]);
    expect(out.candidates?.[0]?.finishReason).toBe('STOP');
    expect(out.usageMetadata).toEqual({ promptTokenCount: 105, cachedContentTokenCount: 90, candidatesTokenCount: 25, thoughtsTokenCount: 15, totalTokenCount: 145 });
    expect(out.modelVersion).toBe('my-group');
    expect(out.responseId).toBe('resp_1');
    const parts = body.candidates[0].content.parts;
    expect(parts[0]).toEqual({ text: 'Let me think.', thought: true });
    expect(opaqueFromSlot(parts[1].thoughtSignature, 'gemini')).toEqual({ provider: 'anthropic', value: 'anthropic-sig' });
    expect(parts[2].thoughtSignature).toBeUndefined();
  });

  it('decoding a client request that echoes the parts restores the reasoning, with its text, once', () => {
    const body = geminiCodec.encodeResponse(res, REQ) as Record<string, any>;
    const req = geminiCodec.decodeRequest({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }, body.candidates[0].content] }, { model: 'my-group' });
    expect(req.messages[1]!.parts).toEqual([
      { type: 'reasoning', text: 'Let me think.', signature: { provider: 'anthropic', value: 'anthropic-sig' } },
      { type: 'text', text: 'Checking the weather.' },
      { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'tool_call', id: 'toolu_2', name: 'now', arguments: '{}' },
    ]);
  });

  it('maps finish reasons and omits parts when there is no content', () => {
    const empty = geminiCodec.encodeResponse({ ...res, content: [], finishReason: 'content_filter' }, REQ) as Record<string, any>;
    expect(empty.candidates[0]).toEqual({ content: { role: 'model' }, finishReason: 'SAFETY', index: 0 });
    const length = geminiCodec.encodeResponse({ ...res, finishReason: 'length' }, REQ) as Record<string, any>;
    expect(length.candidates[0].finishReason).toBe('MAX_TOKENS');
  });

  it('round-trips a Gemini response: decode(encode(x)) = x', () => {
    const body = json('vercel__google-tool-call.json');
    const decoded = geminiCodec.decodeResponse(body);
    const again = geminiCodec.decodeResponse(geminiCodec.encodeResponse(decoded, REQ));
    expect(again.content).toEqual(decoded.content);
    expect(again.usage).toEqual(decoded.usage);
    expect(again.finishReason).toBe('tool_calls');
  });
});

describe('Gemini model list', () => {
  const real = JSON.parse(readFileSync(`${fixturesDir()}/gemini/extracted/llmgemini__test_cli_gemini_models.resp0.json`, 'utf8')) as { models: Array<Record<string, unknown>> };

  it('has the shape of the real list (every field we send has the real field type)', () => {
    const ours = geminiCodec.encodeModelList([{ id: 'gemini-fast', created: 0 }, { id: 'gemini-pro', created: 0 }]) as { models: Array<Record<string, unknown>> };
    expect(ours.models.map((m) => m.name)).toEqual(['models/gemini-fast', 'models/gemini-pro']);
    const sample = real.models[0]!;
    for (const m of ours.models) {
      for (const [k, v] of Object.entries(m)) {
        if (k in sample) expect(typeof v, k).toBe(typeof sample[k]);
      }
      for (const k of ['name', 'version', 'displayName', 'description', 'supportedGenerationMethods']) expect(m).toHaveProperty(k);
      expect(m.supportedGenerationMethods).toEqual(['generateContent', 'streamGenerateContent', 'countTokens']);
    }
  });

  it('parses with the SDK (models.list and models.get)', async () => {
    const list = sdkAnswering(geminiCodec.encodeModelList([{ id: 'g1', created: 0 }]));
    const pager = await list.ai.models.list();
    expect(pager.page.map((m) => m.name)).toEqual(['models/g1']);
    const get = sdkAnswering(encodeModel({ id: 'g1', created: 0 }));
    const model = await get.ai.models.get({ model: 'g1' });
    expect(model.name).toBe('models/g1');
    expect(model.displayName).toBe('g1');
  });
});
