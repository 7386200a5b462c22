/**
 * Anthropic requests: every real client request to /v1/messages in shared/fixtures/clients decodes
 * and re-encodes to a body the Messages API accepts (checked by `expectValidBody`, which encodes the
 * API's documented request rules); an Anthropic client's request comes back unchanged for an
 * Anthropic upstream; canonical requests survive encode → decode; cross-protocol histories are
 * made valid (signatures, thinking, tool pairing, ids, sampling per model).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeRequest as encodeBody } from '../../../src/protocols/anthropic/request';
import { KEPT_FIELD } from '../../../src/protocols/anthropic/kept';
import { MISSING_RESULT_TEXT, OPENING_USER_TEXT } from '../../../src/protocols/anthropic/encode-messages';
import { modelTraits } from '../../../src/protocols/anthropic/model-traits';
import { RequestDecodeError, type CanonicalRequest, type Message } from '../../../src/protocols/canonical';
import { fixturesDir } from '../../upstream/recordings';
import { codecFor } from '../../../src/protocols/index';

type Body = Record<string, any>;
/** encodeRequest, typed loosely for inspection. */
const encodeRequest = (req: CanonicalRequest, model: string): Body => encodeBody(req, model);

const CLIENTS = path.join(fixturesDir(), 'clients');
const CLIENT_FILES = readdirSync(CLIENTS, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, fx: JSON.parse(readFileSync(path.join(CLIENTS, f), 'utf8')) }))
  .filter(({ fx }) => typeof fx.path === 'string' && /(^|\/)messages$/.test(fx.path))
  .sort((a, b) => a.name.localeCompare(b.name));

const ID = /^[a-zA-Z0-9_-]+$/;
const blocks = (m: Body): Body[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content);

/** The Messages API's request rules (API reference "Messages", docs "Extended thinking", "How tool use works"). */
function expectValidBody(b: Body, model: string): void {
  const traits = modelTraits(model);
  expect(b.model).toBe(model);
  expect(Number.isInteger(b.max_tokens) && b.max_tokens >= 0).toBe(true);
  expect(Object.keys(b)).not.toContain(KEPT_FIELD);
  expect(Array.isArray(b.messages) && b.messages.length > 0).toBe(true);
  if (b.system !== undefined) {
    // "text content blocks must contain non-whitespace text" (400), as in messages.
    for (const s of b.system) expect(s.type === 'text' && typeof s.text === 'string' && s.text.trim() !== '').toBe(true);
  }
  // Mid-conversation system messages: only on models that take them, and only where allowed.
  (b.messages as Body[]).forEach((m, i, all) => {
    if (m.role !== 'system') return;
    expect(traits.midConversationSystem).toBe(true);
    expect(i).toBeGreaterThan(0);
    expect(all[i - 1]!.role).toBe('user');
    if (i + 1 < all.length) expect(all[i + 1]!.role).toBe('assistant');
  });
  const turns = (b.messages as Body[]).filter((m) => m.role !== 'system');
  expect(turns[0]!.role).toBe('user');
  turns.forEach((m, i) => {
    expect(['user', 'assistant']).toContain(m.role);
    if (i > 0) expect(m.role).not.toBe(turns[i - 1]!.role); // alternation
    const content = blocks(m);
    expect(content.length).toBeGreaterThan(0);
    for (const c of content) {
      expect(typeof c.type).toBe('string');
      // Anthropic: "text content blocks must be non-empty" / "must contain non-whitespace text" (400).
      if (c.type === 'text') expect(c.text.trim()).not.toBe('');
      if (c.type === 'tool_result' && Array.isArray(c.content)) {
        for (const r of c.content) if (r.type === 'text') expect(r.text.trim()).not.toBe('');
      }
      if (c.type === 'tool_use') {
        expect(c.id).toMatch(ID);
        expect(typeof c.input === 'object' && c.input !== null && !Array.isArray(c.input)).toBe(true);
      }
      if (c.type === 'thinking') expect(typeof c.signature === 'string' && c.signature !== '').toBe(true);
    }
    const thinkingIdx = content.findIndex((c) => c.type === 'thinking' || c.type === 'redacted_thinking');
    if (m.role === 'assistant' && thinkingIdx >= 0) expect(['thinking', 'redacted_thinking']).toContain(content[0]!.type);
    // Tool results: first in their turn, each answering a tool_use of the turn before; every tool_use answered.
    const prevUses = i > 0 && turns[i - 1]!.role === 'assistant' ? blocks(turns[i - 1]!).filter((c) => c.type === 'tool_use').map((c) => c.id) : [];
    if (m.role === 'user') {
      const results = content.filter((c) => c.type === 'tool_result');
      const firstOther = content.findIndex((c) => c.type !== 'tool_result');
      if (firstOther >= 0) expect(content.slice(firstOther).some((c) => c.type === 'tool_result')).toBe(false);
      for (const r of results) {
        expect(r.tool_use_id).toMatch(ID);
        expect(prevUses).toContain(r.tool_use_id);
      }
      expect(results.map((r) => r.tool_use_id).sort()).toEqual([...prevUses].sort());
    }
  });
  const last = turns.at(-1)!;
  if (last.role === 'assistant') {
    const tail = blocks(last).at(-1)!;
    if (tail.type === 'text') expect(tail.text).toBe(tail.text.trimEnd());
  }
  for (const t of b.tools ?? []) {
    if (t.type === undefined || t.type === 'custom') {
      expect(typeof t.name).toBe('string');
      expect(t.input_schema?.type).toBe('object');
    }
  }
  const thinking = b.thinking?.type;
  if (thinking === 'enabled') {
    expect(traits.budgetRemoved).toBe(false);
    expect(b.thinking.budget_tokens).toBeGreaterThanOrEqual(1024);
    expect(b.thinking.budget_tokens).toBeLessThan(b.max_tokens);
  }
  if (thinking === 'adaptive') expect(traits.claude ? traits.adaptiveThinking : true).toBe(true);
  if (thinking === 'disabled') expect(traits.disableRejected).toBe(false);
  if (thinking === 'enabled' || thinking === 'adaptive') {
    expect(['any', 'tool']).not.toContain(b.tool_choice?.type);
    if (b.temperature !== undefined) expect(b.temperature).toBe(1);
    expect(b.top_k).toBeUndefined();
    if (b.top_p !== undefined) expect(b.top_p).toBeGreaterThanOrEqual(0.95);
  }
  if (traits.samplingRemoved) for (const k of ['temperature', 'top_p', 'top_k']) expect(b[k]).toBeUndefined();
  if (traits.temperatureOrTopP) expect(b.temperature !== undefined && b.top_p !== undefined).toBe(false);
  if (b.tool_choice !== undefined) expect(b.tools?.length).toBeGreaterThan(0);
  if (b.output_config?.format) expect(b.output_config.format.type).toBe('json_schema');
}

