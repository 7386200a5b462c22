/**
 * Server-Sent Events, byte-exact (WHATWG HTML "Server-sent events", event stream interpretation).
 *
 * The reader accepts bytes split anywhere (inside a UTF-8 character, between `\r` and `\n`),
 * LF / CR / CRLF line ends, comment lines, `event:`/`id:`/`retry:` fields, multi-line `data:`,
 * and a last event without its closing blank line. Long lines cost O(n): the buffer is scanned once.
 */

/** One dispatched event. `event` is undefined when the stream gave no `event:` field. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/** Thrown by SseReader when one event (or one line) grows past its cap. */
export class SseEventTooLargeError extends Error {
  constructor(readonly maxEventChars: number) {
    super(`an upstream stream event is longer than ${maxEventChars} characters (the group's maxEventChars)`);
    this.name = 'SseEventTooLargeError';
  }
}

/**
 * Incremental SSE parser. Feed bytes with `push`, call `end` once at the end of the body.
 * What it holds is capped: the characters of the event being assembled (its `data:` and `event:`
 * lines) plus the line not yet ended may not pass `maxEventChars`, whatever kind of line it is (a
 * comment line is held until its end too), else `push`/`end` throw SseEventTooLargeError.
 */
export class SseReader {
  private decoder = new TextDecoder('utf-8');
  /** Pieces of the current, unterminated line: joined once when its end arrives (linear in its length). */
  private partial: string[] = [];
  /** A `\r` ended the previous chunk: a `\n` opening the next chunk belongs to it. */
  private pendingCr = false;
  private eventName: string | undefined;
  private data: string[] = [];
  /** The last event id; per the spec it carries over to later events until changed. */
  private id: string | undefined;
  private sawField = false;
  /** Characters held in `partial`. */
  private partialChars = 0;
  /** Characters of the fields of the event being assembled. */
  private eventChars = 0;

  /** @param maxEventChars largest event (or single line) held, characters; unbounded by default. */
  constructor(private readonly maxEventChars = Infinity) {}

  /** Parses a chunk of bytes (or already-decoded text) and returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: SseEvent[] = [];
    this.scan(text, out);
    return out;
  }

  /** Flushes the decoder and dispatches a last event that lacked its blank line. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.scan(this.decoder.decode(), out);
    if (this.partial.length > 0) {
      this.line(this.partial.join(''), out);
      this.partial = [];
      this.partialChars = 0;
    }
    this.pendingCr = false;
    this.dispatch(out);
    return out;
  }

  private scan(text: string, out: SseEvent[]): void {
    if (text === '') return; // an empty read must not forget a pending CR
    let start = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 /* \n */ && c !== 13 /* \r */) continue;
      const piece = text.slice(start, i);
      if (this.eventChars + this.partialChars + piece.length > this.maxEventChars) throw new SseEventTooLargeError(this.maxEventChars);
      const line = this.partial.length > 0 ? this.partial.join('') + piece : piece;
      this.partial = [];
      this.partialChars = 0;
      this.line(line, out);
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    if (start < text.length) {
      const rest = text.length - start;
      if (this.eventChars + this.partialChars + rest > this.maxEventChars) throw new SseEventTooLargeError(this.maxEventChars);
      this.partial.push(text.slice(start));
      this.partialChars += rest;
    }
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      this.dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return; // comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.eventChars += value.length + 1;
        this.sawField = true;
        break;
      case 'event':
        this.eventName = value;
        this.eventChars += value.length;
        this.sawField = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      default:
        break; // retry and unknown fields carry nothing we use
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.sawField && (this.data.length > 0 || this.eventName !== undefined)) {
      const ev: SseEvent = { data: this.data.join('\n') };
      if (this.eventName !== undefined) ev.event = this.eventName;
      if (this.id !== undefined) ev.id = this.id;
      out.push(ev);
    }
    this.data = [];
    this.eventName = undefined;
    this.sawField = false;
    this.eventChars = 0;
  }
}

/**
 * One SSE event as text: optional `event:` line, one `data:` line per line of `data`, blank line.
 * `eol` is `\n` for most providers, `\r\n` for Gemini.
 */
export function formatSse(data: string, event?: string, eol = '\n'): string {
  let s = event !== undefined ? `event: ${event}${eol}` : '';
  for (const line of data.split(/\r\n|\r|\n/)) s += `data: ${line}${eol}`;
  return s + eol;
}

/**
 * Cuts a byte stream of SSE at event boundaries (just after a blank line; LF, CR and CRLF line ends,
 * split anywhere), so raw bytes can be passed on one whole event at a time. A pass-through stream
 * that breaks off mid-event can then still end with the protocol's own error event: appended to
 * half an event, the error would be glued to it and unreadable. Holds at most one unfinished event
 * (bounded by SseReader's cap, which reads the same bytes).
 */
export class SseEventCutter {
  /** Bytes after the last boundary, not given out yet. */
  private held: Uint8Array[] = [];
  /** Characters in the current line so far (0: at the start of a line). */
  private lineLength = 0;
  /** The previous byte was a CR: an LF now completes that CRLF. */
  private afterCr = false;

  /** The bytes of `chunk` (and of earlier chunks held) up to its last event boundary; may be empty. */
  push(chunk: Uint8Array): Uint8Array {
    const cut = !this.afterCr && chunk.indexOf(13) === -1 ? this.cutLf(chunk) : this.cutAny(chunk);
    if (cut === -1) {
      if (chunk.length > 0) this.held.push(chunk);
      return new Uint8Array(0);
    }
    const out = this.held.length === 0 ? chunk.subarray(0, cut) : concatBytes([...this.held, chunk.subarray(0, cut)]);
    this.held = cut < chunk.length ? [chunk.subarray(cut)] : [];
    return out;
  }

  /**
   * `cutAny` for a chunk without CR (the usual case) and no CR before it: the last boundary is the
   * last LF at the start of a line, found backwards with the native `lastIndexOf` instead of a JS
   * loop over every byte (a per-chunk cost of every passed-through stream). @returns the cut, or -1.
   */
  private cutLf(chunk: Uint8Array): number {
    let i = chunk.lastIndexOf(10);
    if (i === -1) {
      this.lineLength += chunk.length;
      return -1;
    }
    const startLength = this.lineLength;
    this.lineLength = chunk.length - 1 - i;
    for (;;) {
      if (i === 0) return startLength === 0 ? 1 : -1;
      if (chunk[i - 1] === 10) return i + 1;
      i = chunk.lastIndexOf(10, i - 1);
      if (i === -1) return -1;
    }
  }

  /** The position just after the chunk's last event boundary (-1: none), any line ends; updates the line state. */
  private cutAny(chunk: Uint8Array): number {
    let cut = -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.afterCr) {
        this.afterCr = false;
        if (b === 10) {
          // The LF of a CRLF: the CR already ended the line; a blank line's boundary moves past the LF.
          if (cut === i) cut = i + 1;
          continue;
        }
      }
      if (b === 10 || b === 13) {
        if (this.lineLength === 0) cut = i + 1;
        this.lineLength = 0;
        this.afterCr = b === 13;
      } else {
        this.lineLength++;
      }
    }
    return cut;
  }

  /** Whether bytes of an unfinished event are held. */
  get holding(): boolean {
    return this.held.length > 0;
  }

  /** The held bytes (the stream ended: an event without its blank line is still given out). */
  end(): Uint8Array {
    const out = concatBytes(this.held);
    this.held = [];
    return out;
  }
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return all;
}
