/**
 * Gemini `contents` (and `systemInstruction`) → canonical messages.
 * Wire facts: Gemini API reference "Content" / "Part" (text, thought, thoughtSignature, inlineData,
 * fileData, functionCall, functionResponse, executableCode, codeExecutionResult).
 */
import { RequestDecodeError, type ImagePart, type Message, type Opaque, type Part, type TextPart } from '../canonical';
import { reasoningFromSlot, unpackToolCallId } from '../opaque';
import { base64ToText, field, isObject, stringField, type Json } from './wire';

/** Tracks the function calls seen so far, to give id-less function responses the id of their call. */
class CallLedger {
  private open: Array<{ id: string; name: string }> = [];

  record(id: string, name: string): void {
    this.open.push({ id, name });
  }

  /** Marks the call `id` answered. */
  answer(id: string): void {
    const at = this.open.findIndex((c) => c.id === id);
    if (at !== -1) this.open.splice(at, 1);
  }

  /** The id of the earliest unanswered call named `name` (and marks it answered). */
  answerByName(name: string): string | undefined {
    const at = this.open.findIndex((c) => c.name === name);
    if (at === -1) return undefined;
    const [call] = this.open.splice(at, 1);
    return call?.id;
  }
}

/** Media types whose inline bytes are text: carried as a text part, which every protocol understands. */
function isTextMedia(mediaType: string): boolean {
  return mediaType.startsWith('text/') || mediaType === 'application/json';
}

function expectString(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new RequestDecodeError(`${path}: expected string`, path);
  return v;
}

function expectObject(v: unknown, path: string): Json {
  if (!isObject(v)) throw new RequestDecodeError(`${path}: expected object`, path);
  return v;
}

/**
 * `inlineData {mimeType, data}` → an image part (base64). Text media (`text/*`, JSON) becomes a text
 * part; other non-image media (PDF, audio, video) stays an `image` part with its real media type, so a
 * Gemini upstream gets it back unchanged (other targets must check `mediaType`).
 */
function decodeInlineData(d: Json, path: string): TextPart | ImagePart {
  const mediaType = expectString(field(d, 'mimeType'), `${path}.mimeType`);
  const data = expectString(field(d, 'data'), `${path}.data`);
  if (isTextMedia(mediaType)) {
    const text = base64ToText(data);
    if (text !== undefined) return { type: 'text', text };
  }
  return { type: 'image', source: { kind: 'base64', mediaType, data } };
}

/** `fileData {mimeType, fileUri}` → an image part by URL (the media type is implied by the URL). */
function decodeFileData(d: Json, path: string): ImagePart {
  const url = expectString(field(d, 'fileUri'), `${path}.fileUri`);
  return { type: 'image', source: { kind: 'url', url } };
}

/**
 * Pushes reasoning carried on a non-thought part. A client that replayed the thought parts as well
 * (unsigned; one per streamed chunk) has them removed when their text, joined, is the carried
 * text, so the thinking is not there twice. Other carried reasoning between them is skipped over.
 */
function pushCarried(out: Part[], carried: Part): void {
  if (carried.type === 'reasoning' && carried.text !== '') {
    const shown: number[] = [];
    for (let i = out.length - 1; i >= 0; i--) {
      const p = out[i]!;
      if (p.type !== 'reasoning') break;
      if (!p.signature && !p.redacted) shown.unshift(i);
    }
    const start = shown.findIndex((_, k) => shown.slice(k).map((i) => (out[i] as { text: string }).text).join('') === carried.text);
    if (start !== -1) for (const i of shown.slice(start).reverse()) out.splice(i, 1);
  }
  out.push(carried);
}

/**
 * Text of a model turn. A thoughtSignature that is not Gemini's own (an envelope, protocols/opaque.ts)
 * is reasoning our Gemini encoder carried onto the next part (Gemini CLI drops thought parts from its
 * history): it becomes that reasoning part again — with its thinking text, or as redacted data —
 * before the text. A text part's own signature (Gemini's, or one carried in an envelope) stays on it.
 */