/** The same request in the forms the API treats as equal: string content ↔ one text block, default flags dropped. */
function canonicalForm(body: Body): Body {
  const b = structuredClone(body);
  if (b.stream === false) delete b.stream;
  for (const m of b.messages) {
    if (typeof m.content === 'string' && m.role !== 'system') m.content = [{ type: 'text', text: m.content }];
    for (const c of Array.isArray(m.content) ? m.content : []) {
      if (c.type === 'tool_result' && c.is_error === false) delete c.is_error;
    }
  }
  return b;
}

const asForeign = (req: CanonicalRequest): CanonicalRequest => ({ ...req, extensions: { protocol: 'openai-chat', fields: {} } });

describe('expectValidBody (the request rules the tests check)', () => {
  const ok = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
  it.each([
    ['consecutive user turns', { ...ok, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }],
    ['an empty text block', { ...ok, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }],
    ['a whitespace-only text block', { ...ok, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'text', text: '   ' }] }, { role: 'user', content: 'go on' }] }],
    ['a whitespace-only system block', { ...ok, system: [{ type: 'text', text: ' \n' }] }],
    ['a tool result after text', { ...ok, messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'tool_result', tool_use_id: 't' }] },
    ] }],
    ['an unanswered tool_use', { ...ok, messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
      { role: 'user', content: 'b' },
    ] }],
    ['a bad tool id', { ...ok, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'tool_use', id: 'a.b', name: 'f', input: {} }] }] }],
    ['a budget not below max_tokens', { ...ok, thinking: { type: 'enabled', budget_tokens: 100 } }],
    ['temperature with thinking', { ...ok, max_tokens: 5000, thinking: { type: 'enabled', budget_tokens: 1024 }, temperature: 0.5 }],
    ['temperature on Opus 4.7', { ...ok, model: 'claude-opus-4-7', temperature: 0.5 }],
  ])('rejects %s', (_, bad) => {
    expect(() => expectValidBody(bad, bad.model)).toThrow();
  });
  it('accepts a minimal body', () => expectValidBody(ok, ok.model));
});

