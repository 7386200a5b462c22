/**
 * Client request (OpenAI API reference, "Create a model response", `POST /v1/responses`) →
 * CanonicalRequest.
 *
 * - `instructions` and every `system`/`developer` message become `system` (in that order; a
 *   mid-conversation developer message moves to the system prompt, the canonical form has no
 *   other place for it).
 * - Consecutive items of the same role merge into one canonical turn: reasoning, assistant
 *   messages and `function_call`s into an assistant turn; user messages and
 *   `function_call_output`s into a user turn (so roles alternate as Anthropic/Gemini want).
 * - `function_call.call_id` is the canonical tool call id (the item `id`, `fc_…`, has no
 *   canonical slot and is dropped: Responses upstreams accept calls without it).
 * - Items with no canonical meaning (`web_search_call`, `item_reference`, `compaction`,
 *   `local_shell_call`, …) and content parts `input_file`/`input_audio` or images given only by
 *   `file_id` are skipped: only a same-protocol upstream could use them, and same-protocol
 *   requests are passed through unchanged by the relay.
 */
import type { CanonicalRequest, ImagePart, Message, Part, TextPart, ToolResultPart } from '../canonical';
import { unpackToolCallId } from '../opaque';
import { decodeReasoningItem } from './items';
import { decodeReasoning, decodeSampling, decodeTextFormat, decodeToolChoice, decodeTools } from './request-options';
import {
  BUILTIN_TOOLS_FIELD, NAMESPACES_FIELD, PROTOCOL, flatToolName, invalid, isRecord, str, wrapCustomInput, type Json, type NamespaceTable,
} from './wire';

/** Top-level fields with a canonical meaning; every other field goes to `extensions.fields`. */
const CANONICAL_FIELDS = new Set([
  'model', 'instructions', 'input', 'tools', 'tool_choice', 'parallel_tool_calls', 'max_output_tokens',
  'temperature', 'top_p', 'reasoning', 'text', 'stream',
]);

/**
 * Decodes a Responses request body.
 * @param hints unused by this protocol (the model is in the body).
 * @throws RequestDecodeError naming the field, e.g. `input.2.content: expected string or array`.
 */
export function decodeRequest(body: unknown, hints: { model?: string; stream?: boolean } = {}): CanonicalRequest {
  if (!isRecord(body)) invalid('body', 'a JSON object');
  const model = hints.model ?? body.model;
  if (typeof model !== 'string' || model === '') invalid('model', 'a non-empty string');

  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!CANONICAL_FIELDS.has(k)) fields[k] = v;

  const namespaces: NamespaceTable = {};
  const builtins: unknown[] = [];
  const tools = decodeTools(body.tools, namespaces, builtins);
  if (Object.keys(namespaces).length > 0) fields[NAMESPACES_FIELD] = namespaces;
  if (builtins.length > 0) fields[BUILTIN_TOOLS_FIELD] = builtins;

  const { system, messages } = decodeConversation(body.instructions, body.input);
  const req: CanonicalRequest = {
    model,
    system,
    messages,
    tools,
    sampling: decodeSampling(body),
    stream: body.stream === true,
    extensions: { protocol: PROTOCOL, fields },
  };
  const toolChoice = decodeToolChoice(body.tool_choice, fields);
  if (toolChoice) req.toolChoice = toolChoice;
  if (typeof body.parallel_tool_calls === 'boolean') req.parallelToolCalls = body.parallel_tool_calls;
  const reasoning = decodeReasoning(body.reasoning);
  if (reasoning) req.reasoning = reasoning;
  const format = decodeTextFormat(body.text, fields);
  if (format) req.responseFormat = format;
  // Responses streams always end with usage in `response.completed`.
  if (req.stream) req.includeUsage = true;
  const user = str(body.prompt_cache_key) ?? str(body.user) ?? str(body.safety_identifier);
  if (user) req.user = user;
  return req;
}

// ---------------------------------------------------------------------------------------------
// input + instructions
// ---------------------------------------------------------------------------------------------

interface Conversation {
  system: TextPart[];
  messages: Message[];
  /** call id → tool name, so results can name their tool (Gemini needs it). */
  toolNames: Map<string, string>;
}

function decodeConversation(instructions: unknown, input: unknown): { system: TextPart[]; messages: Message[] } {
  const conv: Conversation = { system: [], messages: [], toolNames: new Map() };
  if (instructions !== undefined && instructions !== null) {
    if (typeof instructions !== 'string') invalid('instructions', 'string');
    if (instructions !== '') conv.system.push({ type: 'text', text: instructions });
  }
  if (typeof input === 'string') {
    if (input !== '') conv.messages.push({ role: 'user', parts: [{ type: 'text', text: input }] });
  } else if (Array.isArray(input)) {
    input.forEach((item, i) => decodeItem(conv, item, `input.${i}`));
  } else if (input !== undefined && input !== null) {
    invalid('input', 'string or array');
  }
  return { system: conv.system, messages: conv.messages.filter((m) => m.parts.length > 0) };
}

