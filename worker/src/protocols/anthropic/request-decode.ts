/**
 * Anthropic Messages request (client side) → canonical request (Anthropic API reference,
 * "Messages" → "Create a Message"; SDK 1.14.0 `MessageCreateParamsBase`).
 */
import {
  RequestDecodeError, type CanonicalRequest, type Message, type Part, type ReasoningConfig, type ReasoningEffort,
  type ResponseFormat, type Sampling, type TextPart, type ToolChoice, type ToolDefinition,
} from '../canonical';
import { decodeBlock, decodeSystemContent, type ToolNames } from './decode-blocks';
import { emptyKept, KEPT_FIELD, reasoningSnapshot, type Kept } from './kept';
import { isRecord, type Json } from './wire';

/** Top-level fields with a canonical meaning; every other field goes to `extensions.fields`. */
const KNOWN_FIELDS = new Set([
  'model', 'max_tokens', 'messages', 'system', 'tools', 'tool_choice', 'temperature', 'top_p', 'top_k',
  'stop_sequences', 'stream', 'thinking', 'metadata', 'output_config', 'output_format',
]);

const fail = (path: string, what: string): never => {
  throw new RequestDecodeError(`${path}: ${what}`, path);
};

const absent = (v: unknown): boolean => v === undefined || v === null;

function optionalNumber(body: Json, key: string, integer = false): number | undefined {
  const v = body[key];
  if (absent(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    return fail(key, integer ? 'expected integer' : 'expected number');
  }
  return v;
}

function decodeSampling(body: Json): Sampling {
  const maxTokens = optionalNumber(body, 'max_tokens', true);
  // Anthropic requires max_tokens (0 is valid: it only warms the prompt cache).
  if (maxTokens === undefined || maxTokens < 0) return fail('max_tokens', 'required non-negative integer');
  const s: Sampling = { maxTokens };
  const temperature = optionalNumber(body, 'temperature');
  const topP = optionalNumber(body, 'top_p');
  const topK = optionalNumber(body, 'top_k', true);
  if (temperature !== undefined) s.temperature = temperature;
  if (topP !== undefined) s.topP = topP;
  if (topK !== undefined) s.topK = topK;
  if (!absent(body.stop_sequences)) {
    if (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((x) => typeof x === 'string')) {
      return fail('stop_sequences', 'expected array of strings');
    }
    if (body.stop_sequences.length > 0) s.stop = [...(body.stop_sequences as string[])];
  }
  return s;
}

/** Messages, with `role: "system"` entries moved to `system` and unmappable blocks recorded in `kept`. */
function decodeMessages(raw: unknown, system: TextPart[], kept: Kept): Message[] {
  if (!Array.isArray(raw)) return fail('messages', 'expected array');
  const names: ToolNames = new Map();
  const messages: Message[] = [];
  raw.forEach((m, i) => {
    const path = `messages.${i}`;
    if (!isRecord(m)) return fail(path, 'expected object');
    if (m.role === 'system') {
      // Mid-conversation system message: its text joins `system` for other protocols; an Anthropic
      // upstream gets the message back in place.
      kept.movedSystemFrom ??= system.length;
      system.push(...decodeSystemContent(m.content, `${path}.content`));
      kept.messages.push({ at: messages.length, message: m });
      return;
    }
    if (m.role !== 'user' && m.role !== 'assistant') return fail(`${path}.role`, 'expected "user", "assistant" or "system"');
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (!Array.isArray(blocks)) return fail(`${path}.content`, 'expected string or array');
    const at = messages.length;
    const parts: Part[] = [];
    const held: Kept['blocks'] = [];
    const raws: Kept['raw'] = [];
    blocks.forEach((block, j) => {
      const r = decodeBlock(block, `${path}.content.${j}`, names);
      if (r.kind === 'keep') held.push({ at, part: parts.length, block });
      if (r.kind !== 'part') return;
      if (r.keepRaw) raws.push({ at, part: parts.length, type: r.part.type, block });
      parts.push(r.part);
    });
    if (parts.length === 0) {
      if (held.length > 0) kept.messages.push({ at, message: m });
      return;
    }
    messages.push({ role: m.role, parts });
    const fields = Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'role' && k !== 'content'));
    if (Object.keys(fields).length > 0) (kept.messageFields ??= []).push({ at, fields });
    kept.blocks.push(...held);
    kept.raw.push(...raws);
  });
  return messages;
}

/** Custom tools become canonical tools; server tools (with a `type`) are kept for an Anthropic upstream. */
function decodeTools(raw: unknown, kept: Kept): ToolDefinition[] {
  if (absent(raw)) return [];
  if (!Array.isArray(raw)) return fail('tools', 'expected array');
  const tools: ToolDefinition[] = [];
  raw.forEach((t, i) => {
    const path = `tools.${i}`;
    if (!isRecord(t)) return fail(path, 'expected object');
    if (typeof t.type === 'string' && t.type !== 'custom') {
      kept.tools.push({ at: tools.length, tool: t });
      return;
    }
    if (typeof t.name !== 'string' || t.name === '') return fail(`${path}.name`, 'expected non-empty string');
    if (!absent(t.input_schema) && !isRecord(t.input_schema)) return fail(`${path}.input_schema`, 'expected object');
    const tool: ToolDefinition = {
      name: t.name,
      parameters: isRecord(t.input_schema) ? t.input_schema : { type: 'object', properties: {} },
    };
    if (typeof t.description === 'string') tool.description = t.description;
    if (typeof t.strict === 'boolean') tool.strict = t.strict;
    if (!absent(t.cache_control)) tool.cacheControl = t.cache_control;
    const extra = Object.fromEntries(
      Object.entries(t).filter(([k, v]) => !['name', 'description', 'input_schema', 'strict', 'cache_control', 'type'].includes(k) && !absent(v)),
    );
    if (Object.keys(extra).length > 0) kept.toolFields[t.name] = extra;
    tools.push(tool);
  });
  return tools;
}

