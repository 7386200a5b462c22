import { describe, expect, it } from 'vitest';
import { SseReader, formatSse, type SseEvent } from '../../../src/protocols/sse';

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

describe('formatSse', () => {
  it('writes event and data lines, one data line per line of data, with the chosen line end', () => {
    expect(formatSse('{"a":1}', 'ping')).toBe('event: ping\ndata: {"a":1}\n\n');
    expect(formatSse('a\nb')).toBe('data: a\ndata: b\n\n');
    expect(formatSse('{}', undefined, '\r\n')).toBe('data: {}\r\n\r\n');
    const r = new SseReader();
    expect(r.push(formatSse('a\nb', 'x'))).toEqual([{ event: 'x', data: 'a\nb' }]);
  });
});
