/**
 * Chat Completions `messages` → canonical system parts and turns
 * (OpenAI API reference, "Create chat completion" → `messages`: system, developer, user,
 * assistant, tool and the deprecated function message).
 *
 * - `system` and `developer` messages become canonical system parts, in order, wherever they appear.
 * - `tool` messages become `tool_result` parts of one user turn; a user message right after them
 *   joins that turn, so the canonical turns keep alternating user / assistant.
 * - Consecutive messages of the same side are merged into one turn for the same reason.
 * - Tool call ids (and the tool result ids that refer to them) are unpacked: a signature another
 *   provider attached rides in the id (see opaque.ts).
 * - An assistant message's `reasoning_details` (reasoning-details.ts) become its reasoning parts,
 *   signatures included; without them, `reasoning_content` / `reasoning` text.
 */
import type {
  ImagePart, Message, Part, ReasoningPart, TextPart, ToolCallPart, ToolResultPart,
} from '../canonical';
import { RequestDecodeError } from '../canonical';
import { unpackToolCallId } from '../opaque';
import { decodeReasoningDetails, decodeTextSignatures } from './reasoning-details';
import { argumentsText, isObject, parseDataUrl, plainText, reasoningText, type JsonObject } from './wire';

/** The decoded conversation. */
export interface DecodedMessages {
  system: TextPart[];
  messages: Message[];
}

/** Tool call id → tool name, filled from assistant messages as they are read. */
type ToolNames = Map<string, string>;

/**
 * Decodes the `messages` array.
 * @throws RequestDecodeError naming the field, e.g. `messages.2.content: expected string or array`.
 */
export function decodeMessages(raw: unknown): DecodedMessages {
  if (!Array.isArray(raw)) throw new RequestDecodeError('messages: expected an array of messages', 'messages');
  if (raw.length === 0) throw new RequestDecodeError('messages: must contain at least one message', 'messages');
  const system: TextPart[] = [];
  const messages: Message[] = [];
  const toolNames: ToolNames = new Map();
  const legacyCalls = new Map<string, string>();
  raw.forEach((m, i) => {
    const at = `messages.${i}`;
    if (!isObject(m)) throw new RequestDecodeError(`${at}: expected an object`, at);
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textParts(m.content, `${at}.content`));
        return;
      case 'user':
        append(messages, 'user', userParts(m.content, `${at}.content`));
        return;
      case 'assistant':
        append(messages, 'assistant', assistantParts(m, at, toolNames, legacyCalls, i));
        return;
      case 'tool':
        append(messages, 'user', [toolResult(m, at, toolNames)]);
        return;
      case 'function':
        append(messages, 'user', [legacyFunctionResult(m, at, legacyCalls)]);
        return;
      default:
        throw new RequestDecodeError(`${at}.role: expected one of system, developer, user, assistant, tool`, `${at}.role`);
    }
  });
  return { system, messages };
}

/** Adds parts to the last turn when it has the same role, else starts a turn. Empty part lists add nothing. */
function append(messages: Message[], role: Message['role'], parts: Part[]): void {
  if (parts.length === 0) return;
  const last = messages[messages.length - 1];
  if (last && last.role === role) last.parts.push(...parts);
  else messages.push({ role, parts });
}

/** Text parts of a system/developer/tool `content`: a string or an array of text parts. */
function textParts(content: unknown, at: string): TextPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw new RequestDecodeError(`${at}: expected string or array`, at);
  return content.flatMap((p, j) => {
    const part = textPart(p, `${at}.${j}`);
    if (!part) throw new RequestDecodeError(`${at}.${j}.type: expected 'text'`, `${at}.${j}.type`);
    return part.text === '' ? [] : [part];
  });
}

/** A `{type:'text', text, cache_control?}` part, or undefined when `p` is another kind of part. */
function textPart(p: unknown, at: string): TextPart | undefined {
  if (!isObject(p)) throw new RequestDecodeError(`${at}: expected an object`, at);
  if (p.type !== 'text') return undefined;
  if (typeof p.text !== 'string') throw new RequestDecodeError(`${at}.text: expected string`, `${at}.text`);
  const part: TextPart = { type: 'text', text: p.text };
  // OpenRouter and others accept Anthropic's cache hint on text parts; keep it for targets that understand it.
  if (p.cache_control !== undefined) part.cacheControl = p.cache_control;
  return part;
}

/** Parts of a user `content`: text and images. Audio and file parts have no canonical form and are left out. */
function userParts(content: unknown, at: string): Part[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw new RequestDecodeError(`${at}: expected string or array`, at);
  const parts: Part[] = [];
  content.forEach((p, j) => {
    const text = textPart(p, `${at}.${j}`);
    if (text) {
      if (text.text !== '') parts.push(text);
      return;
    }
    const part = p as JsonObject;
    if (part.type === 'image_url') parts.push(imagePart(part, `${at}.${j}`));
    if (typeof part.type !== 'string') throw new RequestDecodeError(`${at}.${j}.type: expected string`, `${at}.${j}.type`);
    // input_audio and file parts have no canonical form: a same-protocol upstream still gets them
    // (the relay forwards the client's body), other protocols do not.
  });
  return parts;
}

