/**
 * Custom channel headers that carry credentials (Azure `api-key`, `x-auth-token`, a second
 * `authorization`…) are secrets like channel keys: encrypted at rest with the KeyVault, shown by
 * the admin API only as a hint of their last 4 characters, decrypted just before an upstream call.
 *
 * Stored form of a secret value: `oe-enc:<url-encoded hint>:<AES-GCM ciphertext, base64>`. Other
 * values, and values stored before this existed, are plain text (and still masked in views).
 */
import type { KeyVault } from './crypto';

/** Header names that say the value is a credential. */
export const SECRET_HEADER_NAME = /key|token|secret|auth|password|credential|cookie|signature/i;

const ENC_PREFIX = 'oe-enc:';

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER_NAME.test(name);
}

/** The hint shown for a secret value: `…` and its last 4 characters (nothing of a short one). */
export function headerHint(value: string): string {
  return value.length <= 8 ? '…' : `…${value.slice(-4)}`;
}

function parseSealed(stored: string): { hint: string; enc: string } | null {
  if (!stored.startsWith(ENC_PREFIX)) return null;
  const rest = stored.slice(ENC_PREFIX.length);
  const at = rest.indexOf(':');
  if (at < 0) return null;
  return { hint: decodeURIComponent(rest.slice(0, at)), enc: rest.slice(at + 1) };
}

/** What the admin API shows for a stored value of header `name`. */
function shownValue(name: string, stored: string): string {
  const sealed = parseSealed(stored);
  if (sealed) return sealed.hint;
  return isSecretHeader(name) ? headerHint(stored) : stored;
}

/** The headers as the admin API shows them: credential values reduced to their hint. */
export function maskHeaders(stored: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(stored).map(([name, v]) => [name, shownValue(name, v)]));
}

/**
 * The headers to store from admin input: credential values encrypted. A value equal to what the
 * admin API showed for the same header (its hint) keeps the stored value, so a form sent back
 * unchanged does not overwrite a secret with its mask.
 */
export async function sealHeaders(vault: KeyVault, input: Record<string, string>, existing: Record<string, string> = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    const before = existing[name];
    if (before !== undefined && isSecretHeader(name) && value === shownValue(name, before)) {
      out[name] = before;
    } else if (isSecretHeader(name) && value !== '') {
      out[name] = `${ENC_PREFIX}${encodeURIComponent(headerHint(value))}:${await vault.encrypt(value)}`;
    } else {
      out[name] = value;
    }
  }
  return out;
}

/**
 * The headers to send upstream, credential values decrypted.
 * @throws when a value cannot be decrypted (ENCRYPTION_KEY changed).
 */
export async function openHeaders(vault: KeyVault, stored: Record<string, string>): Promise<Record<string, string>> {
  const entries = Object.entries(stored);
  if (!entries.some(([, v]) => v.startsWith(ENC_PREFIX))) return stored;
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    const sealed = parseSealed(v);
    out[name] = sealed ? await vault.decrypt(sealed.enc) : v;
  }
  return out;
}

/** The credential values among (decrypted) headers, for redaction. */
export function secretHeaderValues(headers: Record<string, string>): string[] {
  return Object.entries(headers).filter(([name]) => isSecretHeader(name)).map(([, v]) => v);
}
