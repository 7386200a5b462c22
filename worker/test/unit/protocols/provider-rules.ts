/**
 * What each provider requires of a request body, as far as its API reference states rules a
 * converter can break: roles and their order, tool results answering tool calls, id formats,
 * required fields. Returns a list of violations ([] = valid).
 */
type J = Record<string, any>;

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** OpenAI Chat Completions ("Create chat completion": messages, tools). */
export function checkOpenAIChat(b: J): string[] {
  const out: string[] = [];
  if (typeof b.model !== 'string') out.push('model missing');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return [...out, 'messages empty'];
  let pending = new Set<string>();
  b.messages.forEach((m: J, i: number) => {
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(m.role)) out.push(`messages.${i}.role ${m.role}`);
    if (m.role === 'tool') {
      if (!pending.has(m.tool_call_id)) out.push(`messages.${i}: tool result ${m.tool_call_id} answers no pending call`);
      pending.delete(m.tool_call_id);
      if (typeof m.content !== 'string' && !Array.isArray(m.content)) out.push(`messages.${i}.content`);
      return;
    }
    if (pending.size > 0) out.push(`messages.${i}: calls ${[...pending].join(',')} not answered before the next message`);
    pending = new Set();
    if (m.role === 'assistant') {
      for (const tc of m.tool_calls ?? []) {
        if (tc.type !== 'function' || typeof tc.id !== 'string' || !TOOL_NAME.test(tc.function?.name ?? '')) out.push(`messages.${i}.tool_calls bad`);
        if (typeof tc.function?.arguments !== 'string') out.push(`messages.${i}.tool_calls arguments not a string`);
        pending.add(tc.id);
      }
      if (m.content == null && !(m.tool_calls?.length)) out.push(`messages.${i}: assistant without content or tool calls`);
    } else if (typeof m.content !== 'string' && !Array.isArray(m.content)) {
      out.push(`messages.${i}.content`);
    }
    if (Array.isArray(m.content)) {
      m.content.forEach((p: J, k: number) => {
        if (!['text', 'image_url', 'input_audio', 'file', 'refusal'].includes(p.type)) out.push(`messages.${i}.content.${k}.type ${p.type}`);
        if (p.type === 'image_url' && typeof p.image_url?.url !== 'string') out.push(`messages.${i}.content.${k} image url`);
      });
    }
  });
  if (pending.size > 0) out.push(`calls ${[...pending].join(',')} never answered`);
  for (const [i, t] of (b.tools ?? []).entries()) {
    if (t.type !== 'function' || !TOOL_NAME.test(t.function?.name ?? '') || typeof t.function?.parameters !== 'object') out.push(`tools.${i} bad`);
  }
  if (b.stream_options !== undefined && b.stream !== true) out.push('stream_options without stream');
  return out;
}

