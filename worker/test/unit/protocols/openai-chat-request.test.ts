/**
 * OpenAI Chat requests: every recorded client request to /v1/chat/completions decoded and
 * re-encoded into a valid upstream body; canonical round trips; extensions; validation errors.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse, Message } from '../../../src/protocols/canonical';
import { RequestDecodeError } from '../../../src/protocols/canonical';
import { openaiChatCodec } from '../../../src/protocols/openai-chat/index';
import { fixturesDir } from '../../upstream/recordings';

const { decodeRequest, encodeRequest } = openaiChatCodec;
type Body = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/**
 * Checks what OpenAI (and compatible vendors) require of a request body: known roles; every
 * assistant tool call answered by a `tool` message before the next non-tool message and no tool
 * message without a call; content shapes; tool definitions; options that need tools or stream.
 */
function expectValidChatBody(body: Body): void {
  expect(typeof body.model).toBe('string');
  const messages = body.messages as Any[];
  expect(Array.isArray(messages) && messages.length > 0).toBe(true);
  const pending = new Set<string>();
  const ids = new Set<string>();
  for (const m of messages) {
    if (m.role === 'tool') {
      expect(pending.has(m.tool_call_id), `tool message answers an open call: ${m.tool_call_id}`).toBe(true);
      pending.delete(m.tool_call_id);
      expect(typeof m.content).toBe('string');
      continue;
    }
    expect(pending.size, 'tool calls answered before the next message').toBe(0);
    switch (m.role) {
      case 'system':
        expect(typeof m.content === 'string' || m.content.every((p: Any) => p.type === 'text')).toBe(true);
        break;
      case 'user':
        if (typeof m.content === 'string') expect(m.content.length).toBeGreaterThan(0);
        else {
          expect(m.content.length).toBeGreaterThan(0);
          for (const p of m.content) {
            expect(['text', 'image_url']).toContain(p.type);
            if (p.type === 'image_url') expect(typeof p.image_url.url).toBe('string');
          }
        }
        break;
      case 'assistant':
        expect(m.content === null || typeof m.content === 'string').toBe(true);
        if (m.content === null) expect(m.tool_calls?.length).toBeGreaterThan(0);
        for (const c of m.tool_calls ?? []) {
          expect(c.type).toBe('function');
          expect(typeof c.id).toBe('string');
          expect(ids.has(c.id)).toBe(false);
          ids.add(c.id);
          pending.add(c.id);
          expect(typeof c.function.name).toBe('string');
          expect(() => JSON.parse(c.function.arguments)).not.toThrow();
        }
        break;
      default:
        throw new Error(`unexpected role ${m.role}`);
    }
  }
  expect(pending.size, 'the last tool calls are answered').toBe(0);
  const tools = body.tools as Any[] | undefined;
  for (const t of tools ?? []) {
    expect(t.type).toBe('function');
    expect(typeof t.function.name).toBe('string');
    expect(t.function.parameters && typeof t.function.parameters).toBe('object');
  }
  if (!tools?.length) {
    expect(body.tool_choice).toBeUndefined();
    expect(body.parallel_tool_calls).toBeUndefined();
  }
  if (body.stream === true) expect(body.stream_options).toMatchObject({ include_usage: true });
  else expect(body.stream_options).toBeUndefined();
  expect(body.max_tokens !== undefined && body.max_completion_tokens !== undefined).toBe(false);
}

