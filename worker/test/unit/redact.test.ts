/**
 * The secret matcher (lib/redact.ts): every encoded form of a secret an upstream may echo (JSON
 * `\uXXXX` in any hex case and `\/`, nested escapes, percent-encoding, base64 at the 3 alignments
 * in both alphabets, and mixes of them) is redacted, whole texts and streams cut at every byte.
 */
import { describe, expect, it } from 'vitest';
import { REDACTED, SecretMatcher, StreamRedactor, redactor, secretParts, utf8Awaited } from '../../src/lib/redact';
import { base64Cores, normalizeEscapes } from '../../src/lib/secret-forms';
import { forms, leaks } from '../suites/secret-forms';

const SECRET = 'sk-echo/Ab+9_z-0123456789';
const enc = new TextEncoder();
const dec = new TextDecoder();

describe('redactor: every form of a secret', () => {
  const redact = redactor(SECRET);
  // The plain form is covered in crypto.test.ts; these are the encoded ones.
  const encoded = Object.entries(forms(SECRET)).filter(([name]) => name !== 'plain');
  for (const [name, form] of encoded) {
    it(`redacts the ${name} form`, () => {
      const text = `{"error":{"message":"Incorrect API key provided: ${form}. Check it."}}`;
      expect(leaks(text, SECRET), 'the fixture form decodes back to the secret').toBe(true);
      const out = redact(text);
      expect(leaks(out, SECRET), out).toBe(false);
      expect(out).toContain(REDACTED);
      expect(out).toContain('Incorrect API key provided: ');
      expect(out).toContain('. Check it.');
    });
  }

  it('keeps a JSON document valid when the form was inside a string', () => {
    const f = forms(SECRET);
    for (const form of [f['json \\u lower'], f['json \\u upper'], f['json mixed + \\/'], f['nested json']]) {
      const out = redact(`{"m":"key ${form} end"}`);
      expect(JSON.parse(out)).toEqual({ m: `key ${REDACTED} end` });
    }
  });

  it('redacts several forms and several secrets in one text, and leaves text without them alone', () => {
    const other = 'HDR-value-7777-secret';
    const r = redactor(SECRET, other);
    const f = forms(SECRET);
    const text = `a ${f.plain} b ${f['json \\u lower']} c ${forms(other)['url mixed case']} d ${f['base64 align 2']} e`;
    const out = r(text);
    expect(leaks(out, SECRET)).toBe(false);
    expect(leaks(out, other)).toBe(false);
    expect(out.split(REDACTED)).toHaveLength(5);
    const clean = 'data: {"c":"caf\\u00e9 50% off \\/ \\"quoted\\" sk-echo/Ab+9 \\u0041"}\n\n';
    expect(r(clean)).toBe(clean);
  });

  it('finds the decoded user:password of a Basic credential', () => {
    const parts = secretParts(`Basic ${btoa('user:pa55word-123')}`);
    expect(parts).toContain('user:pa55word-123');
    expect(redactor(...parts)('denied for user:pa55word-123')).toBe(`denied for ${REDACTED}`);
  });
});