function decodeModelText(part: Json, text: string, out: Part[]): void {
  const sig = stringField(part, 'thoughtSignature');
  if (field(part, 'thought') === true) {
    out.push(sig ? reasoningFromSlot(sig, 'gemini', text) : { type: 'reasoning', text });
    return;
  }
  if (!sig) {
    if (text !== '') out.push({ type: 'text', text });
    return;
  }
  const carried = reasoningFromSlot(sig, 'gemini', '');
  const textSignature = carried.type === 'text' ? carried.signature
    : carried.signature?.provider === 'gemini' && text !== '' ? carried.signature : undefined;
  if (textSignature) {
    out.push({ type: 'text', text, signature: textSignature });
    return;
  }
  pushCarried(out, carried);
  if (text !== '') out.push({ type: 'text', text });
}

function decodeFunctionCall(part: Json, fc: Json, ids: { turn: number; n: number }, ledger: CallLedger, path: string, out: Part[]): void {
  const name = expectString(field(fc, 'name'), `${path}.name`);
  const args = field(fc, 'args');
  if (args !== undefined && args !== null && !isObject(args)) throw new RequestDecodeError(`${path}.args: expected object`, `${path}.args`);
  const rawId = stringField(fc, 'id');
  const unpacked = rawId ? unpackToolCallId(rawId) : undefined;
  const id = unpacked?.id || `call_${ids.turn}_${ids.n++}`;
  // The call's own Gemini signature, or another provider's reasoning carried on it (a part before the call).
  const sig = stringField(part, 'thoughtSignature');
  const carried: Part | undefined = sig ? reasoningFromSlot(sig, 'gemini', '')
    : unpacked?.signature ? { type: 'reasoning', text: '', signature: unpacked.signature } : undefined;
  let signature: Opaque | undefined;
  if (carried?.type === 'reasoning' && carried.signature?.provider === 'gemini') signature = carried.signature;
  else if (carried) pushCarried(out, carried);
  ledger.record(id, name);
  out.push({ type: 'tool_call', id, name, arguments: JSON.stringify(args ?? {}), ...(signature && { signature }) });
}

/** Keys a Gemini client wraps a tool's result in: see `resultText`. */
const RESULT_KEYS = ['output', 'result', 'content', 'error'] as const;

/**
 * Text of a function response for a model of another provider. `response` must be a JSON object,
 * so clients wrap a result in one key: Gemini CLI sends `{output}` (and `{error}` for a failed call;
 * see shared/fixtures/clients/gemini-cli/tool-03), the Gemini API reference names `output` and
 * `error`, the Python SDK's automatic function calling sends `{result}`, and an MCP tool's result
 * arrives as `{content: [{type: "text", text}…]}`. A response that is only such a wrapper is
 * unwrapped: a string as it is, an MCP text list as its texts joined by newlines, any other value
 * as its JSON. Every other shape stays the JSON of the whole `response`.
 */
export function resultText(response: Json): string {
  const keys = Object.keys(response);
  const key = keys.length === 1 ? RESULT_KEYS.find((k) => k === keys[0]) : undefined;
  if (key === undefined) return JSON.stringify(response);
  const value = response[key];
  if (typeof value === 'string') return value;
  if (key === 'content' && Array.isArray(value) && value.length > 0 && value.every((c) => isObject(c) && c.type === 'text' && typeof c.text === 'string')) {
    return value.map((c) => (c as Json).text as string).join('\n');
  }
  return value === null || value === undefined ? JSON.stringify(response) : JSON.stringify(value);
}

/** `functionResponse {name, response, id?, parts?}` → tool result whose text is `resultText(response)`. */
function decodeFunctionResponse(fr: Json, ids: { turn: number; n: number }, ledger: CallLedger, path: string): Part {
  const name = expectString(field(fr, 'name'), `${path}.name`);
  const response = field(fr, 'response') ?? {};
  if (!isObject(response)) throw new RequestDecodeError(`${path}.response: expected object`, `${path}.response`);
  const rawId = stringField(fr, 'id');
  let toolCallId: string;
  if (rawId) {
    toolCallId = unpackToolCallId(rawId).id;
    ledger.answer(toolCallId);
  } else {
    toolCallId = ledger.answerByName(name) ?? `call_${ids.turn}_${ids.n++}`;
  }
  const content: Array<TextPart | ImagePart> = [{ type: 'text', text: resultText(response) }];
  const extra = field(fr, 'parts');
  if (Array.isArray(extra)) {
    extra.forEach((p, i) => {
      const media = isObject(p) ? decodeMedia(p, `${path}.parts.${i}`) : undefined;
      if (media) content.push(media);
    });
  }
  // Gemini's convention: an `error` key (and no `output`) reports a failed call.
  const isError = 'error' in response && !('output' in response);
  return { type: 'tool_result', toolCallId, name, content, ...(isError && { isError }) };
}

