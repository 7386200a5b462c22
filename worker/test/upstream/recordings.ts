/**
 * Loads the provider recordings in shared/fixtures and turns them into the
 * byte chunks ("wire events") a real upstream would have sent.
 *
 * Recording formats (see shared/fixtures/PROVENANCE.md):
 * - `*.chunks.txt`     one SSE `data:` payload per line; re-framed per protocol.
 * - `*.stream.jsonl`   one Go `sse.Event` `{LastEventID, Type, Data}` per line; re-framed per protocol.
 * - `*.sse`            raw SSE body; replayed verbatim, cut at event boundaries.
 * - `*.jsonarray`      raw Gemini JSON-array stream body; replayed verbatim, cut at elements.
 * - `*.json`           whole body; replayed verbatim as one event. A `#N` suffix selects
 *                      `attempts[N].rawResponseBody` inside a wrapper record.
 *
 * Payload text is never re-serialised (except wrapper `#N` bodies, which only exist
 * as parsed JSON) so quirks such as Anthropic's trailing-space padding survive.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Framing protocols the fake upstream can speak. `openai-compatible` recordings use `openai-chat`. */
export type WireProtocol = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** How a Gemini stream is delivered: `sse` for `?alt=sse`, `json-array` for plain `:streamGenerateContent`. */
export type GeminiAlt = 'sse' | 'json-array';

/** Options for {@link renderRecording} / {@link wireEvents}. */
export interface RenderOptions {
  /** Override of the framing protocol; default comes from the recording's top folder. */
  protocol?: WireProtocol;
  /** Gemini delivery mode; ignored by other protocols. Default `sse`. */
  alt?: GeminiAlt;
}

/** A recording rendered for the wire: ordered byte chunks plus the Content-Type to send them with. */
export interface RenderedBody {
  /** One entry per SSE event / JSON-array element / whole body. Concatenated = the full body. */
  events: Uint8Array[];
  /** e.g. `text/event-stream` or `application/json`. */
  contentType: string;
  /** True when the body is a stream (SSE or Gemini JSON array), false for a single JSON body. */
  streaming: boolean;
}

/** One logical event of a line-based recording, before framing. */
interface LoggedEvent {
  /** SSE event name (Go struct `Type`, else the payload's JSON `type`), if known. */
  event?: string;
  /** The exact payload text. */
  data: string;
}

/** A parsed recording. Cached per name because tests replay the same files many times. */
type Recording =
  | { kind: 'events'; protocol: WireProtocol | undefined; events: LoggedEvent[] }
  | { kind: 'raw-sse'; bytes: Buffer }
  | { kind: 'json-array'; bytes: Buffer }
  | { kind: 'json'; bytes: Buffer };

const moduleDir = path.dirname(fileURLToPath(import.meta.url));
/** worker/test/upstream -> project root (three levels up). */
const projectRoot = path.resolve(moduleDir, '../../..');

/**
 * Absolute path of the fixtures folder: `$OCTOPUS_FIXTURES`, else `<project root>/../shared/fixtures`.
 * Read on every call so tests may point the env var elsewhere before loading.
 */
export function fixturesDir(): string {
  return process.env.OCTOPUS_FIXTURES ?? path.resolve(projectRoot, '../shared/fixtures');
}

const cache = new Map<string, Recording>();
const encoder = new TextEncoder();

/** Folder name -> default framing. Folders not listed (clients, modelsdev) carry no stream framing. */
const FOLDER_PROTOCOL: Record<string, WireProtocol> = {
  anthropic: 'anthropic',
  'openai-chat': 'openai-chat',
  'openai-compatible': 'openai-chat',
  'openai-responses': 'openai-responses',
  gemini: 'gemini',
};

/** Resolves a recording name (relative to the fixtures folder) to a file path, refusing escapes. */
function resolveFile(file: string): string {
  const root = fixturesDir();
  const abs = path.resolve(root, file);
  if (abs !== root && !abs.startsWith(root + path.sep)) {
    throw new Error(`recording name escapes the fixtures folder: ${file}`);
  }
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new Error(`unknown recording: ${file} (looked in ${root})`);
  }
  return abs;
}

