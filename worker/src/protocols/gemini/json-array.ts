/**
 * Reader for the stream Gemini sends when `streamGenerateContent` is called WITHOUT `alt=sse`: one JSON
 * array whose elements (GenerateContentResponse objects) arrive over time, framed `[{...}\n,\r\n{...}\n]`
 * (recorded in gemini/extracted/*.jsonarray). Each complete element is handed out as an `SseEvent`
 * whose `data` is the element's JSON text, so `GeminiStreamDecoder` reads both framings.
 * Bytes may be split anywhere, including inside a UTF-8 character or a string.
 */
import type { SseEvent } from '../sse';

export class JsonArrayReader {
  private decoder = new TextDecoder('utf-8');
  private depth = 0;
  private inString = false;
  private escaped = false;
  private current = '';

  /** Feeds bytes (or text); returns the elements they completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.scan(text);
  }

  /** End of body: a last element cut short is dropped (it is not valid JSON). */
  end(): SseEvent[] {
    const out = this.scan(this.decoder.decode());
    this.current = '';
    this.depth = 0;
    return out;
  }

  private scan(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.depth === 0) {
        // Objects at the top (a bare error body) or inside the array are elements; '[' , ',' ']' are framing.
        if (c === '{') {
          this.depth = 1;
          start = i;
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth === 0) {
          out.push({ data: this.current + text.slice(start, i + 1) });
          this.current = '';
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start !== -1) this.current += text.slice(start);
    return out;
  }
}
