/**
 * Chat Completions request body → canonical request
 * (OpenAI API reference, "Create chat completion", request body).
 *
 * Fields with a canonical meaning are mapped; every other top-level field goes to
 * `extensions.fields` so an OpenAI-compatible upstream gets it back untouched. A few mapped fields
 * are ALSO kept there because the canonical form cannot say how they were spelled, and the
 * encoder needs that to answer a same-protocol upstream the way the client asked:
 * - `max_completion_tokens` (its presence means the client prefers that name over `max_tokens`);
 * - `prompt_cache_key` (OpenAI cache routing key; also the canonical `user` when `user` is absent);
 * - `top_k` (a vLLM / OpenRouter extension; OpenAI itself rejects it, so only sent back verbatim);
 * - `reasoning_effort` when its value has no canonical equivalent (`max`, vendor values);
 * - `stream_options` keys other than `include_usage`.
 */
import type {
  CanonicalRequest, ReasoningConfig, ResponseFormat, Sampling, ToolChoice, ToolDefinition,
} from '../canonical';
import { RequestDecodeError } from '../canonical';
import { decodeMessages } from './messages';
import { isObject, type JsonObject } from './wire';

export { encodeRequest } from './request-encode';

/** Top-level fields mapped to the canonical form (and so not copied to `extensions.fields`). */
const MAPPED = new Set([
  'model', 'messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'temperature', 'top_p', 'stop',
  'max_tokens', 'seed', 'presence_penalty', 'frequency_penalty', 'response_format', 'stream', 'user',
  'functions', 'function_call',
]);

const EFFORTS = new Set(['minimal', 'low', 'medium', 'high', 'xhigh']);

/** JSON Schema of a tool that takes no arguments. */
export const EMPTY_PARAMETERS: Record<string, unknown> = { type: 'object', properties: {} };

/**
 * Decodes a client's Chat Completions body. `hints` are unused (model and stream are in the body).
 * @throws RequestDecodeError for a malformed body; the message names the field.
 */
export function decodeRequest(body: unknown, _hints: { model?: string; stream?: boolean } = {}): CanonicalRequest {
  if (!isObject(body)) throw new RequestDecodeError('body: expected a JSON object');
  if (typeof body.model !== 'string' || body.model === '') throw new RequestDecodeError('model: expected a non-empty string', 'model');
  const { system, messages } = decodeMessages(body.messages);
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!MAPPED.has(k)) fields[k] = v;
  delete fields.reasoning_effort;
  delete fields.stream_options;

  const req: CanonicalRequest = {
    model: body.model,
    system,
    messages,
    tools: decodeTools(body),
    sampling: decodeSampling(body),
    stream: optional(body, 'stream', 'boolean') ?? false,
    extensions: { protocol: 'openai-chat', fields },
  };
  const toolChoice = decodeToolChoice(body.tool_choice ?? body.function_call, body.tool_choice !== undefined ? 'tool_choice' : 'function_call');
  if (toolChoice) req.toolChoice = toolChoice;
  const parallel = optional(body, 'parallel_tool_calls', 'boolean');
  if (parallel !== undefined) req.parallelToolCalls = parallel;
  const format = decodeResponseFormat(body.response_format);
  if (format) req.responseFormat = format;
  const reasoning = decodeReasoningEffort(body.reasoning_effort, fields);
  if (reasoning) req.reasoning = reasoning;
  decodeStreamOptions(body.stream_options, req, fields);
  const user = optional(body, 'user', 'string') ?? (typeof body.prompt_cache_key === 'string' ? body.prompt_cache_key : undefined);
  if (user) req.user = user;
  return req;
}

/** `body[key]` when it has type `type`; undefined when absent or null. @throws RequestDecodeError on another type. */
function optional(body: JsonObject, key: string, type: 'boolean'): boolean | undefined;
function optional(body: JsonObject, key: string, type: 'number'): number | undefined;
function optional(body: JsonObject, key: string, type: 'string'): string | undefined;
function optional(body: JsonObject, key: string, type: 'boolean' | 'number' | 'string'): unknown {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type || (type === 'number' && !Number.isFinite(v))) {
    throw new RequestDecodeError(`${key}: expected ${type}`, key);
  }
  return v;
}

/** temperature, top_p, stop, max_(completion_)tokens, seed, penalties; `top_k` where a vendor accepts it. */
function decodeSampling(body: JsonObject): Sampling {
  const s: Sampling = {};
  const set = <K extends keyof Sampling>(k: K, v: Sampling[K] | undefined) => { if (v !== undefined) s[k] = v; };
  set('temperature', optional(body, 'temperature', 'number'));
  set('topP', optional(body, 'top_p', 'number'));
  set('topK', optional(body, 'top_k', 'number'));
  set('maxTokens', optional(body, 'max_completion_tokens', 'number') ?? optional(body, 'max_tokens', 'number'));
  set('seed', optional(body, 'seed', 'number'));
  set('presencePenalty', optional(body, 'presence_penalty', 'number'));
  set('frequencyPenalty', optional(body, 'frequency_penalty', 'number'));
  const stop = body.stop;
  if (typeof stop === 'string') s.stop = [stop];
  else if (Array.isArray(stop)) {
    if (!stop.every((x) => typeof x === 'string')) throw new RequestDecodeError('stop: expected string or array of strings', 'stop');
    s.stop = stop as string[];
  } else if (stop !== undefined && stop !== null) throw new RequestDecodeError('stop: expected string or array of strings', 'stop');
  return s;
}

