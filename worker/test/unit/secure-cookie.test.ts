/** When the admin session cookie is marked Secure. */
import { describe, expect, it } from 'vitest';
import { secureCookie } from '../../src/admin/session';

const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

describe('secureCookie', () => {
  it('is Secure over HTTPS and behind a TLS proxy', () => {
    expect(secureCookie(req('https://gw.example.com/api/v1/auth/login'))).toBe(true);
    expect(secureCookie(req('http://10.0.0.5:8080/api/v1/auth/login', { 'x-forwarded-proto': 'https' }))).toBe(true);
  });

  it('is Secure on localhost, where browsers accept it over HTTP', () => {
    expect(secureCookie(req('http://localhost:8787/'))).toBe(true);
    expect(secureCookie(req('http://127.0.0.1:8080/'))).toBe(true);
  });

  it('is not Secure over plain HTTP at a LAN address, where a browser would drop it', () => {
    expect(secureCookie(req('http://192.168.1.20:8080/'))).toBe(false);
    expect(secureCookie(req('http://gateway.lan/', { 'x-forwarded-proto': 'http' }))).toBe(false);
  });
});