describe('Anthropic client requests from shared/fixtures/clients', () => {
  it('finds the Claude Code, opencode, SDK and AI SDK requests', () => {
    expect(CLIENT_FILES.length).toBe(14);
    expect(CLIENT_FILES.filter((c) => c.name.startsWith('claude-code/')).length).toBe(7);
  });

  for (const { name, fx } of CLIENT_FILES) {
    describe(name, () => {
      const req = decodeRequest(fx.body, {});

      it('decodes (model, stream, max_tokens, turns)', () => {
        expect(req.model).toBe(fx.body.model);
        expect(req.stream).toBe(fx.body.stream === true);
        expect(req.sampling.maxTokens).toBe(fx.body.max_tokens);
        expect(req.messages.length).toBe(fx.body.messages.filter((m: Body) => m.role !== 'system').length);
        expect(req.extensions.protocol).toBe('anthropic');
      });

      it('comes back unchanged for an Anthropic upstream of the same model', () => {
        const body = encodeRequest(req, fx.body.model);
        expectValidBody(body, fx.body.model);
        expect(canonicalForm(body)).toEqual(canonicalForm(fx.body));
      });

      it.each(['claude-sonnet-4-5', 'claude-opus-4-7', 'claude-sonnet-4-6', 'deepseek-chat'])('encodes validly for upstream model %s', (model) => {
        expectValidBody(encodeRequest(req, model), model);
      });

      it('encodes validly when it came through another protocol (no Anthropic-only extras)', () => {
        const body = encodeRequest(asForeign(req), 'claude-opus-4-8');
        expectValidBody(body, 'claude-opus-4-8');
        expect(body.messages.some((m: Body) => m.role === 'system')).toBe(false);
        expect(body.context_management).toBeUndefined();
        for (const t of body.tools ?? []) expect(Object.keys(t).sort()).toEqual(expect.arrayContaining(['input_schema', 'name']));
        for (const t of body.tools ?? []) expect(t.defer_loading).toBeUndefined();
      });
    });
  }

  it('reads what Claude Code means: thinking, effort, session, tools, mid-conversation system message', () => {
    const { fx } = CLIENT_FILES.find((c) => c.name === 'claude-code/tool-02-POST-messages-toolresult.json')!;
    const req = decodeRequest(fx.body, {});
    expect(req.reasoning).toEqual({ enabled: true, effort: 'medium', includeThoughts: false });
    expect(req.user).toContain('session_id');
    expect(req.tools.map((t) => t.name)).toContain('Bash');
    expect(req.tools).toHaveLength(12);
    // The environment system message joins `system` for other protocols…
    expect(req.system.at(-1)!.text).toMatch(/^# Environment/);
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(req.messages[1]!.parts[1]).toEqual({ type: 'tool_call', id: 'toolu_07eff6513b7f6a4dfa7f862d', name: 'Bash', arguments: '{"command":"echo hi"}' });
    expect(req.messages[2]!.parts[0]).toMatchObject({ type: 'tool_result', toolCallId: 'toolu_07eff6513b7f6a4dfa7f862d', name: 'Bash', content: [{ type: 'text', text: 'hi' }], cacheControl: { type: 'ephemeral' } });
    // …and stays in place (with its per-turn output_config) for an Anthropic upstream.
    const body = encodeRequest(req, 'claude-opus-5-5');
    expect(body.messages.map((m: Body) => m.role)).toEqual(['user', 'system', 'assistant', 'user']);
    expect(body.system).toHaveLength(3);
    expect(body.thinking).toEqual({ type: 'adaptive', display: 'omitted' });
    expect(body.output_config).toEqual({ effort: 'medium' });
  });

  it('keeps the mid-conversation system message in place only on models that take it (Claude ≥ 4.8)', () => {
    const { fx } = CLIENT_FILES.find((c) => c.name === 'claude-code/tool-02-POST-messages-toolresult.json')!;
    const req = decodeRequest(fx.body, {});
    const inPlace = encodeRequest(req, 'claude-opus-4-8');
    expect(inPlace.messages.map((m: Body) => m.role)).toEqual(['user', 'system', 'assistant', 'user']);
    expect(inPlace.system).toHaveLength(3);
    const moved = encodeRequest(req, 'claude-sonnet-4-6');
    expectValidBody(moved, 'claude-sonnet-4-6');
    expect(moved.messages.map((m: Body) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(moved.system).toHaveLength(4);
    expect(moved.system[3].text).toMatch(/^# Environment/);
    // A placement the API refuses (right after an assistant turn) moves it to `system` too.
    const late = decodeRequest({ ...fx.body, messages: [...fx.body.messages.slice(0, 3), { role: 'system', content: 'late rule' }, fx.body.messages[3]] }, {});
    const body = encodeRequest(late, 'claude-opus-4-8');
    expectValidBody(body, 'claude-opus-4-8');
    expect(body.messages.some((m: Body) => m.role === 'system')).toBe(false);
    expect(body.system.at(-1).text).toBe('late rule');
  });

  it('puts kept messages back only while the conversation is as decoded', () => {
    const { fx } = CLIENT_FILES.find((c) => c.name === 'claude-code/tool-02-POST-messages-toolresult.json')!;
    const req = decodeRequest(fx.body, {});
    const edited = { ...req, messages: req.messages.slice(0, 1) };
    const body = encodeRequest(edited, 'claude-opus-5-5');
    expectValidBody(body, 'claude-opus-5-5');
    expect(body.messages.map((m: Body) => m.role)).toEqual(['user']);
    expect(body.system).toHaveLength(4);
    expect(body.system.at(-1).text).toMatch(/^# Environment/);
  });

  it('maps Claude Code adaptive thinking to a manual budget on an older model', () => {
    const { fx } = CLIENT_FILES.find((c) => c.name === 'claude-code/text-01-POST-messages-reply-text.json')!;
    const body = encodeRequest(decodeRequest(fx.body, {}), 'claude-sonnet-4-5');
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 8192, display: 'omitted' });
    expect(body.output_config).toBeUndefined();
  });
});

const IMG_B64 = 'iVBORw0KGgo=';
const rich: CanonicalRequest = {
  model: 'client-model',
  system: [{ type: 'text', text: 'Be brief.', cacheControl: { type: 'ephemeral' } }],
  messages: [
    { role: 'user', parts: [
      { type: 'text', text: 'Look:' },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: IMG_B64 } },
    ] },
    { role: 'assistant', parts: [
      { type: 'reasoning', text: 'They want weather.', signature: { provider: 'anthropic', value: 'SIG-A' } },
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'tool_call', id: 'toolu_2', name: 'now', arguments: '{}' },
    ] },
    { role: 'user', parts: [
      { type: 'tool_result', toolCallId: 'toolu_1', name: 'weather', content: [{ type: 'text', text: 'sunny' }] },
      { type: 'tool_result', toolCallId: 'toolu_2', name: 'now', content: [{ type: 'text', text: '12:00' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: IMG_B64 } }], isError: true },
    ] },
  ],
  tools: [
    { name: 'weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true },
    { name: 'now', parameters: { type: 'object', properties: {} } },
  ],
  toolChoice: { type: 'tool', name: 'weather' },
  parallelToolCalls: false,
  sampling: { maxTokens: 2000, temperature: 0.3, stop: ['END'] },
  responseFormat: { type: 'json_schema', name: 'response', schema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
  stream: true,
  user: 'user-1',
  extensions: { protocol: 'openai-chat', fields: { logprobs: true } },
};

describe('canonical → Anthropic → canonical', () => {
  const body = encodeRequest(rich, 'claude-sonnet-4-5');
  const back = decodeRequest(body, {});

  it('writes a valid body without the foreign extensions', () => {
    expectValidBody(body, 'claude-sonnet-4-5');
    expect(body.logprobs).toBeUndefined();
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'weather', disable_parallel_tool_use: true });
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema: rich.responseFormat!.type === 'json_schema' && rich.responseFormat!.schema } });
  });

  it('keeps text, images (URL and base64), tool calls and parallel results, reasoning with signature', () => {
    expect(back.messages).toEqual(rich.messages);
  });

  it('keeps system, tools (strict, no-parameter), tool choice, parallel flag, response format, sampling, user', () => {
    expect(back.system).toEqual(rich.system);
    expect(back.tools).toEqual(rich.tools);
    expect(back.toolChoice).toEqual(rich.toolChoice);
    expect(back.parallelToolCalls).toBe(false);
    expect(back.responseFormat).toEqual(rich.responseFormat);
    expect(back.sampling).toEqual(rich.sampling);
    expect(back.user).toBe('user-1');
    expect(back.stream).toBe(true);
  });

  it('keeps reasoning settings: a manual budget, and adaptive thinking with effort', () => {
    const manual = { ...rich, toolChoice: { type: 'auto' as const }, sampling: { maxTokens: 20000 }, reasoning: { enabled: true, budgetTokens: 5000, includeThoughts: true } };
    const b1 = encodeRequest(manual, 'claude-opus-4-5');
    expect(b1.thinking).toEqual({ type: 'enabled', budget_tokens: 5000, display: 'summarized' });
    expect(decodeRequest(b1, {}).reasoning).toEqual(manual.reasoning);
    const adaptive = { ...manual, reasoning: { enabled: true, effort: 'high' as const } };
    const b2 = encodeRequest(adaptive, 'claude-opus-4-8');
    expect(b2.thinking).toEqual({ type: 'adaptive' });
    expect(b2.output_config).toMatchObject({ effort: 'high' });
    expect(decodeRequest(b2, {}).reasoning).toEqual(adaptive.reasoning);
    const off = encodeRequest({ ...manual, reasoning: { enabled: false } }, 'claude-sonnet-4-5');
    expect(off.thinking).toEqual({ type: 'disabled' });
    expect(decodeRequest(off, {}).reasoning).toEqual({ enabled: false });
  });
});

