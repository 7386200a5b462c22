import { describe, expect, it } from 'vitest';
import { RequestDecodeError } from '../../../src/protocols/canonical';
import {
  decodeGeminiEmbedRequest, decodeGeminiEmbedResponse, encodeGeminiEmbedRequest, encodeGeminiEmbedResponse, geminiEmbedUrl,
} from '../../../src/protocols/embeddings/gemini';
import {
  decodeOpenAIEmbedRequest, decodeOpenAIEmbedResponse, encodeOpenAIEmbedRequest, encodeOpenAIEmbedResponse, toBase64Floats,
} from '../../../src/protocols/embeddings/openai';

describe('OpenAI embeddings', () => {
  it('decodes string and array inputs and refuses token arrays and bad fields', () => {
    expect(decodeOpenAIEmbedRequest({ model: 'e', input: 'hi' })).toEqual({ req: { model: 'e', inputs: ['hi'] }, base64: false });
    expect(decodeOpenAIEmbedRequest({ model: 'e', input: ['a', 'b'], dimensions: 8, encoding_format: 'base64' }))
      .toEqual({ req: { model: 'e', inputs: ['a', 'b'], dimensions: 8 }, base64: true });
    for (const bad of [{ model: 'e', input: [[1, 2]] }, { model: 'e', input: [] }, { model: 'e' }, { input: 'x' }, { model: 'e', input: 'x', dimensions: -1 }, { model: 'e', input: 'x', encoding_format: 'hex' }]) {
      expect(() => decodeOpenAIEmbedRequest(bad)).toThrow(RequestDecodeError);
    }
  });

  it('asks upstream for floats, reads floats or base64 in index order, answers floats or base64', () => {
    expect(encodeOpenAIEmbedRequest({ model: 'g', inputs: ['a'], dimensions: 4 }, 'text-embedding-3-small'))
      .toEqual({ model: 'text-embedding-3-small', input: ['a'], encoding_format: 'float', dimensions: 4 });
    const res = decodeOpenAIEmbedResponse({ data: [{ index: 1, embedding: toBase64Floats([0.5, -2]) }, { index: 0, embedding: [1, 2] }], usage: { prompt_tokens: 7 } });
    expect(res).toEqual({ vectors: [[1, 2], [0.5, -2]], inputTokens: 7 });
    expect(encodeOpenAIEmbedResponse(res, 'g', false)).toEqual({
      object: 'list', model: 'g', usage: { prompt_tokens: 7, total_tokens: 7 },
      data: [{ object: 'embedding', index: 0, embedding: [1, 2] }, { object: 'embedding', index: 1, embedding: [0.5, -2] }],
    });
    const b64 = encodeOpenAIEmbedResponse(res, 'g', true) as { data: { embedding: string }[] };
    expect(decodeOpenAIEmbedResponse({ data: b64.data }).vectors).toEqual([[1, 2], [0.5, -2]]);
  });
});

describe('Gemini embeddings', () => {
  it('decodes embedContent and batchEmbedContents, and encodes a batch request upstream', () => {
    const single = decodeGeminiEmbedRequest({ content: { parts: [{ text: 'hello ' }, { text: 'world' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 3 }, 'g', false);
    expect(single).toEqual({ model: 'g', inputs: ['hello world'], dimensions: 3, taskType: 'RETRIEVAL_QUERY' });
    const batch = decodeGeminiEmbedRequest({ requests: [{ model: 'models/g', content: { parts: [{ text: 'a' }] } }, { content: { parts: [{ text: 'b' }] } }] }, 'g', true);
    expect(batch.inputs).toEqual(['a', 'b']);
    expect(() => decodeGeminiEmbedRequest({ requests: [] }, 'g', true)).toThrow(RequestDecodeError);
    expect(() => decodeGeminiEmbedRequest({ content: {} }, 'g', false)).toThrow(/content.parts/);
    expect(geminiEmbedUrl('https://x/v1beta/', 'models/gemini-embedding-001')).toBe('https://x/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(encodeGeminiEmbedRequest(single, 'gemini-embedding-001')).toEqual({
      requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello world' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 3 }],
    });
  });

  it('reads both response shapes and answers in the one the client used', () => {
    expect(decodeGeminiEmbedResponse({ embeddings: [{ values: [1] }, { values: [2] }] })).toEqual({ vectors: [[1], [2]], inputTokens: 0 });
    expect(decodeGeminiEmbedResponse({ embedding: { values: [3] } }).vectors).toEqual([[3]]);
    expect(() => decodeGeminiEmbedResponse({})).toThrow();
    expect(encodeGeminiEmbedResponse({ vectors: [[1], [2]], inputTokens: 0 }, true)).toEqual({ embeddings: [{ values: [1] }, { values: [2] }] });
    expect(encodeGeminiEmbedResponse({ vectors: [[1]], inputTokens: 0 }, false)).toEqual({ embedding: { values: [1] } });
  });
});
