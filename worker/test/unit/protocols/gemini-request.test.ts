/**
 * Gemini requests: every recorded Gemini client request (Gemini CLI, @google/genai, @ai-sdk/google,
 * env-configured SDK) decodes and re-encodes into a valid Gemini body; canonical requests survive
 * encode → decode; cross-protocol input gets Gemini's signature and schema rules right.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RequestDecodeError, type CanonicalRequest, type Message } from '../../../src/protocols/canonical';
import { opaqueToSlot, packToolCallId } from '../../../src/protocols/opaque';
import { geminiCodec } from '../../../src/protocols/gemini/index';
import { anthropicCodec } from '../../../src/protocols/anthropic/index';
import { openaiChatCodec } from '../../../src/protocols/openai-chat/index';
import { openaiResponsesCodec } from '../../../src/protocols/openai-responses/index';
import { fixturesDir } from '../../upstream/recordings';
import { checkGemini } from './provider-rules';

type J = Record<string, any>;
interface Capture { path: string; query: Record<string, string>; body: J }

const clientsDir = `${fixturesDir()}/clients`;
const captures: Array<{ file: string; cap: Capture; model: string; stream: boolean }> = [];
for (const dir of ['gemini-cli', 'sdk-google-genai', 'ai-sdk-google', 'sdk-env-base-url']) {
  for (const f of readdirSync(`${clientsDir}/${dir}`)) {
    if (!f.endsWith('.json')) continue;
    const cap = JSON.parse(readFileSync(`${clientsDir}/${dir}/${f}`, 'utf8')) as Capture;
    const m = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(cap.path ?? '');
    if (m) captures.push({ file: `${dir}/${f}`, cap, model: m[1]!, stream: m[2] === 'streamGenerateContent' });
  }
}

/** Stricter checks than provider-rules: one data field per part, responses right after their calls, in order. */
function strictGeminiProblems(b: J): string[] {
  const out = checkGemini(b);
  b.contents.forEach((c: J, i: number) => {
    const calls = (b.contents[i - 1]?.parts ?? []).filter((p: J) => p.functionCall).map((p: J) => p.functionCall.id);
    const responses = c.parts.filter((p: J) => p.functionResponse).map((p: J) => p.functionResponse.id);
    if (responses.length > 0) {
      if (JSON.stringify(responses) !== JSON.stringify(calls)) out.push(`contents.${i}: responses ${responses} do not answer ${calls} in order`);
      const firstOther = c.parts.findIndex((p: J) => !p.functionResponse);
      if (firstOther !== -1 && firstOther < responses.length) out.push(`contents.${i}: functionResponse after other parts`);
    }
    for (const p of c.parts) if (p.thoughtSignature !== undefined && typeof p.thoughtSignature !== 'string') out.push(`contents.${i}: thoughtSignature not a string`);
    if (i > 0 && b.contents[i - 1].role === c.role) out.push(`contents.${i}: same role as the previous turn`);
  });
  for (const t of b.tools ?? []) for (const f of t.functionDeclarations ?? []) if (f.parameters && f.parametersJsonSchema) out.push(`${f.name}: both parameters fields`);
  return out;
}

/** The schema with every `type` value lower-cased. */
function lowerTypes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerTypes);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'type' && typeof x === 'string' ? x.toLowerCase() : lowerTypes(x)]));
}