/** OpenAI Responses ("Create a model response": input items, tools). */
export function checkOpenAIResponses(b: J): string[] {
  const out: string[] = [];
  if (typeof b.model !== 'string') out.push('model missing');
  const input = typeof b.input === 'string' ? [] : b.input;
  if (!Array.isArray(input)) return [...out, 'input must be a string or array'];
  const calls = new Set<string>();
  input.forEach((it: J, i: number) => {
    const type = it.type ?? 'message';
    if (type === 'message') {
      if (!['user', 'assistant', 'system', 'developer'].includes(it.role)) out.push(`input.${i}.role ${it.role}`);
      if (typeof it.content !== 'string' && !Array.isArray(it.content)) out.push(`input.${i}.content`);
      for (const [k, p] of (Array.isArray(it.content) ? it.content : []).entries()) {
        const allowed = it.role === 'assistant' ? ['output_text', 'refusal'] : ['input_text', 'input_image', 'input_file', 'input_audio'];
        if (!allowed.includes(p.type)) out.push(`input.${i}.content.${k}.type ${p.type} for role ${it.role}`);
      }
    } else if (type === 'function_call') {
      if (typeof it.call_id !== 'string' || !TOOL_NAME.test(it.name ?? '') || typeof it.arguments !== 'string') out.push(`input.${i} function_call bad`);
      calls.add(it.call_id);
    } else if (type === 'function_call_output') {
      if (!calls.has(it.call_id)) out.push(`input.${i}: output for unknown call ${it.call_id}`);
      if (typeof it.output !== 'string' && !Array.isArray(it.output)) out.push(`input.${i}.output`);
    } else if (type === 'reasoning') {
      if (typeof it.encrypted_content !== 'string' && !it.id) out.push(`input.${i}: reasoning without id or encrypted_content`);
      if (!Array.isArray(it.summary)) out.push(`input.${i}.summary must be an array`);
    } else if (type === 'custom_tool_call') {
      calls.add(it.call_id);
    } else if (type !== 'custom_tool_call_output' && type !== 'item_reference' && !type.endsWith('_call')) {
      out.push(`input.${i}.type ${type}`);
    }
  });
  for (const [i, t] of (b.tools ?? []).entries()) {
    if (t.type === 'function' && (!TOOL_NAME.test(t.name ?? '') || typeof t.parameters !== 'object')) out.push(`tools.${i} bad`);
  }
  return out;
}

/** Anthropic Messages ("Messages": alternation, tool_result placement, max_tokens, thinking). */
export function checkAnthropic(b: J): string[] {
  const out: string[] = [];
  if (typeof b.model !== 'string') out.push('model missing');
  if (!(Number.isInteger(b.max_tokens) && b.max_tokens > 0)) out.push('max_tokens missing');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return [...out, 'messages empty'];
  if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system)) out.push('system');
  for (const [k, s] of (Array.isArray(b.system) ? b.system : []).entries()) {
    if (s.type === 'text' && (typeof s.text !== 'string' || s.text.trim() === '')) out.push(`system.${k}: empty or whitespace-only text block`);
  }
  let prevToolUses = new Set<string>();
  b.messages.forEach((m: J, i: number) => {
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (m.role !== expected) out.push(`messages.${i}.role ${m.role}, expected ${expected}`);
    const blocks: J[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (!Array.isArray(blocks) || blocks.length === 0) {
      out.push(`messages.${i}.content empty`);
      return;
    }
    let seenOther = false;
    const toolUses = new Set<string>();
    blocks.forEach((blk, k) => {
      // "text content blocks must be non-empty" / "must contain non-whitespace text".
      if (blk.type === 'text' && (typeof blk.text !== 'string' || blk.text.trim() === '')) out.push(`messages.${i}.content.${k}: empty or whitespace-only text block`);
      if (blk.type === 'tool_result' && Array.isArray(blk.content)) {
        blk.content.forEach((c: J, n: number) => {
          if (c.type === 'text' && (typeof c.text !== 'string' || c.text.trim() === '')) out.push(`messages.${i}.content.${k}.content.${n}: empty or whitespace-only text block`);
        });
      }
      if (blk.type === 'tool_use') {
        if (!/^[a-zA-Z0-9_-]+$/.test(blk.id ?? '')) out.push(`messages.${i}.content.${k}: tool_use id ${blk.id}`);
        if (typeof blk.input !== 'object' || blk.input === null || Array.isArray(blk.input)) out.push(`messages.${i}.content.${k}: tool_use input must be an object`);
        toolUses.add(blk.id);
      }
      if (blk.type === 'tool_result') {
        if (m.role !== 'user') out.push(`messages.${i}: tool_result in ${m.role}`);
        if (seenOther) out.push(`messages.${i}.content.${k}: tool_result after other content`);
        if (!prevToolUses.has(blk.tool_use_id)) out.push(`messages.${i}.content.${k}: tool_result for ${blk.tool_use_id} not in the previous assistant turn`);
      } else {
        seenOther = true;
      }
      if (blk.type === 'thinking' && typeof blk.signature !== 'string') out.push(`messages.${i}.content.${k}: thinking without signature`);
      if (!['text', 'image', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'document', 'search_result', 'server_tool_use', 'web_search_tool_result'].includes(blk.type)) {
        out.push(`messages.${i}.content.${k}.type ${blk.type}`);
      }
    });
    prevToolUses = toolUses;
  });
  if (b.thinking?.type === 'enabled') {
    if (!(b.thinking.budget_tokens >= 1024)) out.push('thinking.budget_tokens < 1024');
    if (!(b.max_tokens > b.thinking.budget_tokens)) out.push('max_tokens must exceed thinking.budget_tokens');
    if (b.temperature !== undefined && b.temperature !== 1) out.push('temperature with thinking');
  }
  for (const [i, t] of (b.tools ?? []).entries()) {
    if (t.type === undefined || t.type === 'custom') {
      if (!TOOL_NAME.test(t.name ?? '') || typeof t.input_schema !== 'object') out.push(`tools.${i} bad`);
    }
  }
  return out;
}

