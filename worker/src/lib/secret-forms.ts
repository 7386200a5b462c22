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
   * `starts[i]` is the index in the original text where normalized character `i` begins;
   * `starts[text.length]` is the original length. So normalized `[i, j)` came from original
   * `[starts[i], starts[j])`.
   */
  starts: Int32Array;
}

const HEX = /^[0-9a-fA-F]{4}$/;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Undoes the escapes a secret may hide behind:
 * - 1 to {@link MAX_ESCAPE_BACKSLASHES} backslashes then `uXXXX` (any hex case) → that UTF-16 unit;
 * - backslashes then `/` or `"` → that character;
 * - `%XX` (any hex case) for an ASCII byte → that character (non-ASCII bytes stay as they are: a
 *   credential is an HTTP header value, ASCII in practice).
 * Anything else, including other backslash escapes (`\n`, `\\` before a letter), stays as is: no
 * secret contains a control character, and a literal backslash before a letter is kept literal.
 */
export function normalizeEscapes(text: string): Normalized {
  const n = text.length;
  const starts = new Int32Array(n + 1);
  const parts: string[] = [];
  let j = 0;
  let i = 0;
  /** Start of the run of characters copied as they are (not yet appended). */
  let plain = 0;
  const escape = (at: number, end: number, char: string) => {
    if (plain < at) parts.push(text.slice(plain, at));
    parts.push(char);
    starts[j++] = at;
    i = plain = end;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      let k = i + 1;
      while (k < n && text.charCodeAt(k) === 92 && k - i < MAX_ESCAPE_BACKSLASHES) k++;
      const next = text.charCodeAt(k);
      if (next === 117 /* u */ && k + 5 <= n && HEX.test(text.slice(k + 1, k + 5))) {
        escape(i, k + 5, String.fromCharCode(parseInt(text.slice(k + 1, k + 5), 16)));
        continue;
      }
      if (next === 47 /* / */ || next === 34 /* " */) {
        escape(i, k + 1, text[k]!);
        continue;
      }
    } else if (c === 37 /* % */ && i + 2 < n) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi >= 0 && hi < 8 && lo >= 0) {
        escape(i, i + 3, String.fromCharCode(hi * 16 + lo));
        continue;
      }
    }
    starts[j++] = i;
    i++;
  }
  if (plain < n) parts.push(text.slice(plain));
  starts[j] = n;
  return { text: parts.join(''), starts: starts.subarray(0, j + 1) };
}