describe('recorded Gemini client requests', () => {
  it('covers the Gemini clients', () => {
    expect(captures.map((c) => c.file.split('/')[0])).toEqual(expect.arrayContaining(['gemini-cli', 'sdk-google-genai', 'ai-sdk-google', 'sdk-env-base-url']));
    expect(captures.length).toBe(10);
  });

  for (const { file, cap, model, stream } of captures) {
    it(`${file}: decodes, and re-encodes into a valid body that keeps everything`, () => {
      const req = geminiCodec.decodeRequest(cap.body, { model, stream });
      expect(req.model).toBe(model);
      expect(req.stream).toBe(stream);
      expect(req.messages.length).toBeGreaterThan(0);
      const body = geminiCodec.encodeRequest(req, 'gemini-upstream') as J;
      expect(strictGeminiProblems(body)).toEqual([]);

      // Every text part, function call and response of the original is still there, in order.
      const flat = (contents: J[]) => contents.flatMap((c) => c.parts.map((p: J) => ({ role: c.role ?? 'user', ...p })));
      expect(flat(body.contents)).toEqual(flat(cap.body.contents));
      expect(body.systemInstruction?.parts ?? []).toEqual(cap.body.systemInstruction?.parts ?? []);
      expect(body.tools ?? []).toEqual(cap.body.tools ?? []);
      const g = cap.body.generationConfig ?? {};
      for (const k of ['temperature', 'topP', 'topK', 'responseMimeType']) expect(body.generationConfig?.[k]).toEqual(g[k]);
      expect(body.generationConfig?.thinkingConfig).toEqual(g.thinkingConfig);
      // Gemini CLI's upper-case OpenAPI types come back as JSON Schema's lower-case ones, nothing else changes.
      if (g.responseJsonSchema) expect(body.generationConfig.responseJsonSchema).toEqual(lowerTypes(g.responseJsonSchema));
    });
  }

  it('gemini-cli text-01: system, JSON schema (upper-case types normalized), thinking level', () => {
    const { cap, model } = captures.find((c) => c.file === 'gemini-cli/text-01-POST-generateContent-reply-json.json')!;
    const req = geminiCodec.decodeRequest(cap.body, { model, stream: false });
    expect(req.system[0]!.text).toContain('Task Routing AI');
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'user']);
    expect(req.sampling).toEqual({ temperature: 1, topP: 0.95, topK: 64 });
    expect(req.reasoning).toEqual({ enabled: true, effort: 'high', includeThoughts: true });
    expect(req.responseFormat).toEqual({
      type: 'json_schema', name: 'response', schema: {
        type: 'object',
        properties: {
          complexity_reasoning: { type: 'string', description: 'Brief explanation for the score.' },
          complexity_score: { type: 'integer', description: 'Complexity score from 1-100.' },
        },
        required: ['complexity_reasoning', 'complexity_score'],
      },
    });
    expect(req.extensions).toEqual({ protocol: 'gemini', fields: {} });
  });

  it('gemini-cli tool-03: the call keeps its id and signature, the response answers it by id', () => {
    const { cap, model } = captures.find((c) => c.file === 'gemini-cli/tool-03-POST-streamGenerateContent-toolresult.json')!;
    const req = geminiCodec.decodeRequest(cap.body, { model, stream: true });
    expect(req.tools).toHaveLength(15);
    expect(req.tools.find((t) => t.name === 'enter_plan_mode')!.parameters).toEqual(cap.body.tools[0].functionDeclarations.find((f: J) => f.name === 'enter_plan_mode').parametersJsonSchema);
    expect(req.messages[1]).toEqual({ role: 'assistant', parts: [{
      type: 'tool_call', id: 'run_shell_command_1795956249496_0', name: 'run_shell_command', arguments: '{"command":"echo hi"}',
      signature: { provider: 'gemini', value: 'skip_thought_signature_validator' },
    }] });
    expect(req.messages[2]!.parts[0]).toEqual({
      type: 'tool_result', toolCallId: 'run_shell_command_1795956249496_0', name: 'run_shell_command',
      // Gemini CLI wraps the shell's output in `{output}`: other providers get the output itself.
      content: [{ type: 'text', text: cap.body.contents[2].parts[0].functionResponse.response.output }],
    });
    expect(req.messages[2]!.parts[0]).toMatchObject({ content: [{ text: expect.stringMatching(/^<untrusted_context>\nOutput: hi\n/) }] });
  });
});

const base = (over: Partial<CanonicalRequest>): CanonicalRequest => ({
  model: 'g', system: [], messages: [], tools: [], sampling: {}, stream: false, extensions: { protocol: 'openai-chat', fields: {} }, ...over,
});

