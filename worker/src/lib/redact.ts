/**
 * Keeps secrets out of what the gateway repeats. Upstreams sometimes echo the key they were sent
 * ("Incorrect API key provided: sk-…"), plainly or encoded (`\u0073k-…`, `\/`, `%2F`, base64);
 * every upstream text that reaches a client, the health view or a log goes through a redactor for
 * the credentials used on that attempt. The forms searched are described in lib/secret-forms.ts.
 */
import { MAX_UNIT_CHARS, needlesOf, normalizeEscapes } from './secret-forms';

export const REDACTED = '[redacted]';

/**
 * Finds and replaces every form of a set of secrets in text. Building one costs tens of µs (the
 * relay keeps one per channel key and config snapshot, config/snapshot.ts); `redact` is cheap on
 * text with no escape that could stand for a secret character (one `includes` per needle), and
 * undoes escapes into a normalized view only when the text has some.
 */
export class SecretMatcher {
  /** Plain strings searched: the secrets and their base64 forms (lib/secret-forms.ts needlesOf). */
  readonly needles: readonly string[];
  /**
   * The most characters a stream must hold back: a proper prefix of the longest needle's longest
   * encoding (every character escaped behind {@link MAX_UNIT_CHARS} characters).
   */
  readonly maxTail: number;
  /** Character codes below 128 that can occur inside an encoded needle (1) or cannot (0). */
  private readonly ascii = new Uint8Array(128);
  /** Non-ASCII characters of the needles (rare: credentials are header values). */
  private readonly other = new Set<number>();
  /**
   * Finds an escape that could stand for a needle character: `\u00` + an ASCII code (any `\uXXXX`
   * when a needle is not ASCII), `%` + an ASCII code, and `\/` or `\"` when a needle has that
   * character. Text in which it finds nothing takes the plain path. (Escapes of accented or CJK
   * text, as Python's `ensure_ascii` writes them, and a lone `50%` do not count.)
   */
  private readonly escapeProbe: RegExp;

  constructor(secrets: readonly string[]) {
    this.needles = needlesOf(secrets);
    this.maxTail = Math.max(0, ...this.needles.map((n) => n.length * MAX_UNIT_CHARS - 1));
    let allAscii = true;
    for (const n of this.needles) {
      for (let i = 0; i < n.length; i++) {
        const c = n.charCodeAt(i);
        if (c < 128) this.ascii[c] = 1;
        else {
          this.other.add(c);
          allAscii = false;
        }
      }
    }
    // What an escape is written with: backslash, `u`, hex digits, percent.
    for (const ch of '\\u%0123456789abcdefABCDEF') this.ascii[ch.charCodeAt(0)] = 1;
    const probes = [allAscii ? '\\\\u00[0-7][0-9a-fA-F]' : '\\\\u[0-9a-fA-F]{4}', '%[0-7][0-9a-fA-F]'];
    if (this.needles.some((n) => n.includes('/'))) probes.push('\\\\/');
    if (this.needles.some((n) => n.includes('"'))) probes.push('\\\\"');
    this.escapeProbe = new RegExp(probes.join('|'));
  }

  /** Whether there is anything to redact at all. */
  get active(): boolean {
    return this.needles.length > 0;
  }

