import { describe, expect, it } from 'vitest';
import { SseEventCutter, SseEventTooLargeError, SseReader, formatSse, type SseEvent } from '../../../src/protocols/sse';

const enc = new TextEncoder();

/** Feeds `bytes` in pieces cut at `cuts`, returns every event. */
function readAll(bytes: Uint8Array, sizes: (i: number) => number): SseEvent[] {
  const r = new SseReader();
  const out: SseEvent[] = [];
  let i = 0;
  let n = 0;
  while (i < bytes.length) {
    const size = Math.max(1, sizes(n++));
    out.push(...r.push(bytes.subarray(i, i + size)));
    i += size;
  }
  out.push(...r.end());
  return out;
}

function seeded(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return 1 + (s % 17);
  };
}

const SAMPLE = 'event: message_start\ndata: {"a":"héllo 😀"}\n\n: keep-alive comment\n\ndata: line1\ndata: line2\nid: 7\n\nevent: ping\ndata: {}\n\n';
const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"a":"héllo 😀"}' },
  { data: 'line1\nline2', id: '7' },
  // The last event id carries over to later events (WHATWG: "last event ID buffer").
  { event: 'ping', data: '{}', id: '7' },
];

describe('SseReader', () => {
  it('gives the same events whatever the chunking: whole, every byte (inside UTF-8 characters), random', () => {
    const bytes = enc.encode(SAMPLE);
    expect(readAll(bytes, () => bytes.length)).toEqual(EXPECTED);
    expect(readAll(bytes, () => 1)).toEqual(EXPECTED);
    for (const seed of [1, 2, 3, 42]) expect(readAll(bytes, seeded(seed))).toEqual(EXPECTED);
  });

  it('accepts CRLF and lone CR line ends, also when a CRLF is split between chunks', () => {
    const crlf = enc.encode(SAMPLE.replace(/\n/g, '\r\n'));
    expect(readAll(crlf, () => 1)).toEqual(EXPECTED);
    const cr = enc.encode(SAMPLE.replace(/\n/g, '\r'));
    expect(readAll(cr, () => 1)).toEqual(EXPECTED);
    // A CR closing one chunk and the LF opening the next are one line end, not two (not an empty line).
    const r = new SseReader();
    expect([...r.push('data: a\r'), ...r.push(new Uint8Array()), ...r.push('\ndata: b\r\n'), ...r.push('\r\n')]).toEqual([{ data: 'a\nb' }]);
  });

  it('dispatches a last event that lacks its blank line, and ignores a trailing comment', () => {
    const r = new SseReader();
    expect(r.push('data: [DONE]')).toEqual([]);
    expect(r.end()).toEqual([{ data: '[DONE]' }]);
    const r2 = new SseReader();
    r2.push(': only a comment');
    expect(r2.end()).toEqual([]);
  });

  it('reads a multi-megabyte data line in many pieces in linear time', () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    const bytes = enc.encode(`data: ${big}\n\n`);
    const events = readAll(bytes, () => 1000);
    expect(events).toHaveLength(1);
    expect(events[0]!.data.length).toBe(big.length);
  });

  it('treats a field without a colon as an empty value and a space after the colon as optional', () => {
    const r = new SseReader();
    expect(r.push('data\ndata:x\ndata:  y\n\n')).toEqual([{ data: '\nx\n y' }]);
  });
});

describe('SseReader caps (maxEventChars)', () => {
  it('throws once one line, one comment or one event passes the cap, however it is chunked', () => {
    const feed = (text: string, cap: number, size: number) => {
      const r = new SseReader(cap);
      const bytes = enc.encode(text);
      const out: SseEvent[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...r.push(bytes.subarray(i, i + size)));
      return [...out, ...r.end()];
    };
    for (const size of [1, 7, 4096]) {
      expect(() => feed(`data: ${'x'.repeat(2000)}`, 1000, size)).toThrow(SseEventTooLargeError); // one unterminated line
      expect(() => feed(`:${'x'.repeat(2000)}\n\n`, 1000, size)).toThrow(/longer than 1000 characters/); // a comment line
      expect(() => feed(`${'data: 0123456789\n'.repeat(200)}\n`, 1000, size)).toThrow(SseEventTooLargeError); // many short lines
      // Events under the cap, however many, pass: the count starts again at each event.
      expect(feed('data: 0123456789\n\n'.repeat(500), 1000, size)).toHaveLength(500);
    }
  });
});

