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
  private buffer = '';
  /** Where the next line-end search starts (everything before it has no line end). */
  private scanFrom = 0;
  /** A `\r` ended the previous chunk: a `\n` opening the next chunk belongs to it. */
  private pendingCr = false;
  private eventName: string | undefined;
  private data: string[] = [];
  private id: string | undefined;
  private sawField = false;

  /** Parses a chunk of bytes (or already-decoded text) and returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    return this.drain(false);
  }

  /** Flushes the decoder and dispatches a last event that lacked its blank line. */
  end(): SseEvent[] {
    this.buffer += this.decoder.decode();
    const out = this.drain(true);
    if (this.buffer.length > 0) {
      this.line(this.buffer, out);
      this.buffer = '';
    }
    this.dispatch(out);
    return out;
  }

  private drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    let i = this.scanFrom;
    const buf = this.buffer;
    while (i < buf.length) {
      const c = buf.charCodeAt(i);
      if (c === 10 /* \n */ || c === 13 /* \r */) {
        this.line(buf.slice(start, i), out);
        if (c === 13) {
          if (i + 1 < buf.length) {
            if (buf.charCodeAt(i + 1) === 10) i++;
          } else if (!final) {
            this.pendingCr = true;
          }
        }
        start = i + 1;
      }
      i++;
    }
    this.buffer = buf.slice(start);
    this.scanFrom = this.buffer.length;
    return out;
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