/** `{type:'image_url', image_url:{url, detail?}}`; a `data:` URL becomes a base64 image. */
function imagePart(p: JsonObject, at: string): ImagePart {
  const spec = typeof p.image_url === 'string' ? { url: p.image_url } : p.image_url;
  if (!isObject(spec) || typeof spec.url !== 'string') {
    throw new RequestDecodeError(`${at}.image_url.url: expected string`, `${at}.image_url.url`);
  }
  const inline = parseDataUrl(spec.url);
  const image: ImagePart = {
    type: 'image',
    source: inline ? { kind: 'base64', mediaType: inline.mediaType, data: inline.data } : { kind: 'url', url: spec.url },
  };
  if (typeof spec.detail === 'string') image.detail = spec.detail;
  return image;
}

/** An assistant message: vendor reasoning first, then text (or refusal), then tool calls. */
function assistantParts(m: JsonObject, at: string, toolNames: ToolNames, legacyCalls: Map<string, string>, i: number): Part[] {
  const parts: Part[] = [];
  // `reasoning_details` (OpenRouter, AI SDK) carries signatures; its text repeats `reasoning` when both are sent.
  const details = m.reasoning_details === undefined || m.reasoning_details === null ? [] : decodeReasoningDetails(m.reasoning_details, `${at}.reasoning_details`);
  const reasoning = reasoningText(m);
  if (details.length > 0) parts.push(...details);
  else if (reasoning) parts.push({ type: 'reasoning', text: reasoning } satisfies ReasoningPart);
  if (m.content !== null && m.content !== undefined && typeof m.content !== 'string' && !Array.isArray(m.content)) {
    throw new RequestDecodeError(`${at}.content: expected string, array or null`, `${at}.content`);
  }
  const text = plainText(m.content) || (typeof m.refusal === 'string' ? m.refusal : '');
  if (text !== '') {
    parts.push({ type: 'text', text });
    // A Gemini text part's signature the client kept in its details follows the text it belongs to.
    parts.push(...decodeTextSignatures(m.reasoning_details));
  }
  if (m.tool_calls !== undefined && m.tool_calls !== null) {
    if (!Array.isArray(m.tool_calls)) throw new RequestDecodeError(`${at}.tool_calls: expected an array`, `${at}.tool_calls`);
    m.tool_calls.forEach((c, j) => {
      const call = toolCall(c, `${at}.tool_calls.${j}`);
      toolNames.set(call.id, call.name);
      parts.push(call);
    });
  }
  if (isObject(m.function_call)) {
    // Deprecated single function call: no id on the wire, so make one the function message can find by name.
    const name = typeof m.function_call.name === 'string' ? m.function_call.name : '';
    const id = `call_fn_${i}`;
    legacyCalls.set(name, id);
    toolNames.set(id, name);
    parts.push({ type: 'tool_call', id, name, arguments: argumentsText(m.function_call.arguments) });
  }
  return parts;
}

/** One entry of `tool_calls`: `{id, type:'function', function:{name, arguments}}` or a custom tool call. */
function toolCall(c: unknown, at: string): ToolCallPart {
  if (!isObject(c)) throw new RequestDecodeError(`${at}: expected an object`, at);
  if (typeof c.id !== 'string') throw new RequestDecodeError(`${at}.id: expected string`, `${at}.id`);
  const { id, signature } = unpackToolCallId(c.id);
  let part: ToolCallPart;
  if (c.type === 'custom' && isObject(c.custom)) {
    if (typeof c.custom.name !== 'string') throw new RequestDecodeError(`${at}.custom.name: expected string`, `${at}.custom.name`);
    // Custom tools take free text, not JSON: the input travels as is.
    part = { type: 'tool_call', id, name: c.custom.name, arguments: typeof c.custom.input === 'string' ? c.custom.input : '', kind: 'custom' };
  } else {
    const fn = c.function;
    if (!isObject(fn) || typeof fn.name !== 'string') throw new RequestDecodeError(`${at}.function.name: expected string`, `${at}.function.name`);
    part = { type: 'tool_call', id, name: fn.name, arguments: argumentsText(fn.arguments) };
  }
  if (signature) part.signature = signature;
  return part;
}

/** `{role:'tool', tool_call_id, content}` → a tool_result part (name from the matching call). */
function toolResult(m: JsonObject, at: string, toolNames: ToolNames): ToolResultPart {
  if (typeof m.tool_call_id !== 'string') throw new RequestDecodeError(`${at}.tool_call_id: expected string`, `${at}.tool_call_id`);
  const { id } = unpackToolCallId(m.tool_call_id);
  const part: ToolResultPart = { type: 'tool_result', toolCallId: id, content: toolResultContent(m.content, `${at}.content`) };
  const name = toolNames.get(id);
  if (name !== undefined) part.name = name;
  return part;
}

/** A tool message's content: OpenAI allows text only; images some vendors accept are kept too. */
function toolResultContent(content: unknown, at: string): Array<TextPart | ImagePart> {
  if (!Array.isArray(content)) return textParts(content, at);
  return userParts(content, at).filter((p): p is TextPart | ImagePart => p.type === 'text' || p.type === 'image');
}

/** Deprecated `{role:'function', name, content}` → the result of the last function call of that name. */
function legacyFunctionResult(m: JsonObject, at: string, legacyCalls: Map<string, string>): ToolResultPart {
  if (typeof m.name !== 'string') throw new RequestDecodeError(`${at}.name: expected string`, `${at}.name`);
  const content = typeof m.content === 'string' && m.content !== '' ? [{ type: 'text' as const, text: m.content }] : [];
  return { type: 'tool_result', toolCallId: legacyCalls.get(m.name) ?? `call_fn_${m.name}`, name: m.name, content };
}
