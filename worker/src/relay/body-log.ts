/**
 * Request and response bodies for the request log, when the "log bodies" setting is on: each cut
 * to `logBodyMaxBytes` of UTF-8, with a marker saying how much was left out. A stream's body is
 * the bytes the client received, captured as they pass (never buffered beyond the cap).
 */

/** Appended to a cut body; `N` is the number of bytes left out. */
export function truncationMarker(omittedBytes: number): string {
  return `…[truncated ${omittedBytes} bytes]`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `text` cut to at most `maxBytes` UTF-8 bytes (never inside a character), plus the marker when cut. */
export function truncateBody(text: string, maxBytes: number): string {
  // Fast path: a UTF-16 string of n units is at most 3n UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = encoder.encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  const kept = cutAtCharBoundary(bytes, maxBytes);
  return decoder.decode(kept) + truncationMarker(bytes.byteLength - kept.byteLength);
}

/** The first `max` bytes, shortened further so no multi-byte character is split at the end. */
function cutAtCharBoundary(bytes: Uint8Array, max: number): Uint8Array {
  const end = Math.min(max, bytes.byteLength);
  // Find the lead byte of the last character (continuation bytes are 10xxxxxx) and drop that
  // character when its encoding runs past `end`.
  let lead = end - 1;
  while (lead > 0 && lead > end - 4 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes.subarray(0, 0);
  const b = bytes[lead]!;
  const width = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return bytes.subarray(0, lead + width <= end ? end : lead);
}

/** Collects the first `maxBytes` of a stream's output and counts the rest. */
export class BodyCapture {
  private readonly parts: Uint8Array[] = [];
  private kept = 0;
  private omitted = 0;

  constructor(private readonly maxBytes: number) {}

  /** Called with each chunk sent to the client. Copies at most the bytes still under the cap. */
  push(chunk: Uint8Array): void {
    const room = this.maxBytes - this.kept;
    if (room <= 0) {
      this.omitted += chunk.byteLength;
      return;
    }
    const take = Math.min(room, chunk.byteLength);
    this.parts.push(chunk.slice(0, take));
    this.kept += take;
    this.omitted += chunk.byteLength - take;
  }

  /** The captured text, with the truncation marker when bytes were left out. */
  text(): string {
    const all = new Uint8Array(this.kept);
    let at = 0;
    for (const p of this.parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    const kept = cutAtCharBoundary(all, this.kept);
    const omitted = this.omitted + (this.kept - kept.byteLength);
    return decoder.decode(kept) + (omitted > 0 ? truncationMarker(omitted) : '');
  }
}