/** Event name for anthropic/responses framing: the payload's JSON `type` field. */
function typeOf(data: string): string | undefined {
  try {
    const t = (JSON.parse(data) as { type?: unknown }).type;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Splits text into lines without trimming, so padding inside a line is kept; drops empty lines. */
function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** Picks `attempts[N]` (matching its `attempt` number, else 1-based position) from a wrapper record. */
function wrapperBody(file: string, raw: Buffer, selector: string): Buffer {
  const n = Number(selector);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad #N suffix on ${file}: #${selector}`);
  const doc = JSON.parse(raw.toString('utf8')) as { attempts?: Array<{ attempt?: number; rawResponseBody?: unknown }> };
  const attempts = Array.isArray(doc.attempts) ? doc.attempts : [];
  const hit = attempts.find((a) => a.attempt === n) ?? attempts[n - 1];
  if (!hit || hit.rawResponseBody === undefined) {
    throw new Error(`recording ${file} has no rawResponseBody #${n}`);
  }
  // The wrapper stores the body parsed; OpenAI sends non-stream bodies 2-space indented, so mimic that.
  return Buffer.from(JSON.stringify(hit.rawResponseBody, null, 2), 'utf8');
}

/** True for reproduction records that wrap real bodies in `attempts[].rawResponseBody` (not a body themselves). */
function isWrapperRecord(raw: Buffer): boolean {
  try {
    const doc = JSON.parse(raw.toString('utf8')) as { attempts?: unknown };
    return Array.isArray(doc?.attempts) && doc.attempts.some((a) => a && typeof a === 'object' && 'rawResponseBody' in a);
  } catch {
    return false;
  }
}

/**
 * Loads (and caches) a recording. `name` is a path relative to the fixtures folder,
 * e.g. `openai-chat/vercel__openai-text.chunks.txt`, optionally with a `#N` suffix.
 * Throws if the file does not exist or has an unknown format.
 */
function loadRecording(name: string): Recording {
  const cached = cache.get(name);
  if (cached) return cached;
  const hash = name.indexOf('#');
  const file = hash >= 0 ? name.slice(0, hash) : name;
  const abs = resolveFile(file);
  const raw = readFileSync(abs);
  const protocol = FOLDER_PROTOCOL[file.split(/[\\/]/)[0] ?? ''];
  let rec: Recording;
  if (hash >= 0) {
    rec = { kind: 'json', bytes: wrapperBody(file, raw, name.slice(hash + 1)) };
  } else if (file.endsWith('.chunks.txt')) {
    const events = nonEmptyLines(raw.toString('utf8')).map((data) => ({ data, event: typeOf(data) }));
    rec = { kind: 'events', protocol, events };
  } else if (file.endsWith('.stream.jsonl')) {
    const events = nonEmptyLines(raw.toString('utf8')).map((line) => {
      const ev = JSON.parse(line) as { Type?: string; Data?: string };
      const data = ev.Data ?? '';
      return { data, event: ev.Type || typeOf(data) };
    });
    rec = { kind: 'events', protocol, events };
  } else if (file.endsWith('.sse')) {
    rec = { kind: 'raw-sse', bytes: raw };
  } else if (file.endsWith('.jsonarray')) {
    rec = { kind: 'json-array', bytes: raw };
  } else if (file.endsWith('.json')) {
    if (isWrapperRecord(raw)) {
      throw new Error(`recording ${file} is a wrapper record; name one body with a #N suffix (e.g. ${file}#1)`);
    }
    rec = { kind: 'json', bytes: raw };
  } else {
    throw new Error(`unsupported recording format: ${file}`);
  }
  cache.set(name, rec);
  return rec;
}

/**
 * Throws a descriptive Error if `name` cannot be loaded. Used to reject bad scenarios
 * at registration time instead of mid-request.
 */
export function assertRecording(name: string): void {
  loadRecording(name);
}

/** Cuts `bytes` into pieces that each end right after an occurrence of `sep` (the last piece takes the rest). */
function cutAfter(bytes: Buffer, seps: Buffer[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  let pos = 0;
  while (pos < bytes.length) {
    let next = -1;
    let len = 0;
    for (const sep of seps) {
      const i = bytes.indexOf(sep, pos);
      if (i >= 0 && (next < 0 || i < next)) {
        next = i;
        len = sep.length;
      }
    }
    if (next < 0) break;
    pos = next + len;
    out.push(bytes.subarray(start, pos));
    start = pos;
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

/** Cuts a Gemini JSON-array body so each piece starts with its `\n,\r\n` separator (or the final `\n]`). */
function cutJsonArray(bytes: Buffer): Uint8Array[] {
  const sep = Buffer.from('\n,\r\n');
  const out: Uint8Array[] = [];
  let start = 0;
  let i = bytes.indexOf(sep);
  while (i >= 0) {
    out.push(bytes.subarray(start, i));
    start = i;
    i = bytes.indexOf(sep, i + sep.length);
  }
  out.push(bytes.subarray(start));
  return out.filter((b) => b.length > 0);
}

/** Frames line events for `protocol`, following each provider's documented wire format. */
function frameEvents(events: LoggedEvent[], protocol: WireProtocol, alt: GeminiAlt): string[] {
  const payloads = events.filter((e) => e.data !== '[DONE]');
  switch (protocol) {
    case 'openai-chat':
      // Chat Completions: data-only events, terminated by a literal [DONE] sentinel.
      return [...payloads.map((e) => `data: ${e.data}\n\n`), 'data: [DONE]\n\n'];
    case 'anthropic':
    case 'openai-responses':
      // Named events; the name equals the payload `type`. Neither API sends [DONE].
      return payloads.map((e) => `event: ${e.event ?? typeOf(e.data) ?? 'message'}\ndata: ${e.data}\n\n`);
    case 'gemini':
      if (alt === 'sse') return payloads.map((e) => `data: ${e.data}\r\n\r\n`);
      // Without alt=sse Google streams one JSON array; the recorded bytes show
      // elements separated by "\n,\r\n" and the array closed by "\n]".
      if (payloads.length === 0) return ['[]'];
      return [
        ...payloads.map((e, i) => (i === 0 ? `[${e.data}` : `\n,\r\n${e.data}`)),
        '\n]',
      ];
  }
}

/**
 * Renders recording `name` for the wire.
 * Line-based recordings (`.chunks.txt`, `.stream.jsonl`) are framed for `opts.protocol`
 * (default: the recording's top folder); raw `.sse`/`.jsonarray`/`.json` bodies are replayed verbatim.
 */
export function renderRecording(name: string, opts: RenderOptions = {}): RenderedBody {
  const rec = loadRecording(name);
  switch (rec.kind) {
    case 'json':
      return { events: [rec.bytes], contentType: 'application/json', streaming: false };
    case 'raw-sse':
      return {
        events: cutAfter(rec.bytes, [Buffer.from('\r\n\r\n'), Buffer.from('\n\n')]),
        contentType: 'text/event-stream',
        streaming: true,
      };
    case 'json-array':
      return { events: cutJsonArray(rec.bytes), contentType: 'application/json', streaming: true };
    case 'events': {
      const protocol = opts.protocol ?? rec.protocol;
      if (!protocol) throw new Error(`recording ${name} has no protocol folder; pass protocol explicitly`);
      const alt = opts.alt ?? 'sse';
      const frames = frameEvents(rec.events, protocol, alt);
      const contentType = protocol === 'gemini' && alt === 'json-array' ? 'application/json' : 'text/event-stream';
      return { events: frames.map((f) => encoder.encode(f)), contentType, streaming: true };
    }
  }
}

/**
 * The ordered wire events (byte chunks) of recording `name`; their concatenation is the exact
 * response body. See {@link renderRecording} for options.
 */
export function wireEvents(name: string, opts: RenderOptions = {}): Uint8Array[] {
  return renderRecording(name, opts).events;
}