function clientFixtures(): Array<{ name: string; body: Body }> {
  const root = path.join(fixturesDir(), 'clients');
  const out: Array<{ name: string; body: Body }> = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(path.join(root, dir.name))) {
      if (!f.endsWith('.json')) continue;
      const doc = JSON.parse(readFileSync(path.join(root, dir.name, f), 'utf8')) as Any;
      if (doc && doc.path === '/v1/chat/completions') out.push({ name: `${dir.name}/${f}`, body: doc.body as Body });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const CLIENTS = clientFixtures();

describe('OpenAI Chat decodeRequest — recorded client requests', () => {
  it('finds the chat-completions client recordings (opencode, sdk-openai, ai-sdk-openai, sdk-env-base-url)', () => {
    expect(CLIENTS.map((c) => c.name.split('/')[0])).toEqual(expect.arrayContaining(['ai-sdk-openai', 'opencode', 'sdk-env-base-url', 'sdk-openai']));
    expect(CLIENTS.length).toBe(10);
  });

  it.each(CLIENTS)('$name: decodes, re-encodes to a valid body, and decodes back to the same canonical request', ({ body }) => {
    const req = decodeRequest(body, {});
    expect(req.model).toBe(body.model);
    expect(req.stream).toBe(body.stream === true);
    expect(req.includeUsage).toBe((body.stream_options as Any)?.include_usage);
    expect(req.sampling.maxTokens).toBe(body.max_tokens);
    expect(req.tools).toHaveLength((body.tools as unknown[] | undefined)?.length ?? 0);
    const systemCount = (body.messages as Any[]).filter((m) => m.role === 'system').length;
    expect(req.system).toHaveLength(systemCount);
    // turns alternate
    req.messages.forEach((m, i) => { if (i > 0) expect(m.role).not.toBe(req.messages[i - 1]!.role); });

    const up = encodeRequest(req, 'upstream-model');
    expect(up.model).toBe('upstream-model');
    expectValidChatBody(up);
    if (req.toolChoice) expect(up.tool_choice).toBe(body.tool_choice);
    const again = decodeRequest(up, {});
    expect(again.messages).toEqual(req.messages);
    expect(again.system).toEqual(req.system);
    expect(again.tools).toEqual(req.tools);
    expect(again.sampling).toEqual(req.sampling);
  });

  it('opencode tool-03: the tool result gets the tool name and is sent right after the assistant tool call', () => {
    const { body } = CLIENTS.find((c) => c.name.includes('openai-compatible-tool-03'))!;
    const req = decodeRequest(body, {});
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(req.messages[1]!.parts).toEqual([{ type: 'tool_call', id: 'call_1a36914f74167683fae93e8c', name: 'bash', arguments: '{"command":"echo hi"}' }]);
    expect(req.messages[2]!.parts).toEqual([{ type: 'tool_result', toolCallId: 'call_1a36914f74167683fae93e8c', name: 'bash', content: [{ type: 'text', text: 'hi\n' }] }]);
    const up = encodeRequest(req, 'm') as Any;
    expect(up.messages.map((m: Any) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(up.messages[3]).toEqual({ role: 'tool', tool_call_id: 'call_1a36914f74167683fae93e8c', content: 'hi\n' });
    expect(up.tool_choice).toBe('auto');
    expect(up.max_tokens).toBe(32000);
    expect(up.stream_options).toEqual({ include_usage: true });
  });

  it('opencode text-01: two consecutive user messages become one user turn with both texts', () => {
    const { body } = CLIENTS.find((c) => c.name.includes('openai-compatible-text-01'))!;
    const req = decodeRequest(body, {});
    const userTexts = (body.messages as Any[]).filter((m) => m.role === 'user').map((m) => m.content);
    expect(req.messages).toEqual([{ role: 'user', parts: userTexts.map((text: string) => ({ type: 'text', text })) }]);
  });

  it('sdk-env-base-url env-01: minimal non-stream body', () => {
    const { body } = CLIENTS.find((c) => c.name.startsWith('sdk-env-base-url'))!;
    const req = decodeRequest(body, {});
    const up = encodeRequest(req, 'gpt-x');
    expect(up).toEqual({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('openai-chat/axonhub__openai-parallel_tool.request.json: seed, parallel_tool_calls, three tools', () => {
    const body = JSON.parse(readFileSync(path.join(fixturesDir(), 'openai-chat/axonhub__openai-parallel_tool.request.json'), 'utf8')) as Body;
    const req = decodeRequest(body, {});
    expect(req.sampling.seed).toBe(0);
    expect(req.parallelToolCalls).toBe(true);
    expect(req.tools.map((t) => t.name)).toEqual(['get_weather', 'get_user_city', 'get_user_language']);
    const up = encodeRequest(req, 'gpt-4o');
    expectValidChatBody(up);
    expect(up).toMatchObject({ seed: 0, parallel_tool_calls: true, tools: body.tools });
  });
});

// ---- canonical round trips -------------------------------------------------------------------

function baseRequest(over: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'group', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], tools: [], sampling: {},
    stream: false, extensions: { protocol: 'anthropic', fields: { anthropic_only: true } }, ...over,
  };
}

describe('OpenAI Chat request round trip: decode(encode(canonical))', () => {
  const weatherParams = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
  const messages: Message[] = [
    {
      role: 'user',
      parts: [
        { type: 'text', text: 'Look at these' },
        { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'high' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' } },
      ],
    },
    {
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: 'The user wants weather.' },
        { type: 'text', text: 'Calling tools.' },
        { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_b', name: 'now', arguments: '{}' },
      ],
    },
    {
      role: 'user',
      parts: [
        { type: 'tool_result', toolCallId: 'call_a', name: 'get_weather', content: [{ type: 'text', text: '18C' }] },
        { type: 'tool_result', toolCallId: 'call_b', name: 'now', content: [{ type: 'text', text: '12:00' }] },
        { type: 'text', text: 'thanks' },
      ],
    },
    {
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: 'signed thoughts', signature: { provider: 'anthropic', value: 'sig' } },
        { type: 'text', text: 'Done.' },
      ],
    },
    { role: 'user', parts: [{ type: 'text', text: 'again' }] },
  ];
  const full = baseRequest({
    system: [{ type: 'text', text: 'You are terse.' }],
    messages,
    tools: [
      { name: 'get_weather', description: 'Weather by city', parameters: weatherParams, strict: true },
      { name: 'now', parameters: { type: 'object', properties: {} } },
    ],
    toolChoice: { type: 'tool', name: 'get_weather' },
    parallelToolCalls: true,
    sampling: { temperature: 0.3, topP: 0.9, stop: ['END', 'STOP'], maxTokens: 512, seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.2 },
    responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'The answer' },
    reasoning: { enabled: true, effort: 'high' },
    stream: true,
    user: 'user-1',
  });

  it('preserves text, images (URL + base64), tools (strict, no parameters), tool_choice, parallel calls and results, sampling, format', () => {
    const up = encodeRequest(full, 'upstream') as Any;
    expectValidChatBody(up);
    expect(up.anthropic_only).toBeUndefined(); // extensions of another protocol never leak
    expect(up.max_completion_tokens).toBe(512); // reasoning on: the reasoning-model field
    expect(up.reasoning_effort).toBe('high');
    expect(up.messages[2]).toEqual({
      role: 'assistant', content: 'Calling tools.', reasoning_content: 'The user wants weather.',
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_b', type: 'function', function: { name: 'now', arguments: '{}' } },
      ],
    });
    expect(up.messages[6]).toEqual({ role: 'assistant', content: 'Done.' }); // signed (foreign) reasoning dropped

    const back = decodeRequest(up, {});
    expect(back.system).toEqual(full.system);
    const expected = structuredClone(messages);
    expected[3]!.parts.shift();
    expect(back.messages).toEqual(expected);
    expect(back.tools).toEqual(full.tools);
    expect(back.toolChoice).toEqual(full.toolChoice);
    expect(back.parallelToolCalls).toBe(true);
    expect(back.sampling).toEqual(full.sampling);
    expect(back.responseFormat).toEqual(full.responseFormat);
    expect(back.reasoning).toEqual({ enabled: true, effort: 'high' });
    expect(back.stream).toBe(true);
    expect(back.includeUsage).toBe(true); // the upstream is always asked for usage
    expect(back.user).toBe('user-1');
  });

  it('tool_choice auto/none/required, json_object and text formats, a single stop string', () => {
    const tools = [{ name: 'f', parameters: { type: 'object', properties: {} } }];
    for (const toolChoice of [{ type: 'auto' }, { type: 'none' }, { type: 'required' }] as const) {
      const up = encodeRequest(baseRequest({ tools, toolChoice }), 'm');
      expect(up.tool_choice).toBe(toolChoice.type);
      expect(decodeRequest(up, {}).toolChoice).toEqual(toolChoice);
    }
    for (const responseFormat of [{ type: 'json_object' }, { type: 'text' }] as const) {
      expect(decodeRequest(encodeRequest(baseRequest({ responseFormat }), 'm'), {}).responseFormat).toEqual(responseFormat);
    }
    expect(decodeRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: 'END' }, {}).sampling.stop).toEqual(['END']);
    // Without tools, tool_choice/parallel_tool_calls are not sent (OpenAI rejects them).
    const up = encodeRequest(baseRequest({ toolChoice: { type: 'auto' }, parallelToolCalls: false }), 'm');
    expect(up.tool_choice).toBeUndefined();
    expect(up.parallel_tool_calls).toBeUndefined();
  });

  it('a tool call signature survives the client round trip inside the tool call id', () => {
    const sig = { provider: 'gemini' as const, value: 'CiQB+sig/==' };
    const res: CanonicalResponse = {
      id: 'r', model: 'gemini-3', created: 1, finishReason: 'tool_calls', usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 },
      content: [{ type: 'tool_call', id: 'fc_1', name: 'read', arguments: '{"p":"a"}', signature: sig }],
    };
    const answer = (openaiChatCodec.encodeResponse(res, baseRequest()) as Any).choices[0].message;
    const packedId = answer.tool_calls[0].id as string;
    const req = decodeRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'read a' }, answer, { role: 'tool', tool_call_id: packedId, content: 'file body' }],
    }, {});
    expect(req.messages[1]!.parts).toEqual([{ type: 'tool_call', id: 'fc_1', name: 'read', arguments: '{"p":"a"}', signature: sig }]);
    expect(req.messages[2]!.parts).toEqual([{ type: 'tool_result', toolCallId: 'fc_1', name: 'read', content: [{ type: 'text', text: 'file body' }] }]);
    // Toward an OpenAI upstream the signature (Gemini's) is not sent.
    expect(JSON.stringify(encodeRequest(req, 'm'))).not.toContain('oe1_');
  });

  it('images inside a tool result go in a user message after the tool messages', () => {
    const req = baseRequest({
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'shot' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'screenshot', arguments: '{}' }] },
        {
          role: 'user',
          parts: [
            { type: 'text', text: 'what is it?' },
            { type: 'tool_result', toolCallId: 't1', content: [{ type: 'text', text: 'captured' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' } }] },
          ],
        },
      ],
    });
    const up = encodeRequest(req, 'm') as Any;
    expectValidChatBody(up);
    expect(up.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'captured' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } }, { type: 'text', text: 'what is it?' }] },
    ]);
  });

  it('max_tokens without reasoning (widest support); several system parts join into one system message', () => {
    const up = encodeRequest(baseRequest({
      sampling: { maxTokens: 100 },
      system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cacheControl: { type: 'ephemeral' } }],
    }), 'm') as Any;
    expect(up.max_tokens).toBe(100);
    expect(up.max_completion_tokens).toBeUndefined();
    expect(up.messages[0]).toEqual({ role: 'system', content: 'A\n\nB' });
  });

  it('a long session hint from another protocol (Claude Code metadata.user_id) is not sent as `user`', () => {
    const long = `user_${'a'.repeat(64)}_account_x_session_y`;
    expect(encodeRequest(baseRequest({ user: long }), 'm').user).toBeUndefined();
    expect(encodeRequest(baseRequest({ user: 'short-id' }), 'm').user).toBe('short-id');
  });

  it('cache hints a Chat Completions client put on system/user text parts go back to a same-protocol upstream only', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: [{ type: 'text', text: 'U', cache_control: { type: 'ephemeral' } }] },
      ],
    };
    const req = decodeRequest(body, {});
    expect(encodeRequest(req, 'm').messages).toEqual(body.messages);
    const other = encodeRequest({ ...req, extensions: { protocol: 'anthropic', fields: {} } }, 'm');
    expect(other.messages).toEqual([{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }]);
  });

  it('budget-only thinking sends no reasoning_effort; non-stream sends no stream_options', () => {
    const up = encodeRequest(baseRequest({ reasoning: { enabled: true, budgetTokens: 2048 } }), 'm');
    expect(up.reasoning_effort).toBeUndefined();
    expect(up.stream).toBeUndefined();
    expect(up.stream_options).toBeUndefined();
  });
});

