/** Request-log bodies: cut to a byte size on character boundaries, with a marker of what was left out. */
import { describe, expect, it } from 'vitest';
import { BodyCapture, truncateBody, truncationMarker } from '../../src/relay/body-log';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('truncateBody', () => {
  it('keeps a body under the size as it is', () => {
    expect(truncateBody('{"a":1}', 256)).toBe('{"a":1}');
  });

  it('cuts to the byte size and says how many bytes were left out', () => {
    const body = 'x'.repeat(1000);
    expect(truncateBody(body, 300)).toBe('x'.repeat(300) + truncationMarker(700));
  });

  it('never splits a multi-byte character', () => {
    // "é" is 2 bytes, "😀" 4: a cut at 5 bytes falls inside the emoji.
    const out = truncateBody('éé😀'.repeat(200), 5);
    expect(out.startsWith('éé…[truncated')).toBe(true);
    expect(out).not.toContain('\uFFFD');
  });
});

describe('BodyCapture', () => {
  it('keeps the first bytes of a stream across chunks and counts the rest', () => {
    const c = new BodyCapture(10);
    c.push(bytes('data: 1\n'));
    c.push(bytes('data: 2\n'));
    c.push(bytes('data: 3\n'));
    expect(c.text()).toBe('data: 1\nda' + truncationMarker(14));
  });

  it('returns the whole stream when it fits', () => {
    const c = new BodyCapture(100);
    c.push(bytes('event: a\n\n'));
    expect(c.text()).toBe('event: a\n\n');
  });

  it('backs up to a character boundary when the cap falls inside one', () => {
    const c = new BodyCapture(3);
    c.push(bytes('aé'));
    c.push(bytes('é'));
    expect(c.text()).toBe('aé' + truncationMarker(2));
    const d = new BodyCapture(2);
    d.push(bytes('aé'));
    expect(d.text()).toBe('a' + truncationMarker(2));
  });
});
