/**
 * One Anthropic request content block → one canonical part (Anthropic API reference, "Messages" →
 * `messages[].content`; SDK 1.14.0 `ContentBlockParam`). Blocks with no canonical form
 * (`server_tool_use`, `web_search_tool_result`, `search_result`, PDF `document`s, file images, …)
 * are reported as `keep` so the caller can hold them for an Anthropic upstream only.
 */
import { RequestDecodeError, type ImagePart, type Part, type TextPart, type ToolResultPart } from '../canonical';
import { opaqueFromSlot, reasoningFromSlot, unpackToolCallId } from '../opaque';
import { hasForeignCitation, isForeignServerBlock } from './citations';
import { isRecord, type Json } from './wire';

export type BlockResult =
  /** `keepRaw`: the block had fields the part cannot hold; an Anthropic upstream should get the raw block. */
  | { kind: 'part'; part: Part; keepRaw: boolean }
  /** No canonical form: keep the raw block for an Anthropic upstream. */
  | { kind: 'keep' }
  /** Nothing to send anywhere (an empty text block, an empty thinking block). */
  | { kind: 'drop' };

/** Names of tools called so far, by tool_use id, so tool results can name their tool (Gemini needs it). */
export type ToolNames = Map<string, string>;

const fail = (path: string, what: string): never => {
  throw new RequestDecodeError(`${path}: ${what}`, path);
};

/** True when `block` has a field outside `known` that carries a value (null and undefined carry none). */
function hasExtraFields(block: Json, known: readonly string[]): boolean {
  return Object.keys(block).some((k) => !known.includes(k) && block[k] !== null && block[k] !== undefined);
}

function stringField(block: Json, key: string, path: string): string {
  const v = block[key];
  return typeof v === 'string' ? v : fail(`${path}.${key}`, 'expected string');
}

function cacheControlOf(block: Json): { cacheControl?: unknown } {
  return block.cache_control !== undefined && block.cache_control !== null ? { cacheControl: block.cache_control } : {};
}

/** A text block → text part; undefined for an empty text (Anthropic rejects empty text blocks). */
export function decodeTextBlock(block: Json, path: string): TextPart | undefined {
  const text = stringField(block, 'text', path);
  return text === '' ? undefined : { type: 'text', text, ...cacheControlOf(block) };
}

/** An image block → image part, or undefined when its source has no canonical form (`file`). */
export function decodeImageBlock(block: Json, path: string): ImagePart | undefined {
  const source = block.source;
  if (!isRecord(source)) return fail(`${path}.source`, 'expected object');
  if (source.type === 'base64') {
    const mediaType = stringField(source, 'media_type', `${path}.source`);
    const data = stringField(source, 'data', `${path}.source`);
    return { type: 'image', source: { kind: 'base64', mediaType, data }, ...cacheControlOf(block) };
  }
  if (source.type === 'url') {
    return { type: 'image', source: { kind: 'url', url: stringField(source, 'url', `${path}.source`) }, ...cacheControlOf(block) };
  }
  return undefined;
}

/**
 * Text that stands for a block other protocols have no form for: a plain-text `document`, a
 * `search_result` (title, source and its text blocks), a `tool_reference` (tool search loaded a
 * deferred tool). PDFs, URLs and files have none. An Anthropic upstream gets the raw block instead.
 */
function fallbackText(block: Json): string | undefined {
  if (block.type === 'document' && isRecord(block.source)) {
    const source = block.source;
    if (source.type === 'text' && typeof source.data === 'string') return source.data;
    if (source.type === 'content' && typeof source.content === 'string') return source.content;
    return undefined;
  }
  if (block.type === 'search_result' && Array.isArray(block.content)) {
    const body = block.content.filter((c) => isRecord(c) && typeof c.text === 'string').map((c) => (c as Json).text as string).join('\n');
    return `${String(block.title ?? '')} (${String(block.source ?? '')})\n${body}`;
  }
  if (block.type === 'tool_reference' && typeof block.tool_name === 'string') return `Tool loaded: ${block.tool_name}`;
  return undefined;
}

function decodeToolUse(block: Json, path: string, names: ToolNames): BlockResult {
  const { id, signature } = unpackToolCallId(stringField(block, 'id', path));
  const name = stringField(block, 'name', path);
  names.set(id, name);
  const input = block.input;
  // Arguments are JSON text; a missing or empty input is a call without arguments: `{}`.
  const args = input === undefined || input === null ? '{}' : JSON.stringify(input);
  return {
    kind: 'part',
    part: { type: 'tool_call', id, name, arguments: args, ...(signature && { signature }) },
    keepRaw: hasExtraFields(block, ['type', 'id', 'name', 'input']),
  };
}