/** Appends a part to the last turn when it has the same role, else opens a turn. */
function append(conv: Conversation, role: Message['role'], parts: Part[]): void {
  if (parts.length === 0) return;
  const last = conv.messages[conv.messages.length - 1];
  if (last && last.role === role) last.parts.push(...parts);
  else conv.messages.push({ role, parts: [...parts] });
}

function decodeItem(conv: Conversation, item: unknown, at: string): void {
  if (!isRecord(item)) invalid(at, 'object');
  switch (item.type ?? 'message') {
    case 'message':
      decodeMessage(conv, item, at);
      return;
    case 'function_call':
    case 'custom_tool_call':
      append(conv, 'assistant', [decodeToolCall(conv, item, at)]);
      return;
    case 'function_call_output':
    case 'custom_tool_call_output':
      append(conv, 'user', [decodeToolResult(conv, item, at)]);
      return;
    case 'reasoning': {
      const part = decodeReasoningItem(item);
      if (part) append(conv, 'assistant', [part]);
      return;
    }
    default:
      return; // no canonical meaning (see module comment)
  }
}

function decodeMessage(conv: Conversation, item: Json, at: string): void {
  const role = item.role;
  if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') {
    invalid(`${at}.role`, 'one of user, assistant, system, developer');
  }
  const parts = decodeContent(item.content, `${at}.content`);
  if (role === 'system' || role === 'developer') {
    conv.system.push(...parts.filter((p): p is TextPart => p.type === 'text'));
  } else if (role === 'assistant') {
    append(conv, 'assistant', parts.filter((p): p is TextPart => p.type === 'text'));
  } else {
    append(conv, 'user', parts);
  }
}

/** Message content: a string, or input_text / input_image / output_text / refusal parts. */
function decodeContent(content: unknown, at: string): Array<TextPart | ImagePart> {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(at, 'string or array');
  const out: Array<TextPart | ImagePart> = [];
  content.forEach((part, i) => {
    const p = decodeContentPart(part, `${at}.${i}`);
    if (p) out.push(p);
  });
  return out;
}

function decodeContentPart(part: unknown, at: string): TextPart | ImagePart | undefined {
  if (!isRecord(part)) invalid(at, 'object');
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      if (typeof part.text !== 'string') invalid(`${at}.text`, 'string');
      return { type: 'text', text: part.text };
    case 'refusal':
      if (typeof part.refusal !== 'string') invalid(`${at}.refusal`, 'string');
      return { type: 'text', text: part.refusal };
    case 'input_image':
      return decodeImage(part, at);
    default:
      return undefined; // input_file, input_audio: no canonical form
  }
}

/** `input_image` with `image_url` (an http(s) URL or a base64 `data:` URL); `file_id` alone has no canonical form. */
function decodeImage(part: Json, at: string): ImagePart | undefined {
  const url = part.image_url;
  if (url === undefined || url === null) return undefined;
  if (typeof url !== 'string') invalid(`${at}.image_url`, 'string');
  const data = /^data:([^;,]+)(?:;[^,;]*)*;base64,(.*)$/s.exec(url);
  const image: ImagePart = {
    type: 'image',
    source: data ? { kind: 'base64', mediaType: data[1]!, data: data[2]! } : { kind: 'url', url },
  };
  if (typeof part.detail === 'string') image.detail = part.detail;
  return image;
}

function decodeToolCall(conv: Conversation, item: Json, at: string): Part {
  const custom = item.type === 'custom_tool_call';
  if (typeof item.call_id !== 'string') invalid(`${at}.call_id`, 'string');
  if (typeof item.name !== 'string') invalid(`${at}.name`, 'string');
  const { id, signature } = unpackToolCallId(item.call_id);
  const name = flatToolName(str(item.namespace), item.name);
  conv.toolNames.set(id, name);
  let args: string;
  if (custom) {
    args = wrapCustomInput(str(item.input) ?? '');
  } else if (typeof item.arguments === 'string') {
    args = item.arguments.trim() === '' ? '{}' : item.arguments;
  } else if (isRecord(item.arguments)) {
    args = JSON.stringify(item.arguments);
  } else {
    args = '{}';
  }
  return {
    type: 'tool_call', id, name, arguments: args,
    ...(signature && { signature }),
    ...(custom && { kind: 'custom' as const }),
  };
}

function decodeToolResult(conv: Conversation, item: Json, at: string): ToolResultPart {
  if (typeof item.call_id !== 'string') invalid(`${at}.call_id`, 'string');
  const { id } = unpackToolCallId(item.call_id);
  const output = item.output;
  let content: Array<TextPart | ImagePart>;
  if (typeof output === 'string') content = output === '' ? [] : [{ type: 'text', text: output }];
  else if (Array.isArray(output)) content = decodeContent(output, `${at}.output`);
  else if (output === undefined || output === null) content = [];
  else content = [{ type: 'text', text: JSON.stringify(output) }];
  const name = conv.toolNames.get(id);
  return { type: 'tool_result', toolCallId: id, ...(name !== undefined && { name }), content };
}
