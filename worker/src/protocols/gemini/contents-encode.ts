/**
 * Canonical messages → Gemini `contents` for a Gemini upstream.
 *
 * Rules (Gemini API reference "Content", "Function calling", "Thought signatures"):
 * - Roles are `user` / `model`; consecutive turns of one role are merged into one Content.
 * - Every functionResponse goes in the user turn right after the model turn with the calls, in the
 *   order of the calls ("the number of function response parts must equal the number of function call
 *   parts"), before any other part of that turn. `name` is required: taken from the result or its call.
 * - thoughtSignature goes back on the part it came with, only when it belongs to Gemini
 *   (`opaqueFor(sig, 'gemini')`); another provider's reasoning is dropped.
 * - Gemini 3 rejects (400) a model step whose first functionCall has no signature. Calls that never
 *   came from Gemini (another provider's history) get the documented placeholder
 *   `skip_thought_signature_validator` ("Thought signatures" FAQ: for history the model did not produce).
 */
import type { ImagePart, Message, Part, ToolCallPart, ToolResultPart } from '../canonical';
import { opaqueFor } from '../opaque';
import { parseObject, type Json } from './wire';

/** Documented thoughtSignature placeholder for function calls without a Gemini signature. */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

interface Content { role: 'user' | 'model'; parts: Json[] }

const MEDIA_BY_EXTENSION: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif',
  heic: 'image/heic', heif: 'image/heif', pdf: 'application/pdf',
};