function decodeMedia(part: Json, path: string): TextPart | ImagePart | undefined {
  const inline = field(part, 'inlineData');
  if (inline !== undefined) return decodeInlineData(expectObject(inline, `${path}.inlineData`), `${path}.inlineData`);
  const file = field(part, 'fileData');
  if (file !== undefined) return decodeFileData(expectObject(file, `${path}.fileData`), `${path}.fileData`);
  return undefined;
}

/** Decodes one part into `out`. Code-execution parts and unknown kinds carry nothing canonical: skipped. */
function decodePart(part: Json, role: Message['role'], ids: { turn: number; n: number }, ledger: CallLedger, path: string, out: Part[]): void {
  const text = field(part, 'text');
  if (text !== undefined) {
    const t = expectString(text, `${path}.text`);
    if (role === 'assistant') decodeModelText(part, t, out);
    else if (t !== '') out.push({ type: 'text', text: t });
    return;
  }
  const fc = field(part, 'functionCall');
  if (fc !== undefined) {
    if (role === 'assistant') decodeFunctionCall(part, expectObject(fc, `${path}.functionCall`), ids, ledger, `${path}.functionCall`, out);
    return;
  }
  const fr = field(part, 'functionResponse');
  if (fr !== undefined) {
    out.push(decodeFunctionResponse(expectObject(fr, `${path}.functionResponse`), ids, ledger, `${path}.functionResponse`));
    return;
  }
  const media = decodeMedia(part, path);
  if (media) out.push(media);
}

function roleOf(content: Json, path: string): Message['role'] {
  const role = field(content, 'role');
  // A missing role is `user` (reference: "Optional. The producer of the content"); `function` is the
  // legacy role of function responses.
  if (role === undefined || role === null || role === '' || role === 'user' || role === 'function') return 'user';
  if (role === 'model') return 'assistant';
  throw new RequestDecodeError(`${path}.role: expected 'user' or 'model'`, `${path}.role`);
}

/**
 * Decodes `contents`. Function calls without an `id` get `call_<turn>_<n>`; function responses without
 * an `id` take the id of the earliest unanswered earlier call with the same name.
 * @throws RequestDecodeError naming the offending field.
 */
export function decodeContents(contents: unknown): Message[] {
  if (!Array.isArray(contents)) throw new RequestDecodeError('contents: expected array', 'contents');
  const ledger = new CallLedger();
  const messages: Message[] = [];
  contents.forEach((c, turn) => {
    const path = `contents.${turn}`;
    const content = expectObject(c, path);
    const role = roleOf(content, path);
    const parts = field(content, 'parts');
    if (!Array.isArray(parts)) throw new RequestDecodeError(`${path}.parts: expected array`, `${path}.parts`);
    const out: Part[] = [];
    const ids = { turn, n: 0 };
    parts.forEach((p, i) => decodePart(expectObject(p, `${path}.parts.${i}`), role, ids, ledger, `${path}.parts.${i}`, out));
    if (out.length > 0) messages.push({ role, parts: out });
  });
  return messages;
}

/** `systemInstruction` (a Content, or leniently a string) → system text parts. Non-text parts are skipped. */
export function decodeSystemInstruction(v: unknown): TextPart[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v === '' ? [] : [{ type: 'text', text: v }];
  const content = expectObject(v, 'systemInstruction');
  const parts = field(content, 'parts');
  if (!Array.isArray(parts)) throw new RequestDecodeError('systemInstruction.parts: expected array', 'systemInstruction.parts');
  const out: TextPart[] = [];
  parts.forEach((p, i) => {
    const part = expectObject(p, `systemInstruction.parts.${i}`);
    const text = field(part, 'text');
    if (text !== undefined && expectString(text, `systemInstruction.parts.${i}.text`) !== '') out.push({ type: 'text', text: text as string });
  });
  return out;
}
