/**
 * Shared by the stream-decoder tests: cut recorded bytes in several ways and run them through
 * reader → decoder → normalizer, exactly as the relay does.
 */
import type { StreamEvent } from '../../../src/protocols/canonical';
import type { StreamDecoder } from '../../../src/protocols/codec';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { SseReader, type SseEvent } from '../../../src/protocols/sse';

/** One byte array of all pieces. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Deterministic piece sizes in 1..max (a linear congruential generator with a fixed seed). */
export function seededSizes(seed: number, max = 64): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return 1 + (s % max);
  };
}

/** `bytes` cut into pieces of the sizes `size` gives. */
export function cut(bytes: Uint8Array, size: () => number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = size();
    pieces.push(bytes.subarray(i, i + n));
    i += n;
  }
  return pieces;
}

/** The same bytes four ways: as recorded, one byte at a time, random sizes with seeds 7 and 42. */
export function chunkings(events: Uint8Array[]): Record<string, Uint8Array[]> {
  const all = concat(events);
  return {
    events,
    bytes: Array.from(all, (_, i) => all.subarray(i, i + 1)),
    random7: cut(all, seededSizes(7)),
    random42: cut(all, seededSizes(42)),
  };
}

/** Something that turns bytes into SSE-like events: `SseReader`, or Gemini's JSON-array reader. */
export interface EventReader {
  push(chunk: Uint8Array): SseEvent[];
  end(): SseEvent[];
}

/**
 * Pieces → reader → decoder → normalizer. With `zeroCreated`, the start event's `created` is set
 * to 0 (a decoder may fill it with "now" when the stream carries none).
 */
export function decodeThrough(decoder: StreamDecoder, pieces: Uint8Array[], opts: { reader?: EventReader; zeroCreated?: boolean } = {}): StreamEvent[] {
  const reader = opts.reader ?? new SseReader();
  const norm = new StreamNormalizer(() => 'msg_fallback');
  const out: StreamEvent[] = [];
  const feed = (evs: StreamEvent[]) => {
    for (const e of evs) out.push(...norm.push(e));
  };
  for (const p of pieces) for (const e of reader.push(p)) feed(decoder.push(e));
  for (const e of reader.end()) feed(decoder.push(e));
  feed(decoder.end());
  out.push(...norm.end());
  return opts.zeroCreated ? out.map((e) => (e.type === 'start' ? { ...e, created: 0 } : e)) : out;
}
