/**
 * CanonicalRequest → upstream body for `POST {base}/responses` (OpenAI API reference,
 * "Create a model response").
 *
 * Choices worth knowing:
 * - `store: false` always (unless a Responses client set `store` itself): the gateway never
 *   references server-side state, and a stored response would only be kept for nothing.
 *   With reasoning enabled it asks `include: ["reasoning.encrypted_content"]`, so reasoning comes
 *   back as a signature the next turn can replay (stateless reasoning, API reference › include).
 * - Reasoning parts become `reasoning` items only when their signature was issued by a Responses
 *   provider (`opaqueFor`); anything else (Anthropic thinking, Gemini thoughts) is dropped.
 * - Function tools always carry `strict` explicitly: the Responses API defaults it to `true`,
 *   which rejects most schemas written for other providers.
 * - Not supported by Responses and dropped: `stop` sequences, `seed`, `top_k`, presence/frequency
 *   penalties. `max_output_tokens` is raised to the API minimum of 16.
 * - Usage needs no option: Responses always reports it (`response.completed` / the body).
 */
import type {
  CanonicalRequest, ImagePart, Message, ReasoningConfig, ResponseFormat, ToolChoice,
  ToolDefinition, ToolResultPart,
} from '../canonical';
import { effortForBudget } from '../canonical';
import { opaqueFor } from '../opaque';
import { BUILTIN_TOOLS_FIELD, NAMESPACES_FIELD, PROTOCOL, isRecord, unwrapCustomInput, type Json } from './wire';

/** Smallest `max_output_tokens` the API accepts. */
const MIN_OUTPUT_TOKENS = 16;
/** Longest `prompt_cache_key` the API accepts (longer keys are a 400). */
const MAX_CACHE_KEY = 64;

/** Encodes a canonical request for a Responses upstream. */
export function encodeRequest(req: CanonicalRequest, upstreamModel: string): Record<string, unknown> {
  const same = req.extensions.protocol === PROTOCOL;
  const body: Json = { model: upstreamModel };
  const instructions = req.system.map((p) => p.text).filter((t) => t !== '').join('\n\n');
  if (instructions) body.instructions = instructions;
  body.input = encodeInput(req.messages);

  const tools: unknown[] = req.tools.map(encodeTool);
  const builtins = same ? req.extensions.fields[BUILTIN_TOOLS_FIELD] : undefined;
  if (Array.isArray(builtins)) tools.push(...builtins);
  if (tools.length > 0) body.tools = tools;
  if (req.toolChoice) body.tool_choice = encodeToolChoice(req.toolChoice, req.tools);
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;

  const reasoning = encodeReasoning(req.reasoning);
  if (reasoning) {
    body.reasoning = reasoning;
    body.include = ['reasoning.encrypted_content'];
  }
  body.store = false;
  if (req.sampling.maxTokens !== undefined) body.max_output_tokens = Math.max(MIN_OUTPUT_TOKENS, Math.floor(req.sampling.maxTokens));
  if (req.sampling.temperature !== undefined) body.temperature = req.sampling.temperature;
  if (req.sampling.topP !== undefined) body.top_p = req.sampling.topP;
  if (req.responseFormat) body.text = { format: encodeFormat(req.responseFormat) };
  if (req.user && !same) body.prompt_cache_key = boundedCacheKey(req.user);
  body.stream = req.stream;
  if (same) mergeExtensions(body, req.extensions.fields);
  return body;
}

/** Puts a Responses client's own top-level fields back (private keys excepted; `text` merged). */
function mergeExtensions(body: Json, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (key === NAMESPACES_FIELD || key === BUILTIN_TOOLS_FIELD) continue;
    if (key === 'text' && isRecord(value)) body.text = { ...value, ...(isRecord(body.text) ? body.text : {}) };
    else body[key] = value;
  }
}

// ---------------------------------------------------------------------------------------------
// input items
// ---------------------------------------------------------------------------------------------

type ToolKind = 'function' | 'custom';

/** Messages → input items, in order; tool results stay right after the calls they answer. */
export function encodeInput(messages: Message[]): Json[] {
  const items: Json[] = [];
  const kinds = new Map<string, ToolKind>();
  for (const m of messages) {
    if (m.role === 'user') encodeUserTurn(m, items, kinds);
    else encodeAssistantTurn(m, items, kinds);
  }
  return items;
}

function encodeUserTurn(m: Message, items: Json[], kinds: Map<string, ToolKind>): void {
  let content: Json[] = [];
  const flush = () => {
    if (content.length > 0) items.push({ type: 'message', role: 'user', content });
    content = [];
  };
  for (const part of m.parts) {
    if (part.type === 'text') {
      if (part.text !== '') content.push({ type: 'input_text', text: part.text });
    } else if (part.type === 'image') {
      content.push(encodeImage(part));
    } else if (part.type === 'tool_result') {
      flush();
      items.push(encodeToolResult(part, kinds.get(part.toolCallId) ?? 'function'));
    }
  }
  flush();
}