const user = (text: string): Message => ({ role: 'user', parts: [{ type: 'text', text }] });
const base = (messages: Message[], extra: Partial<CanonicalRequest> = {}): CanonicalRequest => ({
  model: 'm', system: [], messages, tools: [{ name: 'f', parameters: { type: 'object', properties: {} } }], sampling: {}, stream: false,
  extensions: { protocol: 'openai-chat', fields: {} }, ...extra,
});
const toolLoop = (reasoningSig?: { provider: 'anthropic' | 'gemini'; value: string }): Message[] => [
  user('run it'),
  { role: 'assistant', parts: [
    { type: 'reasoning', text: 'I should run it.', ...(reasoningSig && { signature: reasoningSig }) },
    { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{}' },
  ] },
  { role: 'user', parts: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'ok' }] }] },
];

describe('Anthropic request encoding: cross-protocol safety', () => {
  it('drops reasoning not signed by Anthropic, and turns manual thinking off in a tool loop that lost it', () => {
    const req = base(toolLoop({ provider: 'gemini', value: 'g' }), { reasoning: { enabled: true, effort: 'medium' } });
    const body = encodeRequest(req, 'claude-sonnet-4-5');
    expectValidBody(body, 'claude-sonnet-4-5');
    expect(body.messages[1].content.map((c: Body) => c.type)).toEqual(['tool_use']);
    expect(body.thinking).toBeUndefined();
    // With an Anthropic signature the thinking block goes back and thinking stays on.
    const signed = encodeRequest(base(toolLoop({ provider: 'anthropic', value: 'S' }), { reasoning: { enabled: true, effort: 'medium' } }), 'claude-sonnet-4-5');
    expect(signed.messages[1].content[0]).toEqual({ type: 'thinking', thinking: 'I should run it.', signature: 'S' });
    expect(signed.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(signed.max_tokens).toBe(8192 + 8192);
    // Adaptive thinking may skip thinking, so a tool loop without it stays valid with thinking on.
    expect(encodeRequest(req, 'claude-opus-4-7').thinking).toEqual({ type: 'adaptive' });
  });

  it('turns thinking off under a forced tool choice, and drops sampling thinking forbids', () => {
    const forced = encodeRequest(base([user('x')], { toolChoice: { type: 'required' }, reasoning: { enabled: true }, sampling: { temperature: 0.2, topK: 5, topP: 0.5 } }), 'claude-sonnet-4-5');
    expect(forced.tool_choice).toEqual({ type: 'any' });
    expect(forced.thinking).toBeUndefined();
    expect(forced).toMatchObject({ temperature: 0.2, top_k: 5 });
    expect(forced.top_p).toBeUndefined(); // Claude 4.1+ take temperature or top_p, not both
    const thinking = encodeRequest(base([user('x')], { reasoning: { enabled: true }, sampling: { temperature: 0.2, topK: 5, topP: 0.99 } }), 'claude-sonnet-4-5');
    expectValidBody(thinking, 'claude-sonnet-4-5');
    expect(thinking).toMatchObject({ top_p: 0.99 });
    expect(thinking.temperature).toBeUndefined();
    const removed = encodeRequest(base([user('x')], { sampling: { temperature: 0.2, topK: 5 } }), 'claude-opus-4-7');
    expect([removed.temperature, removed.top_k]).toEqual([undefined, undefined]);
    const other = encodeRequest(base([user('x')], { sampling: { temperature: 0.2, topP: 0.5 } }), 'glm-4.6');
    expect(other).toMatchObject({ temperature: 0.2, top_p: 0.5 });
  });

  it('raises max_tokens above a thinking budget that does not fit, within the model cap', () => {
    // A budget at or above the client's max_tokens (Gemini allows it): the client's cap becomes the answer's room.
    const big = encodeRequest(base([user('x')], { reasoning: { enabled: true, budgetTokens: 9000 }, sampling: { maxTokens: 4000 } }), 'claude-opus-4-1');
    expect(big.thinking).toEqual({ type: 'enabled', budget_tokens: 9000 });
    expect(big.max_tokens).toBe(13000);
    const tiny = encodeRequest(base([user('x')], { reasoning: { enabled: true, effort: 'low' }, sampling: { maxTokens: 500 } }), 'claude-sonnet-4');
    expect(tiny).toMatchObject({ max_tokens: 2048 + 500, thinking: { type: 'enabled', budget_tokens: 2048 } });
    // A client's own budget just under its max_tokens is its choice (Claude Code: 31999 / 32000).
    expect(encodeRequest(base([user('x')], { reasoning: { enabled: true, budgetTokens: 31999 }, sampling: { maxTokens: 32000 } }), 'claude-sonnet-4-5'))
      .toMatchObject({ max_tokens: 32000, thinking: { budget_tokens: 31999 } });
    // Claude 3 Haiku's 4096 cap: the budget shrinks to leave half the cap to answer; 3 Sonnet's own 4096 too.
    expect(encodeRequest(base([user('x')], { reasoning: { enabled: true, budgetTokens: 9000 }, sampling: { maxTokens: 4000 } }), 'claude-3-haiku-20240307'))
      .toMatchObject({ max_tokens: 4096, thinking: { budget_tokens: 2048 } });
    const none = encodeRequest(base([user('x')], { reasoning: { enabled: true } }), 'claude-3-haiku-20240307');
    expect(none).toMatchObject({ max_tokens: 4096, thinking: { budget_tokens: 2048 } });
    expect(encodeRequest(base([user('x')], { reasoning: { enabled: false } }), 'claude-fable-5').thinking).toBeUndefined();
    // No client max_tokens: budget plus room to answer, within the model's output cap.
    expect(encodeRequest(base([user('x')], { reasoning: { enabled: true, effort: 'high' } }), 'claude-opus-4-1')).toMatchObject({ max_tokens: 32000, thinking: { budget_tokens: 32000 - 8192 } });
    expect(encodeRequest(base([user('x')], { reasoning: { enabled: true } }), 'kimi-k2')).toMatchObject({ max_tokens: 8192, thinking: { type: 'enabled', budget_tokens: 4096 } });
    // A client max_tokens above a known cap is lowered to it (Claude Code's 128000 on Sonnet 4.5).
    expect(encodeRequest(base([user('x')], { sampling: { maxTokens: 128000 } }), 'claude-sonnet-4-5').max_tokens).toBe(64000);
    expect(encodeRequest(base([user('x')], { sampling: { maxTokens: 128000 } }), 'claude-opus-4-8').max_tokens).toBe(128000);
    expect(encodeRequest(base([user('x')], { reasoning: { enabled: true, effort: 'xhigh' } }), 'claude-sonnet-4-6').output_config).toEqual({ effort: 'high' });
    expect(encodeRequest(base([user('x')], { reasoning: { enabled: true, effort: 'minimal' } }), 'claude-opus-5').output_config).toEqual({ effort: 'low' });
  });

  it('sanitizes foreign tool ids the same way in calls and results', () => {
    const body = encodeRequest(base([
      user('go'),
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'functions.f:0', name: 'f', arguments: '{"a":1}' }] },
      { role: 'user', parts: [{ type: 'tool_result', toolCallId: 'functions.f:0', content: [{ type: 'text', text: 'r' }] }] },
    ]), 'claude-haiku-4-5');
    expectValidBody(body, 'claude-haiku-4-5');
    expect(body.messages[1].content[0].id).toBe('functions_f_0');
    expect(body.messages[2].content[0].tool_use_id).toBe('functions_f_0');
  });

  it('merges consecutive turns (OpenAI tool messages), puts results first, answers unanswered calls, turns orphan results into text', () => {
    const body = encodeRequest(base([
      user('go'),
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'a', name: 'f', arguments: '{}' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'b', name: 'f', arguments: '{}' }] },
      { role: 'user', parts: [{ type: 'tool_result', toolCallId: 'a', content: [{ type: 'text', text: 'A' }] }] },
      { role: 'user', parts: [{ type: 'text', text: 'and now?' }, { type: 'tool_result', toolCallId: 'zzz', content: [{ type: 'text', text: 'old' }] }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }] },
      user('never mind'),
    ]), 'claude-sonnet-4-5');
    expectValidBody(body, 'claude-sonnet-4-5');
    expect(body.messages.map((m: Body) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(body.messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'a', content: 'A' },
      { type: 'tool_result', tool_use_id: 'b', content: MISSING_RESULT_TEXT, is_error: true },
      { type: 'text', text: 'and now?' },
      { type: 'text', text: 'Result of tool call zzz:\nold' },
    ]);
    expect(body.messages[4].content[0]).toEqual({ type: 'tool_result', tool_use_id: 'c', content: MISSING_RESULT_TEXT, is_error: true });
  });

  it('opens with a user turn when the conversation starts with an assistant greeting', () => {
    const body = encodeRequest(base([{ role: 'assistant', parts: [{ type: 'text', text: 'Hi! How can I help?' }] }, user('Weather?')]), 'claude-sonnet-4-5');
    expectValidBody(body, 'claude-sonnet-4-5');
    expect(body.messages[0]).toEqual({ role: 'user', content: [{ type: 'text', text: OPENING_USER_TEXT }] });
  });

  it('drops empty text, converts data: URLs to base64, trims a final assistant prefill, strips thinking from it when thinking is off', () => {
    const body = encodeRequest(base([
      { role: 'user', parts: [{ type: 'text', text: '' }, { type: 'image', source: { kind: 'url', url: `data:image/jpeg;base64,${IMG_B64}` } }, { type: 'text', text: 'what?' }] },
      { role: 'assistant', parts: [{ type: 'reasoning', text: 'x', signature: { provider: 'anthropic', value: 'S' } }, { type: 'text', text: 'It is  \n' }] },
    ]), 'claude-sonnet-4-5');
    expectValidBody(body, 'claude-sonnet-4-5');
    expect(body.messages[0].content).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: IMG_B64 } }, { type: 'text', text: 'what?' }]);
    expect(body.messages[1].content).toEqual([{ type: 'text', text: 'It is' }]);
  });

  it('sends no whitespace-only text block: in assistant and user turns, system, tool results (issue 13 item 9)', () => {
    const body = encodeRequest(base([
      user('list files'),
      { role: 'assistant', parts: [{ type: 'text', text: '   ' }, { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{}' }] },
      { role: 'user', parts: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: ' \n\t' }] }, { type: 'text', text: '  ' }] },
      { role: 'assistant', parts: [{ type: 'text', text: '\n\n' }] },
      user('and now?'),
    ], { system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: ' ' }] }), 'claude-sonnet-4-5');
    expectValidBody(body, 'claude-sonnet-4-5');
    expect(body.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(body.messages[1].content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'f', input: {} }]);
    // The result keeps its place (it answers the call), without the blank text; the blank assistant
    // turn is gone, so the two user turns merge.
    expect(body.messages[2]).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1' }, { type: 'text', text: 'and now?' }] });
    expect(body.messages).toHaveLength(3);
  });

  it('uses structured outputs where the model has them, else a system instruction', () => {
    const fmt = { responseFormat: { type: 'json_schema' as const, name: 'x', schema: { type: 'object' } } };
    expect(encodeRequest(base([user('x')], fmt), 'claude-opus-4-8').output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object' } } });
    const old = encodeRequest(base([user('x')], fmt), 'claude-3-7-sonnet-20250219');
    expect(old.output_config).toBeUndefined();
    expect(old.system.at(-1).text).toContain('{"type":"object"}');
    expect(old.max_tokens).toBe(8192);
    const obj = encodeRequest(base([user('x')], { responseFormat: { type: 'json_object' } }), 'claude-opus-4-8');
    expect(obj.system).toEqual([{ type: 'text', text: expect.stringContaining('JSON object') }]);
  });

  it('keeps at most four cache breakpoints, the latest ones', () => {
    const cc = { type: 'ephemeral' };
    const req = base([
      { role: 'user', parts: [{ type: 'text', text: 'a', cacheControl: cc }, { type: 'text', text: 'b', cacheControl: cc }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'c', cacheControl: cc }] },
      { role: 'user', parts: [{ type: 'text', text: 'd', cacheControl: cc }] },
    ], { system: [{ type: 'text', text: 's', cacheControl: cc }], tools: [{ name: 'f', parameters: { type: 'object' }, cacheControl: cc }] });
    const body = encodeRequest(req, 'claude-sonnet-4-5');
    const marks = JSON.stringify(body).match(/cache_control/g) ?? [];
    expect(marks.length).toBe(4);
    expect(body.tools[0].cache_control).toBeUndefined();
    expect(body.system[0].cache_control).toBeUndefined();
    expect(body.messages[2].content[0].cache_control).toEqual(cc);
    expect(req.tools[0]!.cacheControl).toEqual(cc); // the request itself is untouched
  });

  it('passes only Anthropic-shaped cache_control, tool_choice none, and no tool_choice without tools', () => {
    const body = encodeRequest(base([{ role: 'user', parts: [{ type: 'text', text: 'a', cacheControl: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'b', cacheControl: 'weird' }] }], { toolChoice: { type: 'none' } }), 'claude-sonnet-4-5');
    expect(body.messages[0].content).toEqual([{ type: 'text', text: 'a', cache_control: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'b' }]);
    expect(body.tool_choice).toEqual({ type: 'none' });
    expect(encodeRequest(base([user('x')], { tools: [], toolChoice: { type: 'required' } }), 'claude-sonnet-4-5').tool_choice).toBeUndefined();
  });
});

