/**
 * Request decoding of every real client request to `/v1/responses` in shared/fixtures/clients
 * (Codex CLI, opencode, the openai SDK, the AI SDK), re-encoding for a Responses upstream (the body
 * must be valid for the API), and decode(encode(canonical)) round trips.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, Message } from '../../../src/protocols/canonical';
import { RequestDecodeError } from '../../../src/protocols/canonical';
import { openaiResponsesCodec as codec } from '../../../src/protocols/openai-responses/index';
import { BUILTIN_TOOLS_FIELD, NAMESPACES_FIELD } from '../../../src/protocols/openai-responses/wire';
import { fixturesDir } from '../../upstream/recordings';

interface ClientCapture { path: string; body: Record<string, any> }

const clientsDir = path.join(fixturesDir(), 'clients');
const captures: Array<[string, ClientCapture]> = readdirSync(clientsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(clientsDir, d.name)).map((f) => `${d.name}/${f}`))
  .map((f) => [f, JSON.parse(readFileSync(path.join(clientsDir, f), 'utf8'))] as [string, ClientCapture])
  .filter(([, c]) => c.path === '/v1/responses');

const TOP_LEVEL = new Set([
  'model', 'instructions', 'input', 'tools', 'tool_choice', 'parallel_tool_calls', 'reasoning', 'include', 'store',
  'max_output_tokens', 'temperature', 'top_p', 'text', 'prompt_cache_key', 'stream',
]);
const ITEM_TYPES = new Set(['message', 'function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output', 'reasoning']);
const USER_PARTS = new Set(['input_text', 'input_image']);

/** Checks a body the way the Responses API would reject it (API reference, "Create a model response"). */
function assertValidUpstreamBody(body: Record<string, any>, crossProtocol: boolean): void {
  expect(typeof body.model).toBe('string');
  if (crossProtocol) for (const k of Object.keys(body)) expect(TOP_LEVEL.has(k), `unexpected field ${k}`).toBe(true);
  for (const k of Object.keys(body)) expect(k.startsWith('__'), `private field ${k} leaked`).toBe(false);
  expect(Array.isArray(body.input)).toBe(true);
  const calls = new Set<string>();
  const answered = new Set<string>();
  body.input.forEach((item: Record<string, any>, i: number) => {
    expect(ITEM_TYPES.has(item.type), `input.${i}.type ${item.type}`).toBe(true);
    switch (item.type) {
      case 'message':
        expect(['user', 'assistant', 'system', 'developer']).toContain(item.role);
        expect(Array.isArray(item.content) && item.content.length > 0).toBe(true);
        for (const part of item.content) {
          if (item.role === 'assistant') expect(part.type).toBe('output_text');
          else expect(USER_PARTS.has(part.type)).toBe(true);
          if (part.type === 'input_image') expect(typeof part.image_url === 'string' && typeof part.detail === 'string').toBe(true);
          if (part.type !== 'input_image') expect(typeof part.text).toBe('string');
        }
        break;
      case 'function_call':
      case 'custom_tool_call':
        expect(typeof item.call_id).toBe('string');
        expect(typeof item.name).toBe('string');
        if (item.type === 'function_call') expect(() => JSON.parse(item.arguments)).not.toThrow();
        else expect(typeof item.input).toBe('string');
        calls.add(item.call_id);
        break;
      case 'function_call_output':
      case 'custom_tool_call_output':
        expect(calls.has(item.call_id), `output for unknown call ${item.call_id}`).toBe(true);
        expect(typeof item.output === 'string' || Array.isArray(item.output)).toBe(true);
        answered.add(item.call_id);
        break;
      case 'reasoning':
        expect(typeof item.encrypted_content).toBe('string');
        expect(Array.isArray(item.summary)).toBe(true);
        expect(i).toBeLessThan(body.input.length - 1); // a reasoning item needs its following item
        break;
    }
  });
  // Every call but those of the last assistant turn has its output.
  const lastUser = body.input.map((it: any) => it.type === 'message' && it.role === 'user' || it.type.endsWith('_output')).lastIndexOf(true);
  body.input.slice(0, lastUser).filter((it: any) => it.type === 'function_call').forEach((it: any) => expect(answered.has(it.call_id)).toBe(true));
  for (const t of body.tools ?? []) {
    if (t.type === 'function') {
      expect(typeof t.name).toBe('string');
      expect(typeof t.parameters).toBe('object');
      expect(typeof t.strict).toBe('boolean');
    } else if (crossProtocol) {
      expect(t.type).toBe('custom');
    }
  }
  if (body.max_output_tokens !== undefined) expect(Number.isInteger(body.max_output_tokens) && body.max_output_tokens >= 16).toBe(true);
  if (body.prompt_cache_key !== undefined) expect(body.prompt_cache_key.length).toBeLessThanOrEqual(64);
  if (crossProtocol) expect(body.store).toBe(false);
  if (body.reasoning && crossProtocol) expect(body.include).toEqual(['reasoning.encrypted_content']);
}