describe('canonical → Gemini → canonical round trip', () => {
  const sig = { provider: 'gemini' as const, value: 'G-SIG' };
  const req = base({
    system: [{ type: 'text', text: 'Be brief.' }],
    messages: [
      { role: 'user', parts: [
        { type: 'text', text: 'Look at these.' },
        { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
      ] },
      { role: 'assistant', parts: [
        { type: 'reasoning', text: 'I should call both.', signature: sig },
        { type: 'tool_call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}', signature: { provider: 'gemini', value: 'FC-SIG' } },
        { type: 'tool_call', id: 'call_2', name: 'clock', arguments: '{}' },
      ] },
      { role: 'user', parts: [
        { type: 'tool_result', toolCallId: 'call_2', name: 'clock', content: [{ type: 'text', text: '12:00' }] },
        { type: 'tool_result', toolCallId: 'call_1', name: 'weather', content: [{ type: 'text', text: '{"temp":21}' }] },
      ] },
      { role: 'assistant', parts: [{ type: 'text', text: 'Sunny, noon.', signature: { provider: 'gemini', value: 'T-SIG' } }] },
      { role: 'user', parts: [{ type: 'text', text: 'Thanks' }] },
    ],
    tools: [
      { name: 'weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true },
      { name: 'clock', parameters: { type: 'object', properties: {} } },
    ],
    toolChoice: { type: 'tool', name: 'weather' },
    sampling: { temperature: 0.2, topP: 0.9, maxTokens: 500, stop: ['END'], seed: 7 },
    reasoning: { enabled: true, budgetTokens: 2048, includeThoughts: true },
    responseFormat: { type: 'json_schema', name: 'response', schema: { type: 'object', properties: { a: { type: 'number' } } } },
  });

  it('keeps text, images, tools, tool choice, calls, results, reasoning signatures, format, sampling', () => {
    const body = geminiCodec.encodeRequest(req, 'gemini-2.5-pro') as J;
    expect(strictGeminiProblems(body)).toEqual([]);
    // Results are put in the order of the calls.
    expect(body.contents[2].parts.map((p: J) => p.functionResponse.id)).toEqual(['call_1', 'call_2']);
    expect(body.contents[2].parts[1].functionResponse.response).toEqual({ output: '12:00' });
    expect(body.contents[2].parts[0].functionResponse.response).toEqual({ temp: 21 });
    expect(body.tools[0].functionDeclarations[1]).toEqual({ name: 'clock' });
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } });
    expect(body.generationConfig).toEqual({
      temperature: 0.2, topP: 0.9, maxOutputTokens: 500, stopSequences: ['END'], seed: 7,
      responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { a: { type: 'number' } } },
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
    });

    const back = geminiCodec.decodeRequest(body, { model: 'g' });
    expect(back.system).toEqual(req.system);
    const expected: Message[] = structuredClone(req.messages);
    // Results come back in call order; a result's text is the JSON of Gemini's response object, or
    // what its `{output}` wrapper holds.
    expected[2]!.parts = [
      { type: 'tool_result', toolCallId: 'call_1', name: 'weather', content: [{ type: 'text', text: '{"temp":21}' }] },
      { type: 'tool_result', toolCallId: 'call_2', name: 'clock', content: [{ type: 'text', text: '12:00' }] },
    ];
    expect(back.messages).toEqual(expected);
    // `strict` has no Gemini field and is the one thing lost.
    expect(back.tools).toEqual(req.tools.map(({ strict: _s, ...t }) => t));
    expect(back.toolChoice).toEqual(req.toolChoice);
    expect(back.sampling).toEqual(req.sampling);
    expect(back.reasoning).toEqual(req.reasoning);
    expect(back.responseFormat).toEqual(req.responseFormat);
  });

  it('tool choice auto / none / required and json_object', () => {
    for (const [choice, mode] of [[{ type: 'auto' }, 'AUTO'], [{ type: 'none' }, 'NONE'], [{ type: 'required' }, 'ANY']] as const) {
      const body = geminiCodec.encodeRequest(base({ ...req, toolChoice: choice, responseFormat: { type: 'json_object' } }), 'g') as J;
      expect(body.toolConfig.functionCallingConfig).toEqual({ mode });
      expect(body.generationConfig.responseMimeType).toBe('application/json');
      expect(body.generationConfig.responseJsonSchema).toBeUndefined();
      const back = geminiCodec.decodeRequest(body, { model: 'g' });
      expect(back.toolChoice).toEqual(choice);
      expect(back.responseFormat).toEqual({ type: 'json_object' });
    }
  });

  it('thinking off, dynamic, effort level (same protocol) and effort budget (other protocols)', () => {
    const enc = (r: CanonicalRequest) => (geminiCodec.encodeRequest(r, 'g') as J).generationConfig?.thinkingConfig;
    expect(enc(base({ reasoning: { enabled: false } }))).toEqual({ thinkingBudget: 0 });
    expect(enc(base({ reasoning: { enabled: true } }))).toBeUndefined();
    expect(enc(base({ reasoning: { enabled: true, effort: 'low' } }))).toEqual({ thinkingBudget: 2048 });
    expect(enc(base({ reasoning: { enabled: true, budgetTokens: 31999 } }))).toEqual({ thinkingBudget: 24576 });
    // Output caps above Gemini's 65,536 are lowered for other protocols' clients, kept for Gemini's own.
    expect((geminiCodec.encodeRequest(base({ sampling: { maxTokens: 128000 } }), 'g') as J).generationConfig.maxOutputTokens).toBe(65536);
    expect((geminiCodec.encodeRequest(base({ sampling: { maxTokens: 128000 }, extensions: { protocol: 'gemini', fields: {} } }), 'g') as J).generationConfig.maxOutputTokens).toBe(128000);
    expect(enc(base({ reasoning: { enabled: true, effort: 'medium', includeThoughts: true }, extensions: { protocol: 'gemini', fields: {} } })))
      .toEqual({ thinkingLevel: 'MEDIUM', includeThoughts: true });
    const dec = (thinkingConfig: J) => geminiCodec.decodeRequest({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { thinkingConfig } }, { model: 'g' }).reasoning;
    expect(dec({ thinkingBudget: 0 })).toEqual({ enabled: false });
    expect(dec({ thinkingBudget: -1 })).toEqual({ enabled: true });
    expect(dec({ thinkingBudget: 1024, includeThoughts: true })).toEqual({ enabled: true, budgetTokens: 1024, includeThoughts: true });
    expect(dec({ thinkingLevel: 'low' })).toEqual({ enabled: true, effort: 'low' });
  });
});

