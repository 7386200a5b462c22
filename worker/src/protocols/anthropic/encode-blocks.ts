/**
 * Canonical parts → Anthropic request content blocks, for an Anthropic upstream (Anthropic API
 * reference, "Messages" → content block params; SDK 1.14.0 `ContentBlockParam`).
 */
import type { ImagePart, Part, TextPart, ToolResultPart } from '../canonical';
import { opaqueFor } from '../opaque';
import { isRecord, sanitizeToolId, type Json } from './wire';

/**
 * `cache_control` only in Anthropic's own shape (`{type: "ephemeral", ttl?}`); a hint of any other
 * shape (from a foreign client) would be a 400.
 */
export function cacheControlField(cc: unknown): { cache_control?: unknown } {
  return isRecord(cc) && cc.type === 'ephemeral' ? { cache_control: cc } : {};
}

/** `data:<media type>;base64,<data>` URLs (how OpenAI clients inline images) become base64 sources. */
function imageSource(img: ImagePart): Json {
  if (img.source.kind === 'base64') return { type: 'base64', media_type: img.source.mediaType, data: img.source.data };
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(img.source.url);
  if (m) return { type: 'base64', media_type: m[1], data: m[2] };
  return { type: 'url', url: img.source.url };
}

/**
 * True when Anthropic accepts `text` as a text block: it rejects empty ones ("text content blocks
 * must be non-empty") and whitespace-only ones ("text content blocks must contain non-whitespace
 * text"), in messages, tool results and `system` alike (400 invalid_request_error).
 */
export function acceptedText(text: string): boolean {
  return text.trim() !== '';
}

/** A text block, or undefined for text Anthropic would reject (see `acceptedText`): it carries nothing. */
function textBlock(p: TextPart): Json | undefined {
  return acceptedText(p.text) ? { type: 'text', text: p.text, ...cacheControlField(p.cacheControl) } : undefined;
}

function imageBlock(p: ImagePart): Json {
  return { type: 'image', source: imageSource(p), ...cacheControlField(p.cacheControl) };
}

/**
 * Tool arguments (JSON text) → the `input` object Anthropic requires. Unparsable text (a call cut
 * off by max_tokens) becomes `{}`; a non-object value (a free-text custom tool) is wrapped as `{input}`.
 */
export function toolInput(args: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(args === '' ? '{}' : args);
  } catch {
    return {};
  }
  return isRecord(v) ? v : { input: v };
}

function toolResultBlock(p: ToolResultPart): Json {
  const content = p.content.map((c) => (c.type === 'text' ? textBlock(c) : imageBlock(c))).filter((b): b is Json => b !== undefined);
  // One plain text goes as a string, the form clients send most.
  const only = content.length === 1 && content[0]!.type === 'text' && content[0]!.cache_control === undefined ? content[0]!.text : undefined;
  return {
    type: 'tool_result',
    tool_use_id: sanitizeToolId(p.toolCallId),
    ...(only !== undefined ? { content: only } : content.length > 0 && { content }),
    ...(p.isError === true && { is_error: true }),
    ...cacheControlField(p.cacheControl),
  };
}

/**
 * One canonical part → one Anthropic block, or undefined when it has nothing Anthropic can take:
 * an empty or whitespace-only text, or reasoning whose signature / redacted data was not issued by
 * Anthropic (a thinking block with a foreign or missing signature is a 400; reasoning text alone
 * cannot be sent).
 */
export function encodePart(part: Part): Json | undefined {
  switch (part.type) {
    case 'text':
      return textBlock(part);
    case 'image':
      return imageBlock(part);
    case 'tool_call':
      return { type: 'tool_use', id: sanitizeToolId(part.id), name: part.name, input: toolInput(part.arguments) };
    case 'tool_result':
      return toolResultBlock(part);
    case 'reasoning': {
      const redacted = opaqueFor(part.redacted, 'anthropic');
      if (redacted !== undefined) return { type: 'redacted_thinking', data: redacted };
      const signature = opaqueFor(part.signature, 'anthropic');
      return signature ? { type: 'thinking', thinking: part.text, signature } : undefined;
    }
  }
}

/**
 * A raw block kept from an Anthropic client, with its tool id replaced by the canonical one (the
 * client may have sent a packed id; the matching tool_use / tool_result is encoded unpacked).
 */
export function restoreRawBlock(raw: unknown, part: Part): Json | undefined {
  if (!isRecord(raw)) return undefined;
  const block: Json = structuredClone(raw);
  if (part.type === 'tool_call' && block.type === 'tool_use') block.id = sanitizeToolId(part.id);
  if (part.type === 'tool_result' && block.type === 'tool_result') block.tool_use_id = sanitizeToolId(part.toolCallId);
  return block;
}