function decodeToolChoice(raw: unknown): { toolChoice?: ToolChoice; parallelToolCalls?: boolean } {
  if (absent(raw)) return {};
  if (!isRecord(raw)) return fail('tool_choice', 'expected object');
  const parallel = raw.disable_parallel_tool_use === true ? { parallelToolCalls: false } : {};
  switch (raw.type) {
    case 'auto': return { toolChoice: { type: 'auto' }, ...parallel };
    case 'any': return { toolChoice: { type: 'required' }, ...parallel };
    case 'none': return { toolChoice: { type: 'none' } };
    case 'tool':
      if (typeof raw.name !== 'string' || raw.name === '') return fail('tool_choice.name', 'expected non-empty string');
      return { toolChoice: { type: 'tool', name: raw.name }, ...parallel };
    default: return fail('tool_choice.type', 'expected "auto", "any", "tool" or "none"');
  }
}

/** `output_config.effort` → canonical effort (`max` has no canonical peer: `xhigh`, the raw value is kept). */
function effortOf(v: unknown): ReasoningEffort | undefined {
  if (v === 'low' || v === 'medium' || v === 'high' || v === 'xhigh') return v;
  return v === 'max' ? 'xhigh' : undefined;
}

/** `thinking` + `output_config.effort` → canonical reasoning (docs "Extended thinking", "Adaptive thinking", "Effort"). */
function decodeReasoning(thinking: unknown, effortRaw: unknown): ReasoningConfig | undefined {
  const effort = effortOf(effortRaw);
  if (absent(thinking)) return effort ? { enabled: true, effort } : undefined;
  if (!isRecord(thinking) || typeof thinking.type !== 'string') return fail('thinking.type', 'expected string');
  if (thinking.type === 'disabled') return { enabled: false };
  const r: ReasoningConfig = { enabled: true };
  if (thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget)) return fail('thinking.budget_tokens', 'expected integer');
    r.budgetTokens = budget;
  }
  if (effort) r.effort = effort;
  if (thinking.display === 'summarized') r.includeThoughts = true;
  if (thinking.display === 'omitted') r.includeThoughts = false;
  return r;
}

/** `output_config.format` (or the deprecated beta `output_format`) → canonical response format. */
function decodeFormat(format: unknown): ResponseFormat | undefined {
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.schema)) return undefined;
  return { type: 'json_schema', name: 'response', schema: format.schema };
}

function decodeSystem(raw: unknown): TextPart[] {
  return absent(raw) ? [] : decodeSystemContent(raw, 'system');
}

function hasKept(k: Kept): boolean {
  return k.messages.length + k.blocks.length + k.raw.length + k.tools.length + (k.messageFields?.length ?? 0) > 0 || Object.keys(k.toolFields).length > 0
    || k.thinking !== undefined || k.effort !== undefined || k.outputConfig !== undefined;
}

/**
 * Decodes an Anthropic Messages request body. `hints.stream` overrides `stream` (unused by
 * Anthropic clients); `hints.model` is used only when the body has no model.
 * @throws RequestDecodeError naming the offending field, e.g. `messages.2.content: expected string or array`.
 */
export function decodeRequest(body: unknown, hints: { model?: string; stream?: boolean } = {}): CanonicalRequest {
  if (!isRecord(body)) return fail('body', 'expected a JSON object');
  const model = typeof body.model === 'string' && body.model !== '' ? body.model : hints.model;
  if (!model) return fail('model', 'required string');
  const sampling = decodeSampling(body);
  const kept = emptyKept();
  const system = decodeSystem(body.system);
  const messages = decodeMessages(body.messages, system, kept);
  const tools = decodeTools(body.tools, kept);
  const outputConfig = isRecord(body.output_config) ? body.output_config : {};
  const reasoning = decodeReasoning(body.thinking, outputConfig.effort);
  const responseFormat = decodeFormat(outputConfig.format) ?? decodeFormat(body.output_format);
  if (reasoning) kept.thinking = { raw: body.thinking ?? null, decoded: reasoningSnapshot(reasoning) };
  if (!absent(outputConfig.effort)) kept.effort = outputConfig.effort;
  const otherConfig = Object.fromEntries(Object.entries(outputConfig).filter(([k]) => k !== 'effort' && k !== 'format'));
  if (Object.keys(otherConfig).length > 0) kept.outputConfig = otherConfig;
  kept.messageCount = messages.length;
  kept.systemCount = system.length;

  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(body).filter(([k]) => !KNOWN_FIELDS.has(k)));
  const metadata = isRecord(body.metadata) ? body.metadata : {};
  if (Object.keys(metadata).some((k) => k !== 'user_id')) fields.metadata = metadata;
  if (hasKept(kept)) fields[KEPT_FIELD] = kept;

  const req: CanonicalRequest = {
    model,
    system,
    messages,
    tools,
    ...decodeToolChoice(body.tool_choice),
    sampling,
    stream: hints.stream ?? body.stream === true,
    extensions: { protocol: 'anthropic', fields },
  };
  if (reasoning) req.reasoning = reasoning;
  if (responseFormat) req.responseFormat = responseFormat;
  if (typeof metadata.user_id === 'string' && metadata.user_id !== '') req.user = metadata.user_id;
  return req;
}
