/**
 * ADMIN_PASSWORD and ENCRYPTION_KEY for Node mode: from the environment, else from
 * `<dataDir>/secrets.json` (mode 0600), which the first start creates with random values for
 * whichever is missing. A generated admin password is returned once (`generatedPassword`) for the
 * caller to print; it is never logged anywhere else.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFileError } from './config';

export interface NodeSecrets {
  adminPassword: string;
  /** At least 16 characters (KeyVault derives the channel-key cipher from it). */
  encryptionKey: string;
  /** The admin password when this start generated it (print it once), else undefined. */
  generatedPassword?: string;
  /** The secrets file, when it exists. */
  file?: string;
}

interface SecretsFile {
  adminPassword?: string;
  encryptionKey?: string;
}

/**
 * @param env process environment (ADMIN_PASSWORD, ENCRYPTION_KEY).
 * @throws ConfigFileError when the secrets file is unreadable or ENCRYPTION_KEY is shorter than 16 characters.
 */
export function loadSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): NodeSecrets {
  const file = join(dataDir, 'secrets.json');
  let stored: SecretsFile = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
    } catch {
      throw new ConfigFileError(`${file}: not valid JSON. Fix it, or delete it to have new secrets made (channel keys stored with the old ENCRYPTION_KEY are then unreadable).`);
    }
  }
  const next: SecretsFile = { ...stored };
  let generatedPassword: string | undefined;
  let changed = false;
  if (!env.ADMIN_PASSWORD && !stored.adminPassword) {
    next.adminPassword = generatedPassword = randomBytes(12).toString('base64url');
    changed = true;
  }
  if (!env.ENCRYPTION_KEY && !stored.encryptionKey) {
    next.encryptionKey = randomBytes(32).toString('base64url');
    changed = true;
  }
  if (changed) {
    writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600); // an existing file keeps its mode on write: tighten it
  }
  const encryptionKey = env.ENCRYPTION_KEY || next.encryptionKey!;
  if (encryptionKey.length < 16) throw new ConfigFileError('ENCRYPTION_KEY must be at least 16 characters.');
  return {
    adminPassword: env.ADMIN_PASSWORD || next.adminPassword!,
    encryptionKey,
    ...(generatedPassword !== undefined && { generatedPassword }),
    ...(existsSync(file) && { file }),
  };
}
