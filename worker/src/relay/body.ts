/**
 * Reading a relay request body safely: with a byte cap enforced while it arrives (never more than
 * the cap is held), and a linear pre-scan that refuses deep nesting before JSON.parse builds the
 * structure, so no request can make the gateway parse for seconds or allocate gigabytes.
 *
 * The scan also finds where each top-level member's value sits in the text, so a same-protocol
 * request can be passed upstream with only `model` replaced and every other byte as the client
 * sent it (no re-serialisation: key order, number spelling and unicode escapes survive).
 */

/** Largest relay request body, bytes (images inline as base64 make requests big). */
export const RELAY_BODY_LIMIT = 64 * 1024 * 1024;

/** Why a body was refused. */
export type BodyProblem = { kind: 'too_large'; maxBytes: number } | { kind: 'too_deep'; maxDepth: number } | { kind: 'read_failed'; message: string };

/** Thrown by readCappedText. */
export class BodyError extends Error {
  constructor(readonly problem: BodyProblem) {
    super(problem.kind === 'too_large' ? `The request body is larger than ${problem.maxBytes} bytes.`
      : problem.kind === 'too_deep' ? `The request body nests deeper than ${problem.maxDepth} levels.`
      : `The request body could not be read: ${problem.message}`);
    this.name = 'BodyError';
  }
}

const decoder = new TextDecoder();

/**
 * The body as UTF-8 text, read with a cap: a declared `content-length` over the cap is refused
 * before reading; otherwise reading stops (and the body is cancelled) as soon as the cap is passed.
 * Also used for replies (a Response has the same headers and body); its messages then speak of
 * "the request body" and the caller words its own.
 * @param maxBytes largest accepted body, bytes.
 * @throws BodyError ('too_large', or 'read_failed' when the client's upload breaks off)
 */
export async function readCappedText(req: { headers: Headers; body: ReadableStream<Uint8Array> | null }, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyError({ kind: 'too_large', maxBytes });
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => {});
        throw new BodyError({ kind: 'too_large', maxBytes });
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof BodyError) throw err;
    throw new BodyError({ kind: 'read_failed', message: err instanceof Error ? err.message : String(err) });
  }
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return decoder.decode(all);
}

/** Where a top-level member's value is in the text: `text.slice(start, end)` is its JSON. */
export interface ValueSpan {
  start: number;
  end: number;
}

/** What the pre-scan found. */
export interface JsonScan {
  /** The text nests arrays/objects deeper than allowed: do not parse it. */
  tooDeep: boolean;
  /**
   * Value spans of the top-level object's members by name (only when the text is an object and
   * its structure was well formed for the scanner); a name seen twice is marked `duplicate`.
   */
  members: Map<string, ValueSpan> | null;
  duplicate: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * One linear pass over JSON text: nesting depth (stops at once past `maxDepth`) and the value
 * spans of the top-level object's members. It does not validate JSON (JSON.parse does, after):
 * on text it cannot follow it returns `members: null`, and callers then fall back to rebuilding.
 * Cost: one comparison per character; no allocation but the member map.
 */
export function scanJson(text: string, maxDepth: number): JsonScan {
  let depth = 0;
  let inString = false;
  let members: Map<string, ValueSpan> | null = null;
  let duplicate = false;
  // Top-level member state: the key being read, where its value starts.
  let keyStart = -1;
  let pendingKey: string | null = null;
  let valueStart = -1;
  let expectKey = false;
  const n = text.length;
  const closeValue = (end: number) => {
    if (pendingKey !== null && valueStart >= 0 && members) {
      let e = end;
      while (e > valueStart && isSpace(text.charCodeAt(e - 1))) e--;
      if (members.has(pendingKey)) duplicate = true;
      members.set(pendingKey, { start: valueStart, end: e });
    }
    pendingKey = null;
    valueStart = -1;
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) {
        inString = false;
        if (depth === 1 && keyStart >= 0) {
          pendingKey = keyStart + 1 <= i ? safeKey(text.slice(keyStart, i + 1)) : null;
          keyStart = -1;
        }
      }
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        if (depth === 1 && expectKey) {
          keyStart = i;
          expectKey = false;
        }
        break;
      case OPEN_OBJ:
      case OPEN_ARR:
        if (depth === 0 && c === OPEN_OBJ && i === firstNonSpace(text)) {
          members = new Map();
          expectKey = true;
        }
        depth++;
        if (depth > maxDepth) return { tooDeep: true, members: null, duplicate: false };
        break;
      case CLOSE_OBJ:
      case CLOSE_ARR:
        if (depth === 1) closeValue(i);
        depth--;
        break;
      case COMMA:
        if (depth === 1) {
          closeValue(i);
          expectKey = true;
        }
        break;
      case COLON:
        if (depth === 1 && pendingKey !== null) {
          let j = i + 1;
          while (j < n && isSpace(text.charCodeAt(j))) j++;
          valueStart = j;
        }
        break;
      default:
        break;
    }
  }
  return { tooDeep: false, members: depth === 0 ? members : null, duplicate };
}

function firstNonSpace(text: string): number {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** A member name from its JSON string literal; null when it is not a plain string literal. */
function safeKey(literal: string): string | null {
  if (!literal.includes('\\')) return literal.slice(1, -1);
  try {
    const v: unknown = JSON.parse(literal);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * The text with top-level members replaced or added, every other byte unchanged. `set` maps a
 * member name to its new value's JSON text; a member not present is added right after the opening
 * brace. Returns null when the scan cannot be trusted for this (no member map, or a duplicate name),
 * and the caller rebuilds the body from the parsed object instead.
 */
export function spliceMembers(text: string, scan: JsonScan, set: Record<string, string>): string | null {
  if (!scan.members || scan.duplicate) return null;
  const edits: { start: number; end: number; text: string }[] = [];
  const added: string[] = [];
  for (const [name, value] of Object.entries(set)) {
    const span = scan.members.get(name);
    if (span) edits.push({ start: span.start, end: span.end, text: value });
    else added.push(`${JSON.stringify(name)}:${value}`);
  }
  if (added.length > 0) {
    const open = firstNonSpace(text);
    // An empty object gets no trailing comma.
    const empty = scan.members.size === 0;
    edits.push({ start: open + 1, end: open + 1, text: added.join(',') + (empty ? '' : ',') });
  }
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}