describe('Anthropic request decoding: same-protocol extras and errors', () => {
  const body = {
    model: 'claude-opus-4-8', max_tokens: 1000, stream: true,
    service_tier: 'auto',
    thinking: { type: 'adaptive', display: 'summarized' },
    output_config: { effort: 'max', task_budget: { total: 5 } },
    tools: [
      { name: 'Read', input_schema: { type: 'object', properties: {} }, defer_loading: true, cache_control: { type: 'ephemeral' } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
    ],
    messages: [
      { role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } }] },
      { role: 'user', content: [{ type: 'text', text: 'Search and read' }, { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' }, title: 'N' }] },
      { role: 'assistant', content: [
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
        { type: 'text', text: 'Found.', citations: [{ type: 'web_search_result_location', url: 'u', title: 't', encrypted_index: 'e', cited_text: 'c' }] },
        { type: 'tool_use', id: 'toolu_9', name: 'Read', input: {}, cache_control: { type: 'ephemeral' } },
      ] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: [{ type: 'tool_reference', tool_name: 'Read' }] }] },
    ],
  };

  it('keeps server tools, tool fields, unmappable blocks, effort max and unknown fields for an Anthropic upstream', () => {
    const req = decodeRequest(body, {});
    expect(req.tools).toEqual([{ name: 'Read', parameters: { type: 'object', properties: {} }, cacheControl: { type: 'ephemeral' } }]);
    expect(req.reasoning).toEqual({ enabled: true, effort: 'xhigh', includeThoughts: true });
    expect(req.messages.map((m) => m.parts.map((p) => p.type))).toEqual([['text', 'text'], ['text', 'tool_call'], ['tool_result']]);
    expect(req.extensions.fields.service_tier).toBe('auto');
    const out = encodeRequest(req, 'claude-opus-4-8');
    expect(canonicalForm(out)).toEqual(canonicalForm({ ...body, messages: [{ ...body.messages[0], content: [...body.messages[0]!.content, ...body.messages[1]!.content] }, ...body.messages.slice(2)] }));
  });

  it('adds no thinking to a client that sent only an effort, and keeps the effort of one that turned thinking off', () => {
    const effortOnly = { model: 'claude-opus-4-8', max_tokens: 100, output_config: { effort: 'low' }, messages: [{ role: 'user', content: 'hi' }] };
    const req = decodeRequest(effortOnly, {});
    expect(req.reasoning).toEqual({ enabled: true, effort: 'low' });
    expect(encodeRequest(req, 'claude-opus-4-8')).toEqual({ ...effortOnly, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
    // The same reasoning from another protocol asks for adaptive thinking.
    expect(encodeRequest(asForeign(req), 'claude-opus-4-8').thinking).toEqual({ type: 'adaptive' });
    const off = encodeRequest(decodeRequest({ ...effortOnly, thinking: { type: 'disabled' } }, {}), 'claude-sonnet-4-6');
    expect(off).toMatchObject({ thinking: { type: 'disabled' }, output_config: { effort: 'low' } });
  });

  it('sends none of it to a foreign-protocol encode path (the same canonical request, other origin)', () => {
    const out = encodeRequest(asForeign(decodeRequest(body, {})), 'claude-opus-4-8');
    expectValidBody(out, 'claude-opus-4-8');
    expect(out.tools).toEqual([{ name: 'Read', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } }]);
    expect(out.output_config).toEqual({ effort: 'xhigh' });
    expect(out.service_tier).toBeUndefined();
    expect(JSON.stringify(out)).not.toContain('server_tool_use');
    // What other protocols cannot hold travels as text: a plain-text document, a tool_reference.
    expect(out.messages[0].content).toEqual([{ type: 'text', text: 'Search and read' }, { type: 'text', text: 'notes' }]);
    expect(out.messages.at(-1).content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'Tool loaded: Read' }]);
  });

  it.each([
    [{ max_tokens: 10, messages: [] }, 'model'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
    [{ model: 'm', max_tokens: 10, messages: 'hi' }, 'messages'],
    [{ model: 'm', max_tokens: 10, messages: [{ role: 'bot', content: 'x' }] }, 'messages.0.role'],
    [{ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 5 }] }, 'messages.0.content'],
    [{ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages.0.content.0.text'],
    [{ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', input: {} }] }] }, 'messages.0.content.0.name'],
    [{ model: 'm', max_tokens: 10, messages: [], tools: [{ description: 'no name' }] }, 'tools.0.name'],
    [{ model: 'm', max_tokens: 10, messages: [], tool_choice: { type: 'maybe' } }, 'tool_choice.type'],
    [{ model: 'm', max_tokens: 10, messages: [], thinking: { type: 'enabled' } }, 'thinking.budget_tokens'],
    [{ model: 'm', max_tokens: 10, messages: [], temperature: 'hot' }, 'temperature'],
    [{ model: 'm', max_tokens: 10, messages: [], system: [{ type: 'image' }] }, 'system.0.type'],
  ])('rejects %j naming %s', (bad, param) => {
    try {
      decodeRequest(bad, {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RequestDecodeError);
      expect((e as RequestDecodeError).param).toBe(param);
      expect((e as Error).message.startsWith(`${param}: `)).toBe(true);
    }
  });
});

describe('Anthropic thinking from other protocols\' settings (README "Reasoning across protocols")', () => {
  const gemini = codecFor('gemini');
  const fromGemini = (generationConfig: Record<string, unknown>) =>
    gemini.decodeRequest({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig }, { model: 'g' });

  it('Gemini includeThoughts without a budget: the default budget, with max_tokens raised to answer beside it', () => {
    const body = encodeRequest(fromGemini({ maxOutputTokens: 8192, thinkingConfig: { includeThoughts: true } }), 'claude-sonnet-4-5');
    expectValidBody(body, 'claude-sonnet-4-5');
    expect(body).toMatchObject({ max_tokens: 8192 + 8192, thinking: { type: 'enabled', budget_tokens: 8192, display: 'summarized' } });
    const small = encodeRequest(fromGemini({ maxOutputTokens: 1000, thinkingConfig: { includeThoughts: true } }), 'claude-sonnet-4-5');
    expect(small).toMatchObject({ max_tokens: 8192 + 1000, thinking: { budget_tokens: 8192 } });
    const none = encodeRequest(fromGemini({ thinkingConfig: { includeThoughts: true } }), 'claude-sonnet-4-5');
    expect(none).toMatchObject({ max_tokens: 8192 + 8192, thinking: { budget_tokens: 8192 } });
  });

  it('Gemini thinkingLevel and thinkingBudget', () => {
    // Gemini CLI: {includeThoughts: true, thinkingLevel: "HIGH"} and no maxOutputTokens.
    expect(encodeRequest(fromGemini({ thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' } }), 'claude-sonnet-4-5'))
      .toMatchObject({ max_tokens: 24576 + 8192, thinking: { budget_tokens: 24576 } });
    expect(encodeRequest(fromGemini({ maxOutputTokens: 4096, thinkingConfig: { thinkingBudget: 16000 } }), 'claude-sonnet-4-5'))
      .toMatchObject({ max_tokens: 16000 + 4096, thinking: { budget_tokens: 16000 } });
    expect(encodeRequest(fromGemini({ maxOutputTokens: 4096, thinkingConfig: { thinkingBudget: 0 } }), 'claude-sonnet-4-5'))
      .toMatchObject({ max_tokens: 4096, thinking: { type: 'disabled' } });
    expect(encodeRequest(fromGemini({ thinkingConfig: { thinkingBudget: 3000 } }), 'claude-opus-4-8'))
      .toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'low' } });
  });

  it('OpenAI reasoning effort', () => {
    const responses = codecFor('openai-responses');
    const req = responses.decodeRequest({ model: 'm', input: 'hi', max_output_tokens: 2000, reasoning: { effort: 'high' } }, {});
    expect(encodeRequest(req, 'claude-sonnet-4-5')).toMatchObject({ max_tokens: 24576 + 2000, thinking: { budget_tokens: 24576 } });
    expect(encodeRequest({ ...req, sampling: { maxTokens: 40000 } }, 'claude-sonnet-4-5')).toMatchObject({ max_tokens: 40000, thinking: { budget_tokens: 24576 } });
  });
});