// ---- same-protocol extensions ------------------------------------------------------------------

describe('OpenAI Chat request extensions', () => {
  const body: Body = {
    model: 'gpt-5', messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'hi' }],
    n: 1, logprobs: true, top_logprobs: 2, logit_bias: { 50256: -100 }, metadata: { a: 'b' }, store: false, service_tier: 'flex',
    modalities: ['text'], verbosity: 'low', safety_identifier: 'sid', prompt_cache_key: 'session-9', top_k: 40,
    max_completion_tokens: 2000, reasoning_effort: 'max', stream: true,
    stream_options: { include_usage: false, include_obfuscation: false },
  };

  it('unknown fields go to extensions.fields and come back only to an openai-chat upstream', () => {
    const req = decodeRequest(body, {});
    expect(req.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(req.extensions).toEqual({
      protocol: 'openai-chat',
      fields: {
        n: 1, logprobs: true, top_logprobs: 2, logit_bias: { 50256: -100 }, metadata: { a: 'b' }, store: false, service_tier: 'flex',
        modalities: ['text'], verbosity: 'low', safety_identifier: 'sid', prompt_cache_key: 'session-9', top_k: 40,
        max_completion_tokens: 2000, reasoning_effort: 'max', stream_options: { include_obfuscation: false },
      },
    });
    expect(req.sampling).toEqual({ topK: 40, maxTokens: 2000 });
    expect(req.reasoning).toEqual({ enabled: true, effort: 'xhigh' });
    expect(req.includeUsage).toBe(false);
    expect(req.user).toBe('session-9');

    const same = encodeRequest(req, 'gpt-5-2025') as Any;
    expect(same).toEqual({
      model: 'gpt-5-2025',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }],
      max_completion_tokens: 2000, reasoning_effort: 'max', stream: true,
      stream_options: { include_obfuscation: false, include_usage: true },
      n: 1, logprobs: true, top_logprobs: 2, logit_bias: { 50256: -100 }, metadata: { a: 'b' }, store: false, service_tier: 'flex',
      modalities: ['text'], verbosity: 'low', safety_identifier: 'sid', prompt_cache_key: 'session-9', top_k: 40,
    });

    const other = encodeRequest({ ...req, extensions: { protocol: 'anthropic', fields: req.extensions.fields } }, 'm') as Any;
    for (const k of ['n', 'logprobs', 'metadata', 'store', 'prompt_cache_key', 'top_k', 'safety_identifier']) expect(other[k]).toBeUndefined();
    expect(other.max_completion_tokens).toBe(2000);
    expect(other.reasoning_effort).toBe('xhigh');
    expect(other.user).toBe('session-9');
  });

  it('a client that used max_tokens with reasoning_effort keeps max_tokens; `none` turns reasoning off and comes back', () => {
    const req = decodeRequest({ model: 'deepseek', messages: [{ role: 'user', content: 'x' }], max_tokens: 10, reasoning_effort: 'low' }, {});
    expect(encodeRequest(req, 'm')).toMatchObject({ max_tokens: 10, reasoning_effort: 'low' });
    expect(encodeRequest(req, 'm').max_completion_tokens).toBeUndefined();
    const off = decodeRequest({ model: 'gpt-5.1', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'none' }, {});
    expect(off.reasoning).toEqual({ enabled: false });
    expect(encodeRequest(off, 'm').reasoning_effort).toBe('none');
    expect(encodeRequest({ ...off, extensions: { protocol: 'gemini', fields: {} } }, 'm').reasoning_effort).toBeUndefined();
  });
});