function encodeAssistantTurn(m: Message, items: Json[], kinds: Map<string, ToolKind>): void {
  let content: Json[] = [];
  const flush = () => {
    // The shape Codex sends for its own history: output_text without annotations.
    if (content.length > 0) items.push({ type: 'message', role: 'assistant', content });
    content = [];
  };
  for (const part of m.parts) {
    if (part.type === 'text') {
      if (part.text !== '') content.push({ type: 'output_text', text: part.text });
    } else if (part.type === 'reasoning') {
      const encrypted = opaqueFor(part.signature, PROTOCOL);
      if (encrypted === undefined) continue; // another provider's thinking: meaningless here
      flush();
      items.push({
        type: 'reasoning',
        ...(part.signature?.itemId !== undefined && { id: part.signature.itemId }),
        summary: part.text ? [{ type: 'summary_text', text: part.text }] : [],
        encrypted_content: encrypted,
      });
    } else if (part.type === 'tool_call') {
      flush();
      const kind: ToolKind = part.kind === 'custom' ? 'custom' : 'function';
      kinds.set(part.id, kind);
      items.push(kind === 'custom'
        ? { type: 'custom_tool_call', call_id: part.id, name: part.name, input: unwrapCustomInput(part.arguments) }
        : { type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments || '{}' });
    }
  }
  flush();
}

/** `input_image` with an URL or a base64 data URL (`detail` is required by the API: default `auto`). */
export function encodeImage(part: ImagePart): Json {
  const url = part.source.kind === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
  return { type: 'input_image', image_url: url, detail: part.detail ?? 'auto' };
}

/**
 * `function_call_output` (or `custom_tool_call_output`): a string when the result is one text,
 * else a list of input_text / input_image. Responses has no error flag; the text says it all.
 */
function encodeToolResult(part: ToolResultPart, kind: ToolKind): Json {
  const only = part.content.length === 1 ? part.content[0] : undefined;
  const output = part.content.length === 0 ? ''
    : only?.type === 'text' ? only.text
      : part.content.map((p) => (p.type === 'text' ? { type: 'input_text', text: p.text } : encodeImage(p)));
  return { type: kind === 'custom' ? 'custom_tool_call_output' : 'function_call_output', call_id: part.toolCallId, output };
}

// ---------------------------------------------------------------------------------------------
// tools, tool_choice, reasoning, text.format, prompt_cache_key
// ---------------------------------------------------------------------------------------------

function encodeTool(t: ToolDefinition): Json {
  if (t.kind === 'custom') return { type: 'custom', name: t.name, ...(t.description !== undefined && { description: t.description }) };
  return {
    type: 'function',
    name: t.name,
    ...(t.description !== undefined && { description: t.description }),
    parameters: t.parameters,
    strict: t.strict ?? false,
  };
}

function encodeToolChoice(choice: ToolChoice, tools: ToolDefinition[]): unknown {
  if (choice.type !== 'tool') return choice.type;
  const custom = tools.some((t) => t.name === choice.name && t.kind === 'custom');
  return { type: custom ? 'custom' : 'function', name: choice.name };
}

/**
 * `reasoning: {effort, summary}`. Off (or unspecified) sends nothing: effort `none` exists only on
 * newer models, so the model's default is the safe choice. A token budget maps to an effort
 * (`effortForBudget`); thinking asked with neither (Gemini `includeThoughts` alone) leaves the
 * model's default effort.
 */
export function encodeReasoning(r: ReasoningConfig | undefined): Json | undefined {
  if (!r || !r.enabled) return undefined;
  const effort = r.effort ?? effortForBudget(r.budgetTokens);
  return { ...(effort && { effort }), ...(r.includeThoughts !== false && { summary: 'auto' }) };
}

function encodeFormat(f: ResponseFormat): Json {
  if (f.type !== 'json_schema') return { type: f.type };
  return {
    type: 'json_schema',
    name: f.name,
    schema: f.schema,
    ...(f.strict !== undefined && { strict: f.strict }),
    ...(f.description !== undefined && { description: f.description }),
  };
}

/** A session hint as `prompt_cache_key`: kept when ≤64 chars, else a prefix plus a hash of the whole. */
export function boundedCacheKey(user: string): string {
  if (user.length <= MAX_CACHE_KEY) return user;
  return `${user.slice(0, MAX_CACHE_KEY - 17)}:${fnv1a(user, 0x811c9dc5)}${fnv1a(user, 0x01000193)}`;
}

/** 32-bit FNV-1a over UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

