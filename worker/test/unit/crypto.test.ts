import { describe, expect, it } from 'vitest';
import { KeyVault, hashPassword, randomToken, sha256Hex, timingSafeEqual, verifyPassword } from '../../src/lib/crypto';

describe('KeyVault', () => {
  it('round-trips a key with a fresh IV each time', async () => {
    const v = new KeyVault('a-long-enough-secret');
    const a = await v.encrypt('sk-live-123');
    const b = await v.encrypt('sk-live-123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-live');
    expect(await v.decrypt(a)).toBe('sk-live-123');
  });

  it('refuses altered ciphertext, another secret, and a short secret', async () => {
    const v = new KeyVault('a-long-enough-secret');
    const enc = await v.encrypt('sk-live-123');
    const bytes = Uint8Array.from(atob(enc), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1]! ^= 1;
    await expect(v.decrypt(btoa(String.fromCharCode(...bytes)))).rejects.toThrow();
    await expect(new KeyVault('another-long-secret').decrypt(enc)).rejects.toThrow();
    expect(() => new KeyVault('short')).toThrow(/ENCRYPTION_KEY/);
  });
});

describe('hashes and tokens', () => {
  it('sha256Hex matches the standard test vector', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('verifies a PBKDF2 password hash and rejects others', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^pbkdf2\$100000\$/);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('wrong horse', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('makes tokens of the asked length from [A-Za-z0-9], all different', () => {
    const tokens = Array.from({ length: 200 }, () => randomToken(43));
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(new Set(tokens).size).toBe(200);
  });

  it('compares strings exactly', () => {
    expect(timingSafeEqual('abc', 'abc')).toBe(true);
    expect(timingSafeEqual('abc', 'abd')).toBe(false);
    expect(timingSafeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('StreamRedactor', async () => {
  const { StreamRedactor, secretParts, REDACTED } = await import('../../src/lib/redact');
  it('redacts a secret split over chunks and holds back only a possible secret start', () => {
    const r = new StreamRedactor(['sk-secret-123456']);
    const enc = new TextEncoder();
    expect(r.push(enc.encode('data: {"m":"key sk-sec'))).toBe('data: {"m":"key ');
    expect(r.push(enc.encode('ret-123456 end"}\n\n'))).toBe(`sk-secret-123456 end"}\n\n`.replace('sk-secret-123456', REDACTED));
    expect(r.push('plain\n\n')).toBe('plain\n\n');
    expect(r.push('tail sk-s')).toBe('tail ');
    expect(r.end()).toBe('sk-s');
  });

  it('treats the token after an auth scheme as a secret too', () => {
    expect(secretParts('Bearer sk-abc-123456789')).toEqual(['Bearer sk-abc-123456789', 'sk-abc-123456789']);
    expect(secretParts('plain-value-123')).toEqual(['plain-value-123']);
  });
});
