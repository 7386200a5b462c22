/**
 * Secrets of a backup file sealed under a passphrase the admin types (Web Crypto only, so the
 * Worker and Node do the same):
 *
 * - KDF: PBKDF2-HMAC-SHA256 over the passphrase's UTF-8 bytes, a random 16-byte salt per file,
 *   {@link BACKUP_KDF_ITERATIONS} iterations (the most the Workers runtime allows: it refuses more
 *   than 100,000), giving a 256-bit key. The parameters are written in the file (`kdf`), so a later
 *   version can raise the count and still open older files.
 * - AEAD: AES-256-GCM, a fresh random 12-byte IV for every value; a sealed value is
 *   `base64(IV || ciphertext || 16-byte tag)`. The tag makes a wrong passphrase (or an edited
 *   value) fail to open instead of giving garbage.
 * - `check`: a known text sealed with the same key, opened first: a wrong passphrase is refused
 *   even for a file without any secret, before anything else is read.
 *
 * Wire facts: PBKDF2, RFC 8018 §5.2; AES-GCM, NIST SP 800-38D (96-bit IV, 128-bit tag); Web
 * Crypto `deriveKey`/`encrypt`, W3C Web Cryptography API.
 */
import { fromBase64, toBase64 } from '../lib/crypto';

/** PBKDF2 iterations of new files: the Workers runtime's cap (it throws NotSupportedError above 100,000). */
export const BACKUP_KDF_ITERATIONS = 100_000;
/** Fewest iterations a file may declare (a weaker file is refused, not opened). */
export const MIN_KDF_ITERATIONS = 100_000;
/** Most iterations a file may declare (more could not be opened on the Worker, and would let a file burn CPU). */
export const MAX_KDF_ITERATIONS = 100_000;
/** Shortest passphrase accepted for an export. */
export const MIN_PASSPHRASE_CHARS = 12;
/** The text sealed as `check`. */
export const CHECK_TEXT = 'octopus-edge backup';

/** The KDF parameters as written in the file. */
export interface KdfParams {
  name: 'PBKDF2';
  hash: 'SHA-256';
  iterations: number;
  /** base64 of 16 random bytes. */
  salt: string;
}

/** Thrown when a sealed value does not open: a wrong passphrase, or a changed value. */
export class WrongPassphraseError extends Error {
  constructor() {
    super('The passphrase does not open this backup (or the file was changed).');
    this.name = 'WrongPassphraseError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Seals and opens the values of one file with the key derived from a passphrase. */
export class PassphraseBox {
  private constructor(readonly kdf: KdfParams, private readonly key: CryptoKey) {}

  /** A box for a new file: fresh salt, current iteration count. */
  static async create(passphrase: string): Promise<PassphraseBox> {
    const kdf: KdfParams = { name: 'PBKDF2', hash: 'SHA-256', iterations: BACKUP_KDF_ITERATIONS, salt: toBase64(crypto.getRandomValues(new Uint8Array(16))) };
    return new PassphraseBox(kdf, await derive(passphrase, kdf));
  }

  /** A box for a file's own KDF parameters (validated by the file schema). */
  static async open(passphrase: string, kdf: KdfParams): Promise<PassphraseBox> {
    return new PassphraseBox(kdf, await derive(passphrase, kdf));
  }

  /** `base64(IV || AES-GCM ciphertext+tag)` of a UTF-8 string. */
  async seal(plain: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, this.key, encoder.encode(plain)));
    const out = new Uint8Array(12 + ct.length);
    out.set(iv, 0);
    out.set(ct, 12);
    return toBase64(out);
  }

  /** The plain text of a sealed value. @throws WrongPassphraseError when it does not open. */
  async unseal(sealed: string): Promise<string> {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(sealed);
    } catch {
      throw new WrongPassphraseError();
    }
    if (bytes.length < 12 + 16) throw new WrongPassphraseError();
    try {
      return decoder.decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, this.key, bytes.subarray(12)));
    } catch {
      throw new WrongPassphraseError();
    }
  }
}

async function derive(passphrase: string, kdf: KdfParams): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(kdf.salt), iterations: kdf.iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
