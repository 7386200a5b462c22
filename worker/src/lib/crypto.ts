/**
 * Secrets handling with Web Crypto only (workerd and Node 20 both provide `crypto.subtle`).
 *
 * - Channel keys: AES-256-GCM under a key derived (HKDF-SHA256) from the ENCRYPTION_KEY secret.
 * - Client API keys and session tokens: stored as SHA-256 hex, compared by hash.
 * - Admin password set from the dashboard: PBKDF2-SHA256 (100,000 iterations, the Workers maximum).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Base64 (standard alphabet, padded) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Bytes of a standard base64 string. Throws on malformed input. */
export function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Lower-case hex SHA-256 of a UTF-8 string. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Compares two strings in time independent of where they differ (lengths are not secret here). */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` characters from [A-Za-z0-9] (rejection sampling: no modulo bias). */
export function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const b of bytes) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

/**
 * Encrypts and decrypts channel keys. Ciphertext format: base64(12-byte IV || AES-GCM ciphertext+tag).
 * The AES key is derived once per secret with HKDF-SHA256 (info "octopus-edge channel keys"), so
 * ENCRYPTION_KEY may be any string of reasonable entropy.
 */
export class KeyVault {
  private key: Promise<CryptoKey>;

  /** @param secret the ENCRYPTION_KEY secret; throws if shorter than 16 characters. */
  constructor(secret: string) {
    if (!secret || secret.length < 16) throw new Error('ENCRYPTION_KEY must be at least 16 characters');
    this.key = deriveAesKey(secret);
  }

  /** Encrypts a UTF-8 string; a fresh random IV every call. */
  async encrypt(plain: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await this.key, encoder.encode(plain)));
    const out = new Uint8Array(12 + ct.length);
    out.set(iv, 0);
    out.set(ct, 12);
    return toBase64(out);
  }

  /** Decrypts what `encrypt` produced. Throws if the ciphertext was altered or the secret changed. */
  async decrypt(enc: string): Promise<string> {
    const bytes = fromBase64(enc);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, await this.key, bytes.subarray(12));
    return decoder.decode(plain);
  }
}

async function deriveAesKey(secret: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('octopus-edge/v1'), info: encoder.encode('octopus-edge channel keys') },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

const PBKDF2_ITERATIONS = 100_000;

/** Hashes a password as `pbkdf2$<iterations>$<salt b64>$<hash b64>` (PBKDF2-SHA256, 32-byte hash). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, PBKDF2_ITERATIONS);
  return `pbkdf2$${PBKDF2_ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** Checks a password against `hashPassword` output; false on any malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, iter, salt, hash] = encoded.split('$');
  if (scheme !== 'pbkdf2' || !iter || !salt || !hash) return false;
  const actual = await pbkdf2(password, fromBase64(salt), Number(iter));
  return timingSafeEqual(toBase64(actual), hash);
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, 256);
  return new Uint8Array(bits);
}
