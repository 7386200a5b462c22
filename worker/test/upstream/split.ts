/**
 * Decides how response bytes are cut into individual `res.write` calls, so tests can
 * exercise a gateway's stream parser against every possible chunk boundary.
 */

/**
 * How response bytes are cut into writes:
 * - `event`  one write per wire event (SSE event / JSON-array element / whole body) — the default;
 * - `byte`   one write per byte, deliberately cutting UTF-8 multi-byte characters;
 * - `random` sizes 1..64 bytes drawn from a PRNG seeded by `seed` (deterministic);
 * - a number N: fixed N-byte writes (the last one may be shorter).
 */
export type SplitMode = 'event' | 'byte' | 'random' | number;

/** mulberry32: tiny, fast and good enough to make "random" splits reproducible from a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Joins byte chunks into one buffer. */
function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * Cuts `events` into the writes to perform for `split` (see {@link SplitMode}); `seed` (default 1)
 * drives `random`. The concatenation of the result always equals the concatenation of `events`.
 * Throws on an invalid mode (e.g. a non-positive number).
 */
export function planWrites(events: Uint8Array[], split: SplitMode = 'event', seed = 1): Uint8Array[] {
  if (split === 'event') return events.filter((e) => e.length > 0);
  const all = concat(events);
  let next: () => number;
  if (split === 'byte') next = () => 1;
  else if (split === 'random') {
    const rnd = mulberry32(seed);
    next = () => 1 + Math.floor(rnd() * 64);
  } else if (typeof split === 'number' && Number.isInteger(split) && split > 0) next = () => split;
  else throw new Error(`invalid split: ${JSON.stringify(split)}`);
  const out: Uint8Array[] = [];
  for (let off = 0; off < all.length; ) {
    const n = Math.min(next(), all.length - off);
    out.push(all.subarray(off, off + n));
    off += n;
  }
  return out;
}

/**
 * Keeps only the first `afterBytes` bytes of `writes` (cutting the write that crosses the limit),
 * so a fault fires at an exact byte offset whatever the split.
 */
export function truncateWrites(writes: Uint8Array[], afterBytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = Math.max(0, afterBytes);
  for (const w of writes) {
    if (left <= 0) break;
    out.push(w.length <= left ? w : w.subarray(0, left));
    left -= w.length;
  }
  return out;
}