/** The same request as if it had come from another protocol's client. */
function asForeign(req: CanonicalRequest): CanonicalRequest {
  return { ...req, extensions: { protocol: 'anthropic', fields: {} } };
}

describe('decodeRequest on real client requests to /v1/responses', () => {
  it('finds the captures (codex, opencode, openai SDK, AI SDK, env base URL)', () => {
    expect(captures.map(([f]) => f.split('/')[0]).sort()).toEqual([
      'ai-sdk-openai', 'codex', 'codex', 'codex', 'codex', 'codex', 'codex',
      'opencode', 'opencode', 'opencode', 'sdk-env-base-url', 'sdk-openai',
    ]);
  });

  it.each(captures)('%s decodes and re-encodes to a valid upstream body', (_file, capture) => {
    const req = codec.decodeRequest(capture.body, {});
    expect(req.model).toBe(capture.body.model);
    expect(req.stream).toBe(capture.body.stream === true);
    expect(req.messages.length).toBeGreaterThan(0);
    // Turns alternate, never empty.
    req.messages.forEach((m, i) => {
      expect(m.parts.length).toBeGreaterThan(0);
      if (i > 0) expect(m.role).not.toBe(req.messages[i - 1]!.role);
    });
    assertValidUpstreamBody(codec.encodeRequest(req, 'gpt-5-upstream'), false);
    const foreign = codec.encodeRequest(asForeign(req), 'gpt-5-upstream');
    assertValidUpstreamBody(foreign, true);
    expect(foreign.model).toBe('gpt-5-upstream');
  });

  it('Codex: developer messages → system, namespaced tools flattened, built-ins and Codex fields kept aside', () => {
    const body = captures.find(([f]) => f === 'codex/text-01-POST-responses-reply-text.json')![1].body;
    const req = codec.decodeRequest(body, {});
    expect(req.system.map((p) => p.text)).toEqual(body.input.slice(0, 2).flatMap((m: any) => m.content.map((c: any) => c.text)));
    expect(req.messages).toEqual([{ role: 'user', parts: body.input.slice(2).map((m: any) => ({ type: 'text', text: m.content[0].text })) }]);
    const ns = body.tools.find((t: any) => t.type === 'namespace');
    const flat = ns.tools.map((t: any) => `multi_agent_v1__${t.name}`);
    expect(req.tools.map((t) => t.name)).toEqual([
      'exec_command', 'write_stdin', 'request_user_input', 'view_image', ...flat, 'get_goal', 'create_goal', 'update_goal',
    ]);
    expect(req.tools.every((t) => t.strict === false)).toBe(true);
    expect(req.extensions.fields[NAMESPACES_FIELD]).toMatchObject({ [flat[0]]: { namespace: 'multi_agent_v1', name: ns.tools[0].name } });
    expect(req.extensions.fields[BUILTIN_TOOLS_FIELD]).toEqual([{ type: 'web_search', external_web_access: false }]);
    expect(req.toolChoice).toEqual({ type: 'auto' });
    expect(req.parallelToolCalls).toBe(true);
    expect(req.reasoning).toEqual({ enabled: true, includeThoughts: true });
    expect(req.user).toBe(body.prompt_cache_key);
    expect(req.extensions).toMatchObject({
      protocol: 'openai-responses',
      fields: { store: false, include: ['reasoning.encrypted_content'], prompt_cache_key: body.prompt_cache_key, client_metadata: body.client_metadata },
    });
    // Same-protocol encoding gives Codex's own fields and its web_search tool back.
    const same = codec.encodeRequest(req, 'gpt-5');
    expect(same).toMatchObject({ store: false, include: ['reasoning.encrypted_content'], prompt_cache_key: body.prompt_cache_key, client_metadata: body.client_metadata });
    expect((same.tools as any[]).at(-1)).toEqual({ type: 'web_search', external_web_access: false });
    // Cross-protocol: `store: false`, encrypted reasoning asked for, no Codex-only fields.
    const foreign = codec.encodeRequest(asForeign(req), 'gpt-5');
    expect(foreign).toMatchObject({ store: false, include: ['reasoning.encrypted_content'], reasoning: { summary: 'auto' }, prompt_cache_key: body.prompt_cache_key });
    expect(foreign.client_metadata).toBeUndefined();
    expect(foreign.instructions).toBe(req.system.map((p) => p.text).join('\n\n'));
  });

  it('Codex effort high and a tool round trip (function_call + function_call_output)', () => {
    const high = codec.decodeRequest(captures.find(([f]) => f.startsWith('codex/text-effort-high'))![1].body, {});
    expect(high.reasoning).toEqual({ enabled: true, effort: 'high', includeThoughts: true });
    const body = captures.find(([f]) => f === 'codex/tool-02-POST-responses-toolresult.json')![1].body;
    const req = codec.decodeRequest(body, {});
    const [call, output] = body.input.slice(-2);
    expect(req.messages.slice(1)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: call.call_id, name: 'exec_command', arguments: call.arguments }] },
      { role: 'user', parts: [{ type: 'tool_result', toolCallId: call.call_id, name: 'exec_command', content: [{ type: 'text', text: output.output }] }] },
    ]);
    const input = codec.encodeRequest(asForeign(req), 'gpt-5').input as any[];
    expect(input.slice(-2)).toEqual([
      { type: 'function_call', call_id: call.call_id, name: 'exec_command', arguments: call.arguments },
      { type: 'function_call_output', call_id: call.call_id, output: output.output },
    ]);
  });

  it('opencode: developer string content, max_output_tokens; SDK: a plain string input', () => {
    const oc = codec.decodeRequest(captures.find(([f]) => f.startsWith('opencode/openai-responses-tool-01'))![1].body, {});
    expect(oc.system).toHaveLength(1);
    expect(oc.sampling.maxTokens).toBe(32000);
    expect(oc.messages).toHaveLength(1);
    expect(oc.messages[0]!.parts).toHaveLength(2);
    const sdk = codec.decodeRequest(captures.find(([f]) => f.startsWith('sdk-openai/'))![1].body, {});
    expect(sdk.messages).toEqual([{ role: 'user', parts: [{ type: 'text', text: 'say hi' }] }]);
    expect(sdk.stream).toBe(true);
  });
});