describe('cross-protocol input to a Gemini upstream', () => {
  it('drops other providers\' reasoning, signs foreign calls with the documented placeholder, names results', () => {
    const req = base({
      extensions: { protocol: 'anthropic', fields: { metadata: { user_id: 'u' } } },
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', parts: [
          { type: 'reasoning', text: 'claude thinking', signature: { provider: 'anthropic', value: 'A' } },
          { type: 'reasoning', text: 'unsigned thoughts' },
          { type: 'tool_call', id: 'toolu_1', name: 'a', arguments: '{"x":1}' },
          { type: 'tool_call', id: 'toolu_2', name: 'b', arguments: '' },
        ] },
        { role: 'user', parts: [
          { type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'boom' }], isError: true },
          { type: 'tool_result', toolCallId: 'toolu_2', content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } }] },
          { type: 'text', text: 'continue' },
        ] },
      ],
    });
    const body = geminiCodec.encodeRequest(req, 'gemini-3-pro-preview') as J;
    expect(strictGeminiProblems(body)).toEqual([]);
    expect(body.metadata).toBeUndefined(); // another protocol's fields never reach Gemini
    expect(body.contents[1].parts).toEqual([
      { functionCall: { id: 'toolu_1', name: 'a', args: { x: 1 } }, thoughtSignature: 'skip_thought_signature_validator' },
      { functionCall: { id: 'toolu_2', name: 'b', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
    ]);
    expect(body.contents[2].parts).toEqual([
      { functionResponse: { id: 'toolu_1', name: 'a', response: { error: 'boom' } } },
      { functionResponse: { id: 'toolu_2', name: 'b', response: { output: 'ok' } } },
      { inlineData: { mimeType: 'image/png', data: 'iVBOR' } },
      { text: 'continue' },
    ]);
  });

  it('keeps a Gemini signature on the first parallel call and no placeholder on the rest; envelopes unwrap', () => {
    const envelope = opaqueToSlot({ provider: 'gemini', value: 'REAL' }, 'anthropic');
    expect(envelope).not.toBe('REAL');
    const req = base({ messages: [
      { role: 'user', parts: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', parts: [
        { type: 'tool_call', id: 'c1', name: 'a', arguments: '{}', signature: { provider: 'gemini', value: 'REAL' } },
        { type: 'tool_call', id: 'c2', name: 'a', arguments: '{}' },
      ] },
      { role: 'user', parts: [
        { type: 'tool_result', toolCallId: 'c1', name: 'a', content: [{ type: 'text', text: '1' }] },
        { type: 'tool_result', toolCallId: 'c2', name: 'a', content: [{ type: 'text', text: '2' }] },
      ] },
    ] });
    const body = geminiCodec.encodeRequest(req, 'g') as J;
    expect(body.contents[1].parts.map((p: J) => p.thoughtSignature)).toEqual(['REAL', undefined]);
    // JSON scalars are not objects: wrapped as output.
    expect(body.contents[2].parts[0].functionResponse.response).toEqual({ output: '1' });
  });

  it('a Gemini client gets its unknown fields back; other clients never send them', () => {
    const body = {
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      cachedContent: 'cachedContents/abc',
      tools: [{ googleSearch: {} }, { functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING', nullable: true } }, propertyOrdering: ['q'] } }] }],
      toolConfig: { functionCallingConfig: { mode: 'VALIDATED' } },
      generationConfig: { candidateCount: 1, responseModalities: ['TEXT'], maxOutputTokens: 10 },
    };
    const req = geminiCodec.decodeRequest(body, { model: 'models/gemini-2.5-flash', stream: true });
    expect(req.model).toBe('gemini-2.5-flash');
    expect(req.tools).toEqual([{ name: 'f', parameters: { type: 'object', properties: { q: { type: ['string', 'null'] } } } }]);
    expect(req.toolChoice).toEqual({ type: 'auto' });
    expect(req.extensions.fields).toEqual({
      safetySettings: body.safetySettings, cachedContent: 'cachedContents/abc', tools: [{ googleSearch: {} }],
      toolConfig: { functionCallingConfig: { mode: 'VALIDATED' } }, generationConfig: { candidateCount: 1, responseModalities: ['TEXT'] },
    });
    const same = geminiCodec.encodeRequest(req, 'gemini-2.5-flash') as J;
    expect(same.safetySettings).toEqual(body.safetySettings);
    expect(same.cachedContent).toBe('cachedContents/abc');
    expect(same.tools).toEqual([
      { functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', properties: { q: { type: ['string', 'null'] } } } }] },
      { googleSearch: {} },
    ]);
    expect(same.toolConfig).toEqual({ functionCallingConfig: { mode: 'VALIDATED' } });
    expect(same.generationConfig).toEqual({ candidateCount: 1, responseModalities: ['TEXT'], maxOutputTokens: 10 });
    const other = geminiCodec.encodeRequest({ ...req, extensions: { protocol: 'openai-chat', fields: req.extensions.fields } }, 'g') as J;
    expect(other.safetySettings).toBeUndefined();
    expect(other.tools).toHaveLength(1);
  });

  it('accepts snake_case fields, id-less function responses, packed ids, and text/PDF media', () => {
    const req = geminiCodec.decodeRequest({
      system_instruction: { parts: [{ text: 'sys' }] },
      contents: [
        { parts: [{ text: 'q' }, { inline_data: { mime_type: 'text/plain', data: btoa('file text') } }, { file_data: { mime_type: 'application/pdf', file_uri: 'https://x/doc.pdf' } }, { inlineData: { mimeType: 'application/pdf', data: 'JVBER' } }] },
        { role: 'model', parts: [{ function_call: { name: 'f', args: { a: 1 } }, thought_signature: 'S1' }, { functionCall: { name: 'f', args: { a: 2 } } }, { functionCall: { name: 'g', id: packToolCallId('gid', { provider: 'gemini', value: 'S3' }) } }] },
        { role: 'user', parts: [{ function_response: { name: 'f', response: { r: 1 } } }, { functionResponse: { name: 'f', response: { r: 2 } } }, { functionResponse: { name: 'g', id: packToolCallId('gid', { provider: 'gemini', value: 'S3' }), response: { error: 'x' } } }] },
      ],
      generation_config: { max_output_tokens: 9, stop_sequences: ['s'] },
    }, { model: 'm' });
    expect(req.system).toEqual([{ type: 'text', text: 'sys' }]);
    expect(req.messages[0]!.parts).toEqual([
      { type: 'text', text: 'q' },
      { type: 'text', text: 'file text' },
      { type: 'image', source: { kind: 'url', url: 'https://x/doc.pdf' } },
      { type: 'image', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' } },
    ]);
    expect(req.messages[1]!.parts).toEqual([
      { type: 'tool_call', id: 'call_1_0', name: 'f', arguments: '{"a":1}', signature: { provider: 'gemini', value: 'S1' } },
      { type: 'tool_call', id: 'call_1_1', name: 'f', arguments: '{"a":2}' },
      { type: 'tool_call', id: 'gid', name: 'g', arguments: '{}', signature: { provider: 'gemini', value: 'S3' } },
    ]);
    expect(req.messages[2]!.parts.map((p) => (p.type === 'tool_result' ? [p.toolCallId, p.isError ?? false] : null))).toEqual([['call_1_0', false], ['call_1_1', false], ['gid', true]]);
    expect(req.sampling).toEqual({ maxTokens: 9, stop: ['s'] });
  });

  it('sends no empty text part in systemInstruction (a 400: "required oneof field \'data\'"); whitespace is text to Gemini', () => {
    const body = geminiCodec.encodeRequest(base({ system: [{ type: 'text', text: '' }, { type: 'text', text: ' ' }], messages: [{ role: 'user', parts: [{ type: 'text', text: 'q' }] }] }), 'm') as J;
    expect(body.systemInstruction).toEqual({ parts: [{ text: ' ' }] });
    expect(checkGemini(body)).toEqual([]);
    const none = geminiCodec.encodeRequest(base({ system: [{ type: 'text', text: '' }], messages: [{ role: 'user', parts: [{ type: 'text', text: 'q' }] }] }), 'm') as J;
    expect(none.systemInstruction).toBeUndefined();
  });

  it('throws RequestDecodeError naming the field', () => {
    const bad: Array<[unknown, string]> = [
      [null, 'body'],
      [{}, 'contents'],
      [{ contents: [{ role: 'system', parts: [] }] }, 'contents.0.role'],
      [{ contents: [{ role: 'user', parts: [{ text: 'a' }] }, { parts: 'x' }] }, 'contents.1.parts'],
      [{ contents: [{ parts: [{ text: 5 }] }] }, 'contents.0.parts.0.text'],
      [{ contents: [{ role: 'model', parts: [{ functionCall: { args: {} } }] }] }, 'contents.0.parts.0.functionCall.name'],
      [{ contents: [{ parts: [{ functionResponse: { name: 'f', response: 'x' } }] }] }, 'contents.0.parts.0.functionResponse.response'],
      [{ contents: [], tools: {} }, 'tools'],
      [{ contents: [], generationConfig: { temperature: 'hot' } }, 'generationConfig.temperature'],
      [{ contents: [], generationConfig: { stopSequences: [1] } }, 'generationConfig.stopSequences'],
    ];
    for (const [body, param] of bad) {
      let err: unknown;
      try {
        geminiCodec.decodeRequest(body, { model: 'm' });
      } catch (e) {
        err = e;
      }
      expect(err, param).toBeInstanceOf(RequestDecodeError);
      expect((err as RequestDecodeError).message.startsWith(param), param).toBe(true);
    }
    expect(() => geminiCodec.decodeRequest({ contents: [] }, {})).toThrow(RequestDecodeError);
  });
});

describe('function responses for other providers: the result, not its wrapper (issue 13 item 10)', () => {
  /** The canonical tool result of one functionResponse answering a call of `ls`. */
  const result = (response: unknown) => {
    const req = geminiCodec.decodeRequest({ contents: [
      { role: 'user', parts: [{ text: 'list' }] },
      { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'ls', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'ls', response } }] },
    ] }, { model: 'm' });
    const part = req.messages[2]!.parts[0]!;
    if (part.type !== 'tool_result') throw new Error('not a tool result');
    return { text: part.content.map((c) => (c.type === 'text' ? c.text : '')).join(''), isError: part.isError ?? false };
  };

  it.each([
    ['Gemini CLI {output}', { output: 'a.txt\nb.txt' }, 'a.txt\nb.txt', false],
    ['Gemini CLI / API reference {error}', { error: 'ls: cannot access' }, 'ls: cannot access', true],
    ['Python SDK automatic function calling {result}', { result: 'a.txt' }, 'a.txt', false],
    ['a wrapped non-string value: its JSON', { result: { files: ['a.txt'] } }, '{"files":["a.txt"]}', false],
    ['a wrapped number', { result: 3 }, '3', false],
    ['an MCP tool result {content: [text…]}', { content: [{ type: 'text', text: 'a.txt' }, { type: 'text', text: 'b.txt' }] }, 'a.txt\nb.txt', false],
    ['an MCP result with an image: JSON', { content: [{ type: 'image', data: 'AAA', mimeType: 'image/png' }] }, '[{"type":"image","data":"AAA","mimeType":"image/png"}]', false],
    ['any other object: its JSON', { temp: 21, unit: 'C' }, '{"temp":21,"unit":"C"}', false],
    ['a wrapper with another key: JSON', { output: 'a', exitCode: 0 }, '{"output":"a","exitCode":0}', false],
    ['a null wrapper: JSON', { output: null }, '{"output":null}', false],
    ['an empty object', {}, '{}', false],
  ])('%s', (_, response, text, isError) => {
    expect(result(response)).toEqual({ text, isError });
  });

  it('gemini-cli tool-03 to every other provider: the shell output itself', () => {
    const { cap, model } = captures.find((c) => c.file === 'gemini-cli/tool-03-POST-streamGenerateContent-toolresult.json')!;
    const req = geminiCodec.decodeRequest(cap.body, { model, stream: true });
    const output = cap.body.contents[2].parts[0].functionResponse.response.output as string;
    const chat = openaiChatCodec.encodeRequest(req, 'gpt') as J;
    expect(chat.messages.find((m: J) => m.role === 'tool').content).toBe(output);
    const anthropic = anthropicCodec.encodeRequest(req, 'claude-sonnet-4-5') as J;
    expect(anthropic.messages.at(-1).content[0]).toMatchObject({ type: 'tool_result', content: output });
    const responses = openaiResponsesCodec.encodeRequest(req, 'gpt') as J;
    expect(responses.input.find((i: J) => i.type === 'function_call_output').output).toBe(output);
    // Back to Gemini it is `{output}` again.
    const gemini = geminiCodec.encodeRequest(req, 'gemini-2.5-pro') as J;
    expect(gemini.contents[2].parts[0].functionResponse.response).toEqual({ output });
  });
});

describe('Gemini channel', () => {
  it('builds generateContent / streamGenerateContent?alt=sse URLs and the key header', () => {
    expect(geminiCodec.upstreamUrl('https://generativelanguage.googleapis.com/v1beta/', 'models/gemini-2.5-flash', false))
      .toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(geminiCodec.upstreamUrl('https://generativelanguage.googleapis.com/v1beta', 'gemini-2.5-flash', true))
      .toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(geminiCodec.upstreamHeaders('k-1')).toEqual({ 'x-goog-api-key': 'k-1' });
  });
});