describe('secret forms', () => {
  it('normalizes escapes and maps each character back to where its encoding starts', () => {
    const text = 'a\\u0073b\\/c%2Fd\\\\u004Be\\n%zz%e9\\';
    const n = normalizeEscapes(text);
    expect(n.text).toBe('asb/c/dKe\\n%zz%e9\\');
    const starts = Array.from({ length: n.text.length + 1 }, (_, i) => n.start(i));
    // a=0, \u0073=1, b=7, \/=8, c=10, %2F=11, d=14, \\u004B=15, e=22, then one character each.
    expect(starts.slice(0, 10)).toEqual([0, 1, 7, 8, 10, 11, 14, 15, 22, 23]);
    expect(starts.at(-1)).toBe(text.length);
  });

  it('gives the base64 core of a secret at each of the 3 alignments, in both alphabets', () => {
    const cores = base64Cores('sk-?>?>-0123456789');
    for (const prefix of ['', 'x', 'xy']) {
      const b64 = btoa(`${prefix}sk-?>?>-0123456789!`);
      expect(cores.some((c) => b64.includes(c)), prefix).toBe(true);
      expect(cores.some((c) => b64.replace(/\+/g, '-').replace(/\//g, '_').includes(c)), prefix).toBe(true);
    }
    expect(cores.every((c) => c.length >= 20)).toBe(true);
  });
});

describe('StreamRedactor: forms cut by chunk boundaries', () => {
  /** Pushes `text` cut at `cuts` (byte offsets) and returns what came out, ended. */
  function stream(text: string, cuts: number[], asBytes = false): string {
    const r = new StreamRedactor([SECRET]);
    const bytes = enc.encode(text);
    let out = '';
    let at = 0;
    for (const c of [...cuts, bytes.length]) {
      const chunk = bytes.slice(at, c);
      // pushBytes may hand the chunk itself back (nothing to change): decode it as a client would.
      const piece = asBytes ? r.pushBytes(chunk) : r.push(chunk);
      out += typeof piece === 'string' ? piece : dec.decode(piece, { stream: true });
      at = c;
    }
    return out + r.end();
  }

  for (const [name, form] of Object.entries(forms(SECRET)).filter(([n]) => n !== 'plain')) {
    it(`redacts the ${name} form cut at every byte, and in one-byte chunks`, () => {
      const text = `data: {"error":{"message":"bad key ${form} é done"}}\n\n`;
      const whole = redactor(SECRET)(text);
      const n = enc.encode(text).length;
      for (let cut = 1; cut < n; cut++) {
        expect(stream(text, [cut]), `cut at ${cut}`).toBe(whole);
        expect(stream(text, [cut], true), `bytes cut at ${cut}`).toBe(whole);
      }
      expect(stream(text, Array.from({ length: n - 1 }, (_, i) => i + 1))).toBe(whole);
      expect(leaks(whole, SECRET)).toBe(false);
    });
  }

  it('holds back a bounded tail: a long run of characters a form could use still flows', () => {
    const r = new StreamRedactor([SECRET]);
    const m = new SecretMatcher([SECRET]);
    let sent = 0;
    let pushed = 0;
    for (let i = 0; i < 20_000; i++) {
      const piece = r.push(i % 2 ? '\\u0041' : 'a');
      pushed += i % 2 ? 6 : 1;
      sent += piece.length;
      expect(pushed - sent).toBeLessThanOrEqual(m.maxTail);
    }
    expect(m.maxTail).toBeLessThan(2_000);
    expect(sent + r.end().length).toBe(pushed);
  });

  it('holds back only what could begin a secret: a cut escape or a prefix of a form, not escaped text that cannot', () => {
    const r = new StreamRedactor([SECRET]);
    expect(r.push('{"m":"caf\\u00e9 ol\\u00e9')).toBe('{"m":"caf\\u00e9 ol\\u00e9');
    expect(r.push(' key \\u00')).toBe(' key ');
    expect(r.push('73k-ec')).toBe('');
    expect(r.push('ho\\/Ab')).toBe('');
    expect(r.push('+9_z-0123456789 next')).toBe(`${REDACTED} next`);
    expect(r.push(' 50%')).toBe(' 50');
    expect(r.push(' off "sk-e')).toBe('% off "');
    expect(r.end()).toBe('sk-e');
  });

  it('holds back nothing after an SSE event and gives the same bytes back (no re-encoding)', () => {
    const r = new StreamRedactor([SECRET]);
    const chunk = enc.encode('data: {"choices":[{"delta":{"content":"Hi é \\u00e9 50%"}}]}\n\n');
    expect(r.pushBytes(chunk)).toBe(chunk);
    // A chunk cut inside a character is re-encoded, and the next one too, until the decoder is even.
    const e = enc.encode('data: "é"\n\n');
    const a = r.pushBytes(e.slice(0, 8));
    const b = r.pushBytes(e.slice(8));
    expect((typeof a === 'string' ? a : dec.decode(a)) + (typeof b === 'string' ? b : dec.decode(b))).toBe('data: "é"\n\n');
    expect(r.pushBytes(chunk)).toBe(chunk);
  });

  it('counts the continuation bytes a UTF-8 decoder waits for across chunks', () => {
    const four = enc.encode('😀'); // f0 9f 98 80
    expect(utf8Awaited(0, four.slice(0, 1))).toBe(3);
    expect(utf8Awaited(3, four.slice(1, 2))).toBe(2);
    expect(utf8Awaited(2, four.slice(2, 3))).toBe(1);
    expect(utf8Awaited(1, four.slice(3))).toBe(0);
    expect(utf8Awaited(0, enc.encode('abc😀'))).toBe(0);
    expect(utf8Awaited(0, enc.encode('abcé').slice(0, 4))).toBe(1);
  });
});