describe('decode(encode(canonical)) round trip', () => {
  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  const messages: Message[] = [
    {
      role: 'user',
      parts: [
        { type: 'text', text: 'Look at these.' },
        { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'high' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG }, detail: 'low' },
      ],
    },
    {
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: 'Plan: call both.', signature: { provider: 'openai-responses', value: 'gAAAAB-enc', itemId: 'rs_1' } },
        { type: 'reasoning', text: 'Claude thought', signature: { provider: 'anthropic', value: 'sig' } },
        { type: 'text', text: 'Calling tools.' },
        { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_2', name: 'now', arguments: '{}' },
        { type: 'tool_call', id: 'call_3', name: 'sql', arguments: '{"input":"SELECT 1"}', kind: 'custom' },
      ],
    },
    {
      role: 'user',
      parts: [
        { type: 'tool_result', toolCallId: 'call_1', name: 'get_weather', content: [{ type: 'text', text: '18°C' }] },
        { type: 'tool_result', toolCallId: 'call_2', name: 'now', content: [{ type: 'text', text: 'noon' }, { type: 'image', source: { kind: 'url', url: 'https://example.com/clock.png' }, detail: 'auto' }] },
        { type: 'tool_result', toolCallId: 'call_3', name: 'sql', content: [{ type: 'text', text: '1' }] },
        { type: 'text', text: 'Thanks, go on.' },
      ],
    },
  ];
  const canonical: CanonicalRequest = {
    model: 'client-model',
    system: [{ type: 'text', text: 'Be brief.' }],
    messages,
    tools: [
      { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true },
      { name: 'now', parameters: { type: 'object', properties: {} } },
      { name: 'sql', description: 'Run SQL', parameters: { type: 'object', properties: { input: { type: 'string' } } }, kind: 'custom' },
    ],
    toolChoice: { type: 'tool', name: 'get_weather' },
    parallelToolCalls: true,
    sampling: { temperature: 0.2, topP: 0.9, maxTokens: 1000, stop: ['END'] },
    reasoning: { enabled: true, effort: 'medium', includeThoughts: true },
    responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true, description: 'The answer' },
    stream: true,
    user: 'session-1',
    extensions: { protocol: 'anthropic', fields: { anthropic_only: 1 } },
  };

  it('preserves text, images, tools, tool choice, calls and results, reasoning, format, sampling', () => {
    const body = codec.encodeRequest(canonical, 'gpt-5');
    assertValidUpstreamBody(body, true);
    expect(body).toMatchObject({
      model: 'gpt-5', instructions: 'Be brief.', temperature: 0.2, top_p: 0.9, max_output_tokens: 1000,
      tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: true,
      reasoning: { effort: 'medium', summary: 'auto' }, store: false, stream: true, prompt_cache_key: 'session-1',
    });
    expect(body.anthropic_only).toBeUndefined();
    expect(body.stop).toBeUndefined(); // Responses has no stop sequences
    const back = codec.decodeRequest(body, {});
    expect(back.system).toEqual(canonical.system);
    expect(back.messages).toEqual([
      messages[0],
      // Only the Responses-issued reasoning survives; the custom tool schema comes back as the free-text form.
      { role: 'assistant', parts: [messages[1]!.parts[0], ...messages[1]!.parts.slice(2)] },
      messages[2],
    ]);
    expect(back.tools.map(({ parameters, ...t }) => t)).toEqual([
      { name: 'get_weather', description: 'Weather', strict: true },
      { name: 'now', strict: false },
      { name: 'sql', description: 'Run SQL', kind: 'custom' },
    ]);
    expect(back.tools[0]!.parameters).toEqual(canonical.tools[0]!.parameters);
    expect(back.tools[1]!.parameters).toEqual({ type: 'object', properties: {} });
    expect(back.toolChoice).toEqual(canonical.toolChoice);
    expect(back.parallelToolCalls).toBe(true);
    expect(back.reasoning).toEqual(canonical.reasoning);
    expect(back.responseFormat).toEqual(canonical.responseFormat);
    expect(back.sampling).toEqual({ temperature: 0.2, topP: 0.9, maxTokens: 1000 });
    expect(back.stream).toBe(true);
    expect(back.user).toBe('session-1');
  });

  it('small details: tiny max tokens raised to 16, long session keys hashed, thinking off sends no reasoning', () => {
    const small = codec.encodeRequest({ ...canonical, sampling: { maxTokens: 5 }, reasoning: { enabled: false }, user: 'x'.repeat(40) + 'y'.repeat(60) }, 'm');
    expect(small.max_output_tokens).toBe(16);
    expect(small.reasoning).toBeUndefined();
    expect(small.include).toBeUndefined();
    expect((small.prompt_cache_key as string).length).toBeLessThanOrEqual(64);
    const other = codec.encodeRequest({ ...canonical, user: 'x'.repeat(40) + 'z'.repeat(60) }, 'm');
    expect(other.prompt_cache_key).not.toBe(small.prompt_cache_key);
    const budget = codec.encodeRequest({ ...canonical, reasoning: { enabled: true, budgetTokens: 31999 } }, 'm');
    expect(budget.reasoning).toEqual({ effort: 'high', summary: 'auto' });
  });
});