function decodeToolResult(block: Json, path: string, names: ToolNames): BlockResult {
  const id = unpackToolCallId(stringField(block, 'tool_use_id', path)).id;
  const content: Array<TextPart | ImagePart> = [];
  let lossy = false;
  if (typeof block.content === 'string') {
    if (block.content !== '') content.push({ type: 'text', text: block.content });
  } else if (Array.isArray(block.content)) {
    block.content.forEach((item, i) => {
      const itemPath = `${path}.content.${i}`;
      if (!isRecord(item) || typeof item.type !== 'string') return fail(itemPath, 'expected a content block');
      const part = item.type === 'text' ? decodeTextBlock(item, itemPath) : item.type === 'image' ? decodeImageBlock(item, itemPath) : undefined;
      if (part) {
        content.push(part);
        if (hasExtraFields(item, ['type', 'text', 'source', 'cache_control'])) lossy = true;
        return;
      }
      if (item.type === 'text') return; // empty text
      lossy = true; // tool_reference, search_result, document, file image, …
      const text = fallbackText(item);
      if (text) content.push({ type: 'text', text });
    });
  } else if (block.content !== undefined && block.content !== null) {
    return fail(`${path}.content`, 'expected string or array');
  }
  const name = names.get(id);
  const part: ToolResultPart = {
    type: 'tool_result',
    toolCallId: id,
    ...(name !== undefined && { name }),
    content,
    ...(block.is_error === true && { isError: true }),
    ...cacheControlOf(block),
  };
  return { kind: 'part', part, keepRaw: lossy || hasExtraFields(block, ['type', 'tool_use_id', 'content', 'is_error', 'cache_control']) };
}

/**
 * A thinking block → reasoning part. Its signature may be an envelope (protocols/opaque.ts) for another
 * provider's reasoning, or for a Gemini text part's signature, which becomes an empty signed text part.
 */
function decodeThinking(block: Json, path: string): BlockResult {
  const text = typeof block.thinking === 'string' ? block.thinking : fail(`${path}.thinking`, 'expected string');
  const sig = typeof block.signature === 'string' ? block.signature : '';
  // An empty signature is no signature: it cannot be verified by any provider.
  if (text === '' && sig === '') return { kind: 'drop' };
  if (sig === '') return { kind: 'part', part: { type: 'reasoning', text }, keepRaw: false };
  return { kind: 'part', part: reasoningFromSlot(sig, 'anthropic', text), keepRaw: false };
}

/**
 * Decodes one content block at `path` (e.g. `messages.2.content.0`).
 * @throws RequestDecodeError when a known block lacks a required field.
 */
export function decodeBlock(block: unknown, path: string, names: ToolNames): BlockResult {
  if (!isRecord(block)) return fail(path, 'expected object');
  if (typeof block.type !== 'string') return fail(`${path}.type`, 'expected string');
  switch (block.type) {
    case 'text': {
      const part = decodeTextBlock(block, path);
      // Citations of another provider's search cannot go back to Anthropic: the text goes without them.
      const keepRaw = hasExtraFields(block, ['type', 'text', 'cache_control']) && !hasForeignCitation(block);
      return part ? { kind: 'part', part, keepRaw } : { kind: 'drop' };
    }
    case 'image': {
      const part = decodeImageBlock(block, path);
      return part ? { kind: 'part', part, keepRaw: hasExtraFields(block, ['type', 'source', 'cache_control']) } : { kind: 'keep' };
    }
    case 'document':
    case 'search_result': {
      const text = fallbackText(block);
      return text ? { kind: 'part', part: { type: 'text', text, ...cacheControlOf(block) }, keepRaw: true } : { kind: 'keep' };
    }
    case 'tool_use':
      return decodeToolUse(block, path, names);
    case 'tool_result':
      return decodeToolResult(block, path, names);
    case 'thinking':
      return decodeThinking(block, path);
    case 'redacted_thinking':
      return { kind: 'part', part: { type: 'reasoning', text: '', redacted: opaqueFromSlot(stringField(block, 'data', path), 'anthropic') }, keepRaw: false };
    default:
      // Another provider's web search, shown to the client as server tool blocks: nothing to send anywhere.
      return isForeignServerBlock(block) ? { kind: 'drop' } : { kind: 'keep' };
  }
}

/**
 * System text: a string or an array of text blocks (`system`, or the content of a `role: "system"`
 * message). Empty texts are dropped.
 * @throws RequestDecodeError for anything else.
 */
export function decodeSystemContent(content: unknown, path: string): TextPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return fail(path, 'expected string or array');
  const parts: TextPart[] = [];
  content.forEach((block, i) => {
    if (!isRecord(block) || block.type !== 'text') return fail(`${path}.${i}.type`, 'expected "text"');
    const part = decodeTextBlock(block, `${path}.${i}`);
    if (part) parts.push(part);
  });
  return parts;
}