/** Gemini generateContent ("GenerateContentRequest": contents, parts, function calling). */
export function checkGemini(b: J): string[] {
  const out: string[] = [];
  if (!Array.isArray(b.contents) || b.contents.length === 0) return ['contents empty'];
  const DATA = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];
  let lastCalls: string[] = [];
  b.contents.forEach((c: J, i: number) => {
    if (!['user', 'model'].includes(c.role)) out.push(`contents.${i}.role ${c.role}`);
    if (!Array.isArray(c.parts) || c.parts.length === 0) {
      out.push(`contents.${i}.parts empty`);
      return;
    }
    const calls: string[] = [];
    c.parts.forEach((p: J, k: number) => {
      // `text: ""` is an unset proto field: "required oneof field 'data' must have one initialized field".
      const fields = DATA.filter((f) => p[f] !== undefined && !(f === 'text' && p.text === '' && !p.thoughtSignature));
      if (fields.length !== 1) out.push(`contents.${i}.parts.${k}: ${fields.length} data fields`);
      if (p.functionCall) {
        if (c.role !== 'model') out.push(`contents.${i}: functionCall in ${c.role}`);
        if (typeof p.functionCall.name !== 'string' || typeof (p.functionCall.args ?? {}) !== 'object') out.push(`contents.${i}.parts.${k} functionCall bad`);
        calls.push(p.functionCall.name);
      }
      if (p.functionResponse) {
        if (c.role !== 'user') out.push(`contents.${i}: functionResponse in ${c.role}`);
        if (!lastCalls.includes(p.functionResponse.name)) out.push(`contents.${i}.parts.${k}: functionResponse ${p.functionResponse.name} answers no call of the previous turn`);
        if (typeof p.functionResponse.response !== 'object' || p.functionResponse.response === null || Array.isArray(p.functionResponse.response)) out.push(`contents.${i}.parts.${k}: functionResponse.response must be an object`);
      }
    });
    lastCalls = c.role === 'model' ? calls : [];
  });
  for (const [i, t] of (b.tools ?? []).entries()) {
    for (const [k, f] of (t.functionDeclarations ?? []).entries()) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/.test(f.name ?? '')) out.push(`tools.${i}.functionDeclarations.${k}.name ${f.name}`);
    }
  }
  for (const [k, p] of (b.systemInstruction?.parts ?? []).entries()) if (p.text === '') out.push(`systemInstruction.parts.${k}: empty text`);
  const g = b.generationConfig ?? {};
  if (g.maxOutputTokens !== undefined && !Number.isInteger(g.maxOutputTokens)) out.push('generationConfig.maxOutputTokens');
  return out;
}

export const PROVIDER_RULES = {
  'openai-chat': checkOpenAIChat,
  'openai-responses': checkOpenAIResponses,
  anthropic: checkAnthropic,
  gemini: checkGemini,
} as const;
