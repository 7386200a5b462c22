/** The local token count (relay/count-local.ts), the count request's decoding, and Node's tokenizer. */
import { describe, expect, it } from 'vitest';
import { characterEstimate, countPromptTokens, promptTexts, type TokenCounter } from '../../src/relay/count-local';
import { decodeCountRequest } from '../../src/relay/count-tokens';
import { o200kCounter } from '../../src/node/tokenizer';
import { RequestDecodeError } from '../../src/protocols/canonical';

/** One token per character: the arithmetic shows through. */
const perChar: TokenCounter = { name: 'chars', count: (t) => t.length };

describe('promptTexts', () => {
  it('takes system, text, tool calls and results, reasoning and tool definitions; counts images', () => {
    const req = decodeCountRequest({ protocol: 'anthropic' }, {
      model: 'm',
      system: 'sys',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hello' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'look', input: { q: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'found' }] },
      ],
      tools: [{ name: 'look', description: 'Looks.', input_schema: { type: 'object' } }],
    });
    const { texts, images, messages } = promptTexts(req);
    expect(texts).toEqual(['sys', 'hello', 'look', '{"q":1}', 'found', 'look', 'Looks.', '{"type":"object"}']);
    expect(images).toBe(1);
    expect(messages).toBe(3);
  });
});

describe('countPromptTokens', () => {
  const anthropic = (body: object) => decodeCountRequest({ protocol: 'anthropic' }, { model: 'm', messages: [{ role: 'user', content: 'abcd' }], ...body });

  it('adds 3 per message, and Anthropic\'s tool-use system prompt (346 auto, 313 forced) only when tools are sent', () => {
    expect(countPromptTokens(anthropic({}), 'anthropic', perChar)).toBe(4 + 3);
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    const schema = '{"type":"object"}'.length;
    expect(countPromptTokens(anthropic({ tools }), 'anthropic', perChar)).toBe(4 + 3 + 1 + schema + 346);
    expect(countPromptTokens(anthropic({ tools, tool_choice: { type: 'any' } }), 'anthropic', perChar)).toBe(4 + 3 + 1 + schema + 313);
    const gemini = decodeCountRequest({ protocol: 'gemini', model: 'm' }, { contents: [{ role: 'user', parts: [{ text: 'abcd' }] }], tools: [{ functionDeclarations: [{ name: 'f' }] }] });
    expect(countPromptTokens(gemini, 'gemini', perChar)).toBe(4 + 3 + 1 + promptTexts(gemini).texts.at(-1)!.length);
  });

  it('is 0 for an empty prompt, and counts an image as a flat 1600 (Anthropic) or 258 (Gemini)', () => {
    expect(countPromptTokens(decodeCountRequest({ protocol: 'gemini', model: 'm' }, {}), 'gemini', perChar)).toBe(0);
    const image = { inlineData: { mimeType: 'image/png', data: 'AAAA' } };
    const req = decodeCountRequest({ protocol: 'gemini', model: 'm' }, { contents: [{ role: 'user', parts: [image] }] });
    expect(countPromptTokens(req, 'gemini', perChar)).toBe(258 + 3);
  });

  it('estimates a character count as one token per 4 characters, rounded up per text', () => {
    expect(characterEstimate.count('')).toBe(0);
    expect(characterEstimate.count('abcde')).toBe(2);
  });
});

describe('decodeCountRequest', () => {
  it('takes the Gemini prompt from generateContentRequest when present, the model always from the URL', () => {
    const req = decodeCountRequest({ protocol: 'gemini', model: 'models/from-url' }, {
      generateContentRequest: { model: 'models/other', contents: [{ role: 'user', parts: [{ text: 'hi' }] }], systemInstruction: { parts: [{ text: 'sys' }] } },
    });
    expect(req.model).toBe('from-url');
    expect(promptTexts(req).texts).toEqual(['sys', 'hi']);
  });

  it('refuses a prompt that is not one, in the decoder\'s own words', () => {
    expect(() => decodeCountRequest({ protocol: 'gemini', model: 'm' }, { generateContentRequest: [] })).toThrow(RequestDecodeError);
    expect(() => decodeCountRequest({ protocol: 'anthropic' }, { model: 'm', messages: 'x' })).toThrow(RequestDecodeError);
  });
});

describe('Node tokenizer', () => {
  it('counts with o200k_base, loaded once, special-token text counted as plain text', async () => {
    const counter = await o200kCounter();
    expect(await o200kCounter()).toBe(counter);
    expect(counter.name).toBe('gpt-tokenizer o200k_base');
    expect(counter.count('hello world')).toBe(2);
    expect(counter.count('<|endoftext|>')).toBeGreaterThan(1);
  });
});