/** Guesses a media type from a URL's file extension (Gemini's fileData takes an optional mimeType). */
function mediaTypeOfUrl(url: string): string | undefined {
  const path = url.split(/[?#]/)[0] ?? '';
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return MEDIA_BY_EXTENSION[ext];
}

/** Image (or other media) → `inlineData` (base64 and data: URLs) or `fileData` (other URLs). */
export function encodeMedia(p: ImagePart): Json {
  if (p.source.kind === 'base64') return { inlineData: { mimeType: p.source.mediaType, data: p.source.data } };
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(p.source.url);
  if (m) return { inlineData: { mimeType: m[1], data: m[2] } };
  const mimeType = mediaTypeOfUrl(p.source.url);
  return { fileData: { ...(mimeType && { mimeType }), fileUri: p.source.url } };
}

/**
 * Tool call arguments (JSON text) → the `args` object Gemini requires. Custom (free-text) tools get
 * `{input: text}`, matching their declaration; unparsable text is wrapped the same way.
 */
export function argsObject(p: Pick<ToolCallPart, 'arguments' | 'kind'>): Json {
  if (p.kind === 'custom') return { input: p.arguments };
  if (p.arguments.trim() === '') return {};
  return parseObject(p.arguments) ?? { input: p.arguments };
}

/**
 * A tool result's `response` object: the result text itself when it is a JSON object, else
 * `{output: text}` or `{error: text}` (the reference: "Use 'output' key to specify function output
 * and 'error' key to specify error details").
 */
export function responseObject(p: ToolResultPart): Json {
  const text = p.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
  const parsed = parseObject(text);
  if (parsed) return parsed;
  return p.isError ? { error: text } : { output: text };
}

function encodeAssistantPart(p: Part, sameProtocol: boolean): Json | undefined {
  switch (p.type) {
    case 'text': {
      const sig = opaqueFor(p.signature, 'gemini');
      if (p.text === '' && !sig) return undefined;
      return { text: p.text, ...(sig && { thoughtSignature: sig }) };
    }
    case 'reasoning': {
      const sig = opaqueFor(p.signature, 'gemini');
      if (p.signature && !sig) return undefined; // another provider's reasoning
      if (sig) return p.text === '' ? { text: '', thoughtSignature: sig } : { text: p.text, thought: true, thoughtSignature: sig };
      // Unsigned thoughts can only be known to be Gemini's when the client speaks Gemini.
      return sameProtocol && p.text !== '' ? { text: p.text, thought: true } : undefined;
    }
    case 'tool_call': {
      const sig = opaqueFor(p.signature, 'gemini');
      return { functionCall: { id: p.id, name: p.name, args: argsObject(p) }, ...(sig && { thoughtSignature: sig }) };
    }
    case 'image':
      return encodeMedia(p);
    default:
      return undefined;
  }
}

function encodeUserParts(m: Message, callNames: Map<string, string>): Json[] {
  const responses: Json[] = [];
  const others: Json[] = [];
  for (const p of m.parts) {
    if (p.type === 'text') {
      if (p.text !== '') others.push({ text: p.text });
    } else if (p.type === 'image') {
      others.push(encodeMedia(p));
    } else if (p.type === 'tool_result') {
      const name = p.name ?? callNames.get(p.toolCallId) ?? 'unknown_function';
      responses.push({ functionResponse: { id: p.toolCallId, name, response: responseObject(p) } });
      // Images of a result follow as plain media parts (every model accepts these in a user turn).
      for (const c of p.content) if (c.type === 'image') others.push(encodeMedia(c));
    }
  }
  return [...responses, ...others];
}

/** Puts a user turn's functionResponses first, in the order of the previous model turn's calls. */
function orderResponses(user: Content, model: Content | undefined): void {
  const callOrder = new Map<string, number>();
  model?.parts.forEach((p, i) => {
    const fc = p.functionCall as Json | undefined;
    if (fc && typeof fc.id === 'string') callOrder.set(fc.id, i);
  });
  const rank = (p: Json): number => {
    const fr = p.functionResponse as Json | undefined;
    if (!fr) return Number.MAX_SAFE_INTEGER;
    return callOrder.get(fr.id as string) ?? Number.MAX_SAFE_INTEGER - 1;
  };
  user.parts = user.parts.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map((x) => x.p);
}

/** Gives unsigned function calls of a model turn the placeholder, until a signed call appears. */
function placeholderSignatures(model: Content): void {
  for (const p of model.parts) {
    if (!p.functionCall) continue;
    if (p.thoughtSignature) return;
    p.thoughtSignature = SKIP_SIGNATURE;
  }
}

/**
 * A model turn's parts with each empty signed text part folded into the unsigned text part right
 * before it. That is how a text part's signature comes back from a client with no slot for it
 * (an empty signed text part, protocols/opaque.ts `textSignatureToSlot`), and how the stream
 * decoder reads Gemini's trailing `{"text": "", "thoughtSignature"}`: the signature goes back on
 * the text it came with.
 */
function foldTextSignatures(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const prev = out[out.length - 1];
    if (p.type === 'text' && p.text === '' && p.signature && prev?.type === 'text' && prev.text !== '' && !prev.signature) {
      out[out.length - 1] = { ...prev, signature: p.signature };
    } else {
      out.push(p);
    }
  }
  return out;
}

/**
 * Encodes canonical messages as Gemini `contents`.
 * @param sameProtocol the client speaks Gemini (its unsigned thoughts are Gemini's own).
 */
export function encodeContents(messages: Message[], sameProtocol: boolean): Json[] {
  const callNames = new Map<string, string>();
  for (const m of messages) for (const p of m.parts) if (p.type === 'tool_call') callNames.set(p.id, p.name);

  const contents: Content[] = [];
  for (const m of messages) {
    const role = m.role === 'assistant' ? 'model' : 'user';
    const parts = role === 'model'
      ? foldTextSignatures(m.parts).map((p) => encodeAssistantPart(p, sameProtocol)).filter((p): p is Json => p !== undefined)
      : encodeUserParts(m, callNames);
    if (parts.length === 0) continue;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  contents.forEach((c, i) => {
    if (c.role === 'model') placeholderSignatures(c);
    else orderResponses(c, contents[i - 1]);
  });
  return contents.map((c) => ({ role: c.role, parts: c.parts }));
}