// ---- message decoding details ------------------------------------------------------------------

describe('OpenAI Chat decodeRequest — messages', () => {
  it('system and developer keep their order; tool messages merge into one user turn with the following user message', () => {
    const req = decodeRequest({
      model: 'm',
      messages: [
        { role: 'system', content: 'S1' },
        { role: 'user', content: 'q' },
        { role: 'developer', content: [{ type: 'text', text: 'D1' }, { type: 'text', text: 'D2', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: null, reasoning: 'r', tool_calls: [
          { id: 'a', type: 'function', function: { name: 'f', arguments: '' } },
          { id: 'b', type: 'function', function: { name: 'g', arguments: '{"x":1}' } },
        ] },
        { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: 'ra' }] },
        { role: 'tool', tool_call_id: 'b', content: 'rb' },
        { role: 'user', content: [{ type: 'text', text: 'next' }, { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklG', detail: 'low' } }] },
      ],
    }, {});
    expect(req.system).toEqual([
      { type: 'text', text: 'S1' }, { type: 'text', text: 'D1' }, { type: 'text', text: 'D2', cacheControl: { type: 'ephemeral' } },
    ]);
    expect(req.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', parts: [
        { type: 'reasoning', text: 'r' },
        { type: 'tool_call', id: 'a', name: 'f', arguments: '{}' },
        { type: 'tool_call', id: 'b', name: 'g', arguments: '{"x":1}' },
      ] },
      { role: 'user', parts: [
        { type: 'tool_result', toolCallId: 'a', name: 'f', content: [{ type: 'text', text: 'ra' }] },
        { type: 'tool_result', toolCallId: 'b', name: 'g', content: [{ type: 'text', text: 'rb' }] },
        { type: 'text', text: 'next' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/webp', data: 'UklG' }, detail: 'low' },
      ] },
    ]);
  });

  it('deprecated functions / function_call / function messages map to tools, tool_choice, calls and results', () => {
    const req = decodeRequest({
      model: 'm',
      functions: [{ name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
      function_call: { name: 'lookup' },
      messages: [
        { role: 'user', content: 'find x' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"x"}' } },
        { role: 'function', name: 'lookup', content: 'found' },
      ],
    }, {});
    expect(req.tools.map((t) => t.name)).toEqual(['lookup']);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'lookup' });
    const call = req.messages[1]!.parts[0] as Any;
    expect(req.messages[2]!.parts[0]).toEqual({ type: 'tool_result', toolCallId: call.id, name: 'lookup', content: [{ type: 'text', text: 'found' }] });
    expectValidChatBody(encodeRequest(req, 'm'));
  });

  it('a tool message with image parts keeps them in the tool result', () => {
    const req = decodeRequest({
      model: 'm',
      messages: [
        { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'shot', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't', content: [{ type: 'text', text: 'ok' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      ],
    }, {});
    expect(req.messages[1]!.parts).toEqual([{
      type: 'tool_result', toolCallId: 't', name: 'shot',
      content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }],
    }]);
  });

  it('audio/file parts and vendor built-in tools have no canonical form and are left out (not rejected)', () => {
    const req = decodeRequest({
      model: 'm',
      tools: [{ type: 'browser_search' }, { type: 'function', function: { name: 'f' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }],
    }, {});
    expect(req.messages[0]!.parts).toEqual([{ type: 'text', text: 'x' }]);
    expect(req.tools).toEqual([{ name: 'f', parameters: { type: 'object', properties: {} } }]);
  });

  const bad: Array<[string, unknown, string]> = [
    ['not an object', [], 'body'],
    ['missing model', { messages: [{ role: 'user', content: 'x' }] }, 'model'],
    ['missing messages', { model: 'm' }, 'messages'],
    ['empty messages', { model: 'm', messages: [] }, 'messages'],
    ['message not an object', { model: 'm', messages: ['hi'] }, 'messages.0'],
    ['unknown role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages.0.role'],
    ['user content a number', { model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages.0.content'],
    ['text part without text', { model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages.0.content.0.text'],
    ['image without url', { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 'messages.0.content.0.image_url.url'],
    ['tool without tool_call_id', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.tool_call_id'],
    ['tool call without name', { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: {} }] }] }, 'messages.0.tool_calls.0.function.name'],
    ['temperature a string', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'temperature'],
    ['stop a number', { model: 'm', messages: [{ role: 'user', content: 'x' }], stop: 5 }, 'stop'],
    ['tools not an array', { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: {} }, 'tools'],
    ['tool parameters not an object', { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }, 'tools.0.function.parameters'],
    ['bad tool_choice', { model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' }, 'tool_choice'],
    ['bad response_format', { model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'yaml' } }, 'response_format.type'],
    ['stream not boolean', { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream'],
    ['include_usage not boolean', { model: 'm', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: 1 } }, 'stream_options.include_usage'],
    ['reasoning_effort a number', { model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 3 }, 'reasoning_effort'],
  ];
  it.each(bad)('rejects %s with RequestDecodeError naming the field', (_label, body, param) => {
    let err: unknown;
    try {
      decodeRequest(body, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RequestDecodeError);
    const e = err as RequestDecodeError;
    if (param === 'body') expect(e.param).toBeUndefined();
    else expect(e.param).toBe(param);
    expect(e.message.startsWith(param)).toBe(true);
  });
});
