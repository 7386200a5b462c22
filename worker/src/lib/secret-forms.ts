/**
 * The forms a secret can take in text an upstream sends back, for the redactor (lib/redact.ts).
 *
 * An upstream that echoes a credential rarely echoes it only as is: a JSON encoder may escape any
 * character as `\uXXXX` (Python's `ensure_ascii`, any hex case) or `/` as `\/` (PHP), an error
 * quoting a URL percent-encodes it (`%2F`, any hex case), a nested JSON document escapes the
 * escapes again (`\\u0073`), and a credential inside a token or a Basic header travels in base64.
 *
 * Two ideas cover all of these without one pattern per combination:
 * - escapes are undone into a normalized view of the text ({@link normalizeEscapes}) that keeps,
 *   for every normalized character, where its encoding starts in the original text;
 * - base64 is not undone: a secret's base64 forms are searched as more needles
 *   ({@link base64Cores}), and they too may be escaped (`\/`, `%2B`).
 *
 * Wire facts: JSON string escapes, RFC 8259 §7; percent-encoding, RFC 3986 §2.1 (hex digits are
 * case-insensitive); base64 and its URL-safe alphabet, RFC 4648 §4 and §5.
 */

/** Needles shorter than this are not searched (too likely to occur by chance; no real key is that short). */
export const MIN_SECRET_CHARS = 8;

/**
 * The longest run of backslashes before an escape that is still read as one escape (a JSON string
 * inside a JSON string inside…: 1, 2, 4, 8 backslashes for 1 to 4 levels). It bounds how far back
 * a partial escape can begin, and so what a stream must hold back.
 */
export const MAX_ESCAPE_BACKSLASHES = 15;

/** The longest encoding of one normalized character: the backslashes, `u` and four hex digits. */
export const MAX_UNIT_CHARS = MAX_ESCAPE_BACKSLASHES + 5;

const B64_URL: Record<string, string> = { '+': '-', '/': '_' };

/**
 * The base64 text that stands for `secret` (its UTF-8 bytes) wherever it sits in a longer base64
 * payload: for each of the 3 alignments of its first byte in a 3-byte group, the characters that
 * depend only on the secret's bytes (the first and last one or two, which mix in the neighbours'
 * bits, are left out), in the standard and the URL-safe alphabet.
 * @returns distinct strings, each about 4/3 of the secret's length minus up to 3 characters.
 */
export function base64Cores(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const out = new Set<string>();
  for (let align = 0; align < 3; align++) {
    let bin = '\0'.repeat(align);
    for (const b of bytes) bin += String.fromCharCode(b);
    const b64 = btoa(bin);
    // Character i holds bits [6i, 6i+6) of the payload: keep those entirely inside the secret's bytes.
    const first = Math.ceil((8 * align) / 6);
    const end = Math.floor((8 * (align + bytes.length)) / 6);
    const core = b64.slice(first, end);
    out.add(core);
    out.add(core.replace(/[+/]/g, (c) => B64_URL[c]!));
  }
  return [...out];
}

/**
 * Every string to search for, given the secrets of an attempt: each secret, a form with `+` for
 * its spaces (form encoding), and its base64 cores. Needles shorter than {@link MIN_SECRET_CHARS}
 * are dropped, and so is a needle that contains another one (redacting the inner one already
 * hides it: `Bearer sk-…` becomes `Bearer [redacted]`).
 * @returns distinct needles, longest first.
 */
export function needlesOf(secrets: readonly string[]): string[] {
  const all = new Set<string>();
  for (const s of secrets) {
    if (s.length < MIN_SECRET_CHARS) continue;
    all.add(s);
    if (s.includes(' ')) all.add(s.replaceAll(' ', '+'));
    for (const core of base64Cores(s)) if (core.length >= MIN_SECRET_CHARS) all.add(core);
  }
  const list = [...all].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const n of list) if (!kept.some((k) => n.includes(k))) kept.push(n);
  return kept.reverse();
}

/** The normalized view of a text: escapes undone, with where each character came from. */
export interface Normalized {
  /** The text with every recognised escape replaced by the character it stands for. */
  text: string;
  /**
   * Where normalized character `i` begins in the original text (`i` = text.length gives the
   * original length). So normalized `[i, j)` came from original `[start(i), start(j))`.
   */
  start(i: number): number;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** The value of the 4 hex digits at `at` in `s`, or -1 when they are not 4 hex digits. */
function hex4(s: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 4; i++) {
    const d = hexValue(s.charCodeAt(i));
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Undoes the escapes a secret may hide behind:
 * - 1 to {@link MAX_ESCAPE_BACKSLASHES} backslashes then `uXXXX` (any hex case) → that UTF-16 unit;
 * - backslashes then `/` or `"` → that character;
 * - `%XX` (any hex case) for an ASCII byte → that character (non-ASCII bytes stay as they are: a
 *   credential is an HTTP header value, ASCII in practice).
 * Anything else, including other backslash escapes (`\n`, `\\` before a letter), stays as is: no
 * secret contains a control character, and a literal backslash before a letter is kept literal.
 * Runs without a backslash or percent sign are copied whole, and only escapes are recorded in the
 * position map (a binary search finds the rest), so escape-free stretches cost a native scan.
 */
export function normalizeEscapes(text: string): Normalized {
  const n = text.length;
  const parts: string[] = [];
  /** For the k-th escape: its index in the normalized text, and its first and past-last original index. */
  const at: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  let out = 0; // normalized length so far
  let plain = 0; // start of the run copied as is, not yet appended
  let nextBs = text.indexOf('\\');
  let nextPct = text.indexOf('%');
  let i = 0;
  const escape = (end: number, char: string) => {
    if (plain < i) parts.push(text.slice(plain, i));
    out += i - plain;
    parts.push(char);
    at.push(out++);
    from.push(i);
    to.push(end);
    i = plain = end;
  };
  while (i < n) {
    if (nextBs !== -1 && nextBs < i) nextBs = text.indexOf('\\', i);
    if (nextPct !== -1 && nextPct < i) nextPct = text.indexOf('%', i);
    const next = nextBs === -1 ? nextPct : nextPct === -1 ? nextBs : Math.min(nextBs, nextPct);
    if (next === -1) break;
    i = next;
    if (text.charCodeAt(i) === 92 /* \ */) {
      let k = i + 1;
      while (k < n && text.charCodeAt(k) === 92 && k - i < MAX_ESCAPE_BACKSLASHES) k++;
      const c = text.charCodeAt(k);
      const code = c === 117 /* u */ && k + 5 <= n ? hex4(text, k + 1) : -1;
      if (code >= 0) {
        escape(k + 5, String.fromCharCode(code));
        continue;
      }
      if (c === 47 /* / */ || c === 34 /* " */) {
        escape(k + 1, text[k]!);
        continue;
      }
    } else if (i + 2 < n) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi >= 0 && hi < 8 && lo >= 0) {
        escape(i + 3, String.fromCharCode(hi * 16 + lo));
        continue;
      }
    }
    i++; // a backslash or percent sign that starts no escape: an ordinary character
  }
  if (plain < n) parts.push(text.slice(plain));
  const normalized = parts.length === 1 ? parts[0]! : parts.join('');
  return {
    text: normalized,
    start(idx: number): number {
      // The last escape at or before idx: its own start, or past it by ordinary characters.
      let lo = 0;
      let hi = at.length - 1;
      let k = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (at[mid]! <= idx) {
          k = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (k === -1) return idx;
      return at[k] === idx ? from[k]! : to[k]! + (idx - at[k]! - 1);
    },
  };
}