describe('decodeRequest rejects malformed requests, naming the field', () => {
  const cases: Array<[string, unknown, string]> = [
    ['no model', { input: 'x' }, 'model'],
    ['input not string/array', { model: 'm', input: 5 }, 'input'],
    ['item not object', { model: 'm', input: ['x'] }, 'input.0'],
    ['bad role', { model: 'm', input: [{ role: 'tool', content: 'x' }] }, 'input.0.role'],
    ['bad content', { model: 'm', input: [{ role: 'user', content: 7 }] }, 'input.0.content'],
    ['bad text', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_text', text: 1 }] }] }, 'input.0.content.0.text'],
    ['call without call_id', { model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input.0.call_id'],
    ['tools not array', { model: 'm', input: 'x', tools: {} }, 'tools'],
    ['tool without name', { model: 'm', input: 'x', tools: [{ type: 'function' }] }, 'tools.0.name'],
    ['bad tool_choice', { model: 'm', input: 'x', tool_choice: 'sometimes' }, 'tool_choice'],
    ['bad temperature', { model: 'm', input: 'x', temperature: 'hot' }, 'temperature'],
    ['bad format', { model: 'm', input: 'x', text: { format: { type: 'yaml' } } }, 'text.format.type'],
  ];
  it.each(cases)('%s', (_label, body, param) => {
    let err: unknown;
    try {
      codec.decodeRequest(body, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RequestDecodeError);
    expect((err as RequestDecodeError).param).toBe(param);
    expect((err as RequestDecodeError).message).toMatch(new RegExp(`^${param.replace(/\./g, '\\.')}: expected `));
  });
});
