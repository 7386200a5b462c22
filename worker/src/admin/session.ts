/**
 * Admin login, logout, session check and password change, plus the middleware guarding `/api/v1/*`.
 *
 * - The password is the ADMIN_PASSWORD secret until one is set from the dashboard (stored as PBKDF2).
 *   With neither, login is refused: there is no default password.
 * - A session is a random 43-character token in an HttpOnly, SameSite=Strict cookie, Secure
 *   whenever the browser would accept it (see secureCookie); only its SHA-256 is stored.
 * - Password checks are throttled per client address: at most 5 attempts per 15-minute window,
 *   logins and password changes on one counter (a stolen session cookie must not become an
 *   unthrottled oracle for the current password); a success clears the count. Each attempt is
 *   counted atomically BEFORE the password is checked, so a burst of parallel guesses cannot
 *   outrun the limit.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../app-env';
import { hashPassword, randomToken, sha256Hex, timingSafeEqual, verifyPassword } from '../lib/crypto';
import type { Platform } from '../platform';
import { adminError, readBody } from './http';
import { LoginBody, PasswordChangeBody } from './schemas';

export const SESSION_COOKIE = 'oe_session';
const SESSION_TTL_MS = 7 * 24 * 3600_000;
const THROTTLE_WINDOW_MS = 15 * 60_000;
const THROTTLE_MAX_ATTEMPTS = 5;

/**
 * Client address for throttling, as the runtime vouches for it (Platform.clientAddress: Node's
 * socket peer or trusted proxy hop, the edge's CF-Connecting-IP). Never a header read here: a
 * client-sent one would let a guesser rotate addresses or lock a victim out.
 */
function clientAddress(p: Platform): string {
  return p.clientAddress ?? 'unknown';
}

/**
 * Counts one password check from `addr` against the shared login throttle.
 * @returns a 429 response (with retry-after, seconds) once the address is past the limit, else the
 *   attempt number in the current window.
 */
async function countAttempt(c: Context<AppEnv>, p: Platform, addr: string, what: 'logins' | 'password attempts'): Promise<{ blocked: Response } | { attempts: number }> {
  const now = p.now();
  const { attempts, windowStart } = await p.store.countLoginAttempt(addr, now, THROTTLE_WINDOW_MS);
  if (attempts <= THROTTLE_MAX_ATTEMPTS) return { attempts };
  const wait = Math.max(1, Math.ceil((windowStart + THROTTLE_WINDOW_MS - now) / 1000));
  return { blocked: adminError(c, 429, 'too_many_attempts', `Too many failed ${what}. Try again in ${wait} seconds.`, { 'retry-after': String(wait) }) };
}

/** Checks a password against the stored hash, else against the ADMIN_PASSWORD secret. */
async function passwordMatches(p: Platform, password: string): Promise<boolean | 'unset'> {
  const stored = await p.store.getAdminPasswordHash();
  if (stored) return verifyPassword(password, stored);
  if (!p.adminPassword) return 'unset';
  // Hash both sides so the comparison time says nothing about the secret's length or content.
  return timingSafeEqual(await sha256Hex(password), await sha256Hex(p.adminPassword));
}

/**
 * Whether the session cookie gets `Secure`: yes over HTTPS (the URL, or `x-forwarded-proto` from a
 * TLS proxy) and on localhost (browsers treat it as secure), where it costs nothing. A self-hosted
 * gateway on plain HTTP at a LAN address gets a cookie without it: browsers drop a Secure cookie
 * set over plain HTTP, so the login would never stick.
 */
