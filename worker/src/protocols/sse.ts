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

/** Incremental SSE parser. Feed bytes with `push`, call `end` once at the end of the body. */
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
      const line = this.partial.length > 0 ? this.partial.join('') + piece : piece;
      this.partial = [];
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
    if (start < text.length) this.partial.push(text.slice(start));
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
        this.sawField = true;
        break;
      case 'event':
        this.eventName = value;
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