  /** `text` with every occurrence of a needle, in any encoding, replaced by {@link REDACTED}. */
  redact(text: string): string {
    if (this.needles.length === 0) return text;
    if (this.mayBeEscaped(text)) return this.redactEscaped(text);
    let out = text;
    for (const n of this.needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
    return out;
  }

  /**
   * How many characters at the end of (already redacted) `text` could be the start of an encoded
   * needle that the next chunk completes: at most {@link maxTail}, and 0 whenever the text ends in
   * a character no encoding uses (an SSE event's newline, a closing brace…), which is the usual case.
   * Otherwise the longest suffix that is a proper prefix of a needle once escapes are undone, plus
   * an escape cut short at the very end (`\u00`, `%4`, trailing backslashes).
   */
  partialTail(text: string): number {
    const n = text.length;
    if (n === 0 || this.needles.length === 0 || !this.inAlphabet(text.charCodeAt(n - 1))) return 0;
    // Only the trailing run of characters an encoding can use may hold a partial match.
    const min = Math.max(0, n - this.maxTail);
    let start = n;
    let escaped = false;
    while (start > min && this.inAlphabet(text.charCodeAt(start - 1))) {
      start--;
      const c = text.charCodeAt(start);
      if (c === 92 /* \ */ || c === 37 /* % */) escaped = true;
    }
    if (!escaped) return n - this.prefixStart(text, start);
    const run = text.slice(start);
    const norm = normalizeEscapes(run.slice(0, cutEscapeStart(run)));
    const at = this.prefixStart(norm.text, 0);
    return run.length - norm.start(at);
  }

  /**
   * Where, in `s` from index `from`, the longest suffix of `s` that is a proper prefix of a needle
   * begins; `s.length` when there is none.
   */
  private prefixStart(s: string, from: number): number {
    const n = s.length;
    let best = n;
    for (const nd of this.needles) {
      for (let p = s.indexOf(nd[0]!, Math.max(from, n - nd.length + 1)); p !== -1 && p < best; p = s.indexOf(nd[0]!, p + 1)) {
        if (nd.startsWith(s.slice(p))) {
          best = p;
          break;
        }
      }
    }
    return best;
  }

  private inAlphabet(c: number): boolean {
    return c < 128 ? this.ascii[c] === 1 : this.other.has(c);
  }

  /** Whether `text` holds an escape that could stand for a needle character. */
  private mayBeEscaped(text: string): boolean {
    return this.escapeProbe.test(text);
  }

  /** Redaction through the normalized view: each match maps back to the original characters it came from. */
  private redactEscaped(text: string): string {
    const norm = normalizeEscapes(text);
    const ranges: [number, number][] = [];
    for (const nd of this.needles) {
      for (let at = norm.text.indexOf(nd); at !== -1; at = norm.text.indexOf(nd, at + nd.length)) {
        ranges.push([norm.start(at), norm.start(at + nd.length)]);
      }
    }
    if (ranges.length === 0) return text;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = '';
    let from = 0;
    for (const [s, e] of ranges) {
      if (e <= from) continue; // inside a range already replaced
      out += text.slice(from, Math.max(from, s)) + (s >= from ? REDACTED : '');
      from = e;
    }
    return out + text.slice(from);
  }
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * Where an escape cut short at the end of `s` begins (backslashes, then maybe `u` and up to 3 hex
 * digits; or `%` and maybe one hex digit), or `s.length` when `s` does not end inside one.
 * A backwards scan, linear in the escape's length whatever the text.
 */
function cutEscapeStart(s: string): number {
  const n = s.length;
  if (n >= 1 && s.charCodeAt(n - 1) === 37 /* % */) return n - 1;
  if (n >= 2 && s.charCodeAt(n - 2) === 37 && isHex(s.charCodeAt(n - 1))) return n - 2;
  let j = n;
  while (j > 0 && n - j < 3 && isHex(s.charCodeAt(j - 1))) j--;
  if (j > 0 && s.charCodeAt(j - 1) === 117 /* u */) {
    let b = j - 1;
    while (b > 0 && s.charCodeAt(b - 1) === 92 /* \ */) b--;
    if (b < j - 1) return b;
  }
  let b = n;
  while (b > 0 && s.charCodeAt(b - 1) === 92) b--;
  return b;
}

/** A function that replaces every form of each secret (at least 8 characters) in a text. */
export function redactor(...secrets: string[]): (text: string) => string {
  const m = new SecretMatcher(secrets);
  return (text) => m.redact(text);
}

/**
 * Drops the bound parameters a database driver appends to its error messages ("params: …"):
 * they may hold channel headers or other secrets being written.
 */
export function withoutQueryParams(message: string): string {
  const at = message.search(/\bparams:/i);
  return at === -1 ? message : `${message.slice(0, at)}params: [omitted]`;
}

/**
 * The secret parts of a credential value: the whole value, and the token after an auth scheme
 * (`Bearer sk-…` → also `sk-…`), since an upstream may echo just the token. For `Basic` the
 * decoded `user:password` too (RFC 7617), which an upstream may quote back.
 */
export function secretParts(value: string): string[] {
  const m = /^\s*(bearer|basic|token|key)\s+(\S+)\s*$/i.exec(value);
  if (!m) return [value];
  const parts = [value, m[2]!];
  if (m[1]!.toLowerCase() === 'basic') {
    try {
      const decoded = atob(m[2]!);
      if (/^[\x20-\x7e]+$/.test(decoded)) parts.push(decoded);
    } catch {
      // Not base64: the token alone is the secret.
    }
  }
  return parts;
}

/**
 * Redacts secrets from a stream of text chunks whose boundaries may split a secret or one of its
 * escapes. Each push returns what is safe to send now; a tail that could begin an encoded secret is
 * held back until the next chunk (at most {@link SecretMatcher.maxTail} characters, and in practice
 * none: SSE chunks end in a newline, which no encoding uses), and `end` returns what is left.
 */
export class StreamRedactor {
  private readonly matcher: SecretMatcher;
  private readonly decoder = new TextDecoder();
  private carry = '';
  /** Continuation bytes the decoder waits for: it holds the first bytes of a character split by the last chunk. */
  private awaited = 0;

  /** @param secrets the strings to redact, or a matcher already built for them. */
  constructor(secrets: readonly string[] | SecretMatcher) {
    this.matcher = secrets instanceof SecretMatcher ? secrets : new SecretMatcher(secrets);
  }

  /** Whether there is anything to redact at all (callers skip the decode/encode round trip when not). */
  get active(): boolean {
    return this.matcher.active;
  }

  /** The text of `chunk` (after what was held back) that is safe to send now. */
  push(chunk: Uint8Array | string): string {
    const text = this.carry + (typeof chunk === 'string' ? chunk : this.decode(chunk));
    return this.release(this.matcher.redact(text));
  }

  /**
   * Like {@link push} for bytes, but returns `chunk` itself when nothing in it changes and nothing
   * is held back (the usual case: no re-encoding on a passthrough stream, and its bytes stay exact).
   */
  pushBytes(chunk: Uint8Array): Uint8Array | string {
    const clean = this.carry === '' && this.awaited === 0;
    const text = this.carry + this.decode(chunk);
    const safe = this.matcher.redact(text);
    const out = this.release(safe);
    return clean && this.awaited === 0 && safe === text && this.carry === '' ? chunk : out;
  }

  /** What is left: the held-back tail (it began no secret after all) and any undecodable bytes. */
  end(): string {
    const rest = this.carry + this.decoder.decode();
    this.carry = '';
    this.awaited = 0;
    return this.matcher.redact(rest);
  }

  private decode(chunk: Uint8Array): string {
    this.awaited = utf8Awaited(this.awaited, chunk);
    return this.decoder.decode(chunk, { stream: true });
  }

  private release(text: string): string {
    const hold = this.matcher.partialTail(text);
    if (hold === 0) {
      this.carry = '';
      return text;
    }
    this.carry = text.slice(text.length - hold);
    return text.slice(0, text.length - hold);
  }
}

/**
 * How many continuation bytes a UTF-8 decoder still waits for after `bytes`, given it waited for
 * `before` (RFC 3629 §3: a lead byte 110xxxxx, 1110xxxx or 11110xxx starts a 2, 3 or 4-byte
 * character; 10xxxxxx continues one). Invalid input gives 0 (the decoder replaced it).
 */
export function utf8Awaited(before: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
    const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return Math.max(0, size - back);
  }
  // Only continuation bytes: they finish a character begun in an earlier chunk.
  return n < 4 ? Math.max(0, before - n) : 0;
}