/** `tools` (function and custom tools), else the deprecated `functions`. */
function decodeTools(body: JsonObject): ToolDefinition[] {
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) throw new RequestDecodeError('tools: expected an array', 'tools');
    return body.tools.flatMap((t, i) => decodeTool(t, `tools.${i}`) ?? []);
  }
  if (Array.isArray(body.functions)) return body.functions.map((f, i) => functionTool(f, `functions.${i}`));
  return [];
}

/** A function or custom tool; undefined for a vendor's built-in tool type (no canonical form). */
function decodeTool(t: unknown, at: string): ToolDefinition | undefined {
  if (!isObject(t)) throw new RequestDecodeError(`${at}: expected an object`, at);
  if (t.type === 'function' || (t.type === undefined && t.function !== undefined)) return functionTool(t.function, `${at}.function`);
  if (t.type === 'custom') {
    if (!isObject(t.custom) || typeof t.custom.name !== 'string') throw new RequestDecodeError(`${at}.custom.name: expected string`, `${at}.custom.name`);
    // The custom tool's `format` (grammar) has no canonical field and is not kept.
    const def: ToolDefinition = { name: t.custom.name, parameters: { ...EMPTY_PARAMETERS }, kind: 'custom' };
    if (typeof t.custom.description === 'string') def.description = t.custom.description;
    return def;
  }
  if (typeof t.type !== 'string') throw new RequestDecodeError(`${at}.type: expected string`, `${at}.type`);
  // Built-in tools of a vendor (e.g. Groq `browser_search`) only reach a same-protocol upstream.
  return undefined;
}

/** `{name, description?, parameters?, strict?}`; missing parameters mean no arguments. */
function functionTool(f: unknown, at: string): ToolDefinition {
  if (!isObject(f) || typeof f.name !== 'string') throw new RequestDecodeError(`${at}.name: expected string`, `${at}.name`);
  if (f.parameters !== undefined && f.parameters !== null && !isObject(f.parameters)) {
    throw new RequestDecodeError(`${at}.parameters: expected an object`, `${at}.parameters`);
  }
  const def: ToolDefinition = { name: f.name, parameters: isObject(f.parameters) ? f.parameters : { ...EMPTY_PARAMETERS } };
  if (typeof f.description === 'string') def.description = f.description;
  if (typeof f.strict === 'boolean') def.strict = f.strict;
  return def;
}

/**
 * `'auto' | 'none' | 'required' | {type:'function', function:{name}} | {type:'custom', custom:{name}}`;
 * `allowed_tools` keeps only its mode (the subset has no canonical form); deprecated `function_call`
 * uses `{name}`.
 */
function decodeToolChoice(v: unknown, key: string): ToolChoice | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'auto' || v === 'none' || v === 'required') return { type: v };
  if (isObject(v)) {
    const named = isObject(v.function) ? v.function : isObject(v.custom) ? v.custom : v;
    if (typeof named.name === 'string') return { type: 'tool', name: named.name };
    if (v.type === 'allowed_tools' && isObject(v.allowed_tools)) {
      return { type: v.allowed_tools.mode === 'required' ? 'required' : 'auto' };
    }
  }
  throw new RequestDecodeError(`${key}: expected 'auto', 'none', 'required' or a named tool`, key);
}

/** `{type:'text'} | {type:'json_object'} | {type:'json_schema', json_schema:{name, schema, strict, description}}`. */
function decodeResponseFormat(v: unknown): ResponseFormat | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new RequestDecodeError('response_format: expected an object', 'response_format');
  if (v.type === 'text' || v.type === 'json_object') return { type: v.type };
  if (v.type === 'json_schema' && isObject(v.json_schema) && typeof v.json_schema.name === 'string') {
    const js = v.json_schema;
    const f: ResponseFormat = { type: 'json_schema', name: js.name as string, schema: isObject(js.schema) ? js.schema : {} };
    if (typeof js.strict === 'boolean') f.strict = js.strict;
    if (typeof js.description === 'string') f.description = js.description;
    return f;
  }
  throw new RequestDecodeError("response_format.type: expected 'text', 'json_object' or 'json_schema' with json_schema.name", 'response_format.type');
}

/**
 * `reasoning_effort`: `none` turns reasoning off; minimal..xhigh map as is; `max` (and vendor values)
 * are kept verbatim in `fields` for a same-protocol upstream, `max` also counting as `xhigh`.
 */
function decodeReasoningEffort(v: unknown, fields: Record<string, unknown>): ReasoningConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RequestDecodeError('reasoning_effort: expected string', 'reasoning_effort');
  if (v === 'none') return { enabled: false };
  if (EFFORTS.has(v)) return { enabled: true, effort: v as ReasoningConfig['effort'] };
  fields.reasoning_effort = v;
  return v === 'max' ? { enabled: true, effort: 'xhigh' } : undefined;
}

/** `stream_options.include_usage` → includeUsage; other keys (e.g. `include_obfuscation`) → fields. */
function decodeStreamOptions(v: unknown, req: CanonicalRequest, fields: Record<string, unknown>): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) throw new RequestDecodeError('stream_options: expected an object', 'stream_options');
  const { include_usage: includeUsage, ...rest } = v;
  if (includeUsage !== undefined && typeof includeUsage !== 'boolean') {
    throw new RequestDecodeError('stream_options.include_usage: expected boolean', 'stream_options.include_usage');
  }
  if (includeUsage !== undefined) req.includeUsage = includeUsage;
  if (Object.keys(rest).length > 0) fields.stream_options = rest;
}