export function secureCookie(req: Request): boolean {
  const url = new URL(req.url);
  if (url.protocol === 'https:') return true;
  if (req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https') return true;
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname.endsWith('.localhost');
}

async function startSession(c: Parameters<MiddlewareHandler<AppEnv>>[0], p: Platform): Promise<number> {
  const token = randomToken(43);
  const now = p.now();
  const expiresAt = now + SESSION_TTL_MS;
  await p.store.createSession(await sha256Hex(token), now, expiresAt);
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, secure: secureCookie(c.req.raw), sameSite: 'Strict', path: '/', maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
  return expiresAt;
}

/** `/api/v1/auth/*` routes. */
export function sessionRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.post('/login', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, LoginBody);
    if (!body.ok) return body.response;
    const addr = clientAddress(p);
    const counted = await countAttempt(c, p, addr, 'logins');
    if ('blocked' in counted) return counted.blocked;
    const { attempts } = counted;
    const match = await passwordMatches(p, body.value.password);
    if (match === 'unset') {
      return adminError(c, 503, 'admin_password_unset', 'No admin password is configured. Set the ADMIN_PASSWORD secret.');
    }
    if (!match) {
      p.logger.warn('admin login failed', { attempts });
      return adminError(c, 401, 'invalid_password', 'Wrong password.');
    }
    await p.store.clearThrottle(addr);
    const expiresAt = await startSession(c, p);
    return c.json({ authenticated: true, expiresAt, outboundProxy: !!p.outboundProxy });
  });

  r.post('/logout', async (c) => {
    const p = c.get('platform');
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await p.store.deleteSession(await sha256Hex(token));
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secureCookie(c.req.raw) });
    return c.json({ authenticated: false });
  });

  // Authenticated answers also say whether this gateway can use an outbound proxy (Node: yes; the
  // Worker: no), so the dashboard can disable its proxy fields.
  r.get('/session', async (c) => {
    const p = c.get('platform');
    const expiresAt = await sessionExpiry(p, getCookie(c, SESSION_COOKIE));
    // Not an error: the dashboard asks before anyone has logged in (a 401 would show as a console error).
    if (expiresAt === null) return c.json({ authenticated: false });
    return c.json({ authenticated: true, expiresAt, outboundProxy: !!p.outboundProxy });
  });

  r.put('/password', async (c) => {
    const p = c.get('platform');
    if ((await sessionExpiry(p, getCookie(c, SESSION_COOKIE))) === null) return adminError(c, 401, 'unauthorized', 'Not logged in.');
    const body = await readBody(c, PasswordChangeBody);
    if (!body.ok) return body.response;
    // Same counter as login: guessing currentPassword through a session is still guessing.
    const addr = clientAddress(p);
    const counted = await countAttempt(c, p, addr, 'password attempts');
    if ('blocked' in counted) return counted.blocked;
    if ((await passwordMatches(p, body.value.currentPassword)) !== true) {
      p.logger.warn('admin password change: wrong current password', { attempts: counted.attempts });
      return adminError(c, 400, 'invalid_password', 'currentPassword: wrong password.');
    }
    await p.store.clearThrottle(addr);
    await p.store.setAdminPasswordHash(await hashPassword(body.value.newPassword), p.now());
    await p.store.deleteAllSessions(); // every other browser must log in again with the new password
    const expiresAt = await startSession(c, p);
    return c.json({ authenticated: true, expiresAt, outboundProxy: !!p.outboundProxy });
  });

  return r;
}

/** Expiry (ms) of the session a cookie names, or null when absent, unknown or expired. */
async function sessionExpiry(p: Platform, token: string | undefined): Promise<number | null> {
  if (!token) return null;
  const hash = await sha256Hex(token);
  const expiresAt = await p.store.findSession(hash);
  if (expiresAt === null) return null;
  if (expiresAt <= p.now()) {
    await p.store.deleteSession(hash);
    return null;
  }
  return expiresAt;
}

/** Rejects requests without a live admin session with 401. */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expiresAt = await sessionExpiry(c.get('platform'), getCookie(c, SESSION_COOKIE));
  if (expiresAt === null) return adminError(c, 401, 'unauthorized', 'Log in first: POST /api/v1/auth/login.');
  await next();
};