describe('SseEventCutter', () => {
  const SAMPLES = [SAMPLE, SAMPLE.replaceAll('\n', '\r\n'), SAMPLE.replaceAll('\n', '\r'), 'data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: tail'];
  it('gives out whole events only, the same bytes in the same order, whatever the chunking', () => {
    for (const text of SAMPLES) {
      const bytes = enc.encode(text);
      for (const size of [1, 2, 3, 5, 64, bytes.length]) {
        const cutter = new SseEventCutter();
        const pieces: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i += size) pieces.push(cutter.push(bytes.subarray(i, i + size)));
        const out = pieces.filter((p) => p.length > 0).map((p) => new TextDecoder().decode(p));
        // Every piece given out before the end closes an event: a blank line ends it (a CRLF's LF may open the next).
        for (const p of out) expect(p).toMatch(/(\r\n|\n|\r)(\r\n|\n|\r)$/);
        const rest = new TextDecoder().decode(cutter.end());
        expect(out.join('') + rest).toBe(text);
        // What a reader makes of the pieces equals what it makes of the whole.
        expect(readAll(enc.encode(out.join('') + rest), () => 3)).toEqual(readAll(bytes, () => bytes.length));
      }
    }
  });

  it('cuts LF-only chunks (native search) at their last blank line, also between CR chunks, whatever the chunking', () => {
    // A seeded generator: the same 3,000 texts and chunkings on every run.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const parts = ['\n', '\n\n', 'data: x', 'é', 'a', '\r', '\r\n'];
    let lfOnlyChunks = 0;
    for (let t = 0; t < 3_000; t++) {
      // Two texts in three without any CR, so whole streams take the native path throughout.
      const alphabet = t % 3 === 0 ? parts : parts.slice(0, 5);
      let text = '';
      for (let i = rand(80); i > 0; i--) text += alphabet[rand(alphabet.length)];
      const bytes = enc.encode(text);
      const cutter = new SseEventCutter();
      let out = '';
      let lineStart = true;
      let expected = '';
      for (let at = 0; at < bytes.length;) {
        const piece = bytes.subarray(at, at + 1 + rand(9));
        at += piece.length;
        if (!piece.includes(13)) lfOnlyChunks++;
        out += new TextDecoder().decode(cutter.push(piece), { stream: true });
      }
      out += new TextDecoder().decode(cutter.end());
      expect(out).toBe(text);
      // Reference for LF-only texts: every piece given out ended at a blank line, so the output up to
      // the last piece must end where the text's last "\n\n" (or a leading "\n") ends, at the latest.
      if (!text.includes('\r')) {
        for (let i = 0; i < text.length; i++) {
          if (text[i] === '\n' && lineStart) expected = text.slice(0, i + 1);
          lineStart = text[i] === '\n';
        }
        const c2 = new SseEventCutter();
        const whole = new TextDecoder().decode(c2.push(enc.encode(text)));
        expect(whole).toBe(expected);
      }
    }
    expect(lfOnlyChunks).toBeGreaterThan(10_000);
  });

  it('holds a half event until its blank line arrives', () => {
    const c = new SseEventCutter();
    expect(c.push(enc.encode('data: {"a":')).length).toBe(0);
    expect(c.holding).toBe(true);
    expect(new TextDecoder().decode(c.push(enc.encode('1}\n\ndata: {"b"')))).toBe('data: {"a":1}\n\n');
    expect(new TextDecoder().decode(c.end())).toBe('data: {"b"');
  });
});

describe('formatSse', () => {
  it('writes event and data lines, one data line per line of data, with the chosen line end', () => {
    expect(formatSse('{"a":1}', 'ping')).toBe('event: ping\ndata: {"a":1}\n\n');
    expect(formatSse('a\nb')).toBe('data: a\ndata: b\n\n');
    expect(formatSse('{}', undefined, '\r\n')).toBe('data: {}\r\n\r\n');
    const r = new SseReader();
    expect(r.push(formatSse('a\nb', 'x'))).toEqual([{ event: 'x', data: 'a\nb' }]);
  });
});
