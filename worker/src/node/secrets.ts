/**
 * ADMIN_PASSWORD and ENCRYPTION_KEY for Node mode: from the environment, else from
 * `<dataDir>/secrets.json` (mode 0600), which the first start creates with random values for
 * whichever is missing. The file uses the same names as the environment and `.dev.vars`
 * (`{"ADMIN_PASSWORD": "…", "ENCRYPTION_KEY": "…"}`), so one `grep ADMIN_PASSWORD` finds the password
 * in either mode; a file of an older version (`adminPassword`, `encryptionKey`) is rewritten under
 * these names. A generated admin password is returned once (`generatedPassword`) for the caller to
 * print; it is never logged anywhere else.
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
  /** METRICS_TOKEN (env, else secrets.json): GET /metrics answers with it only; none: metrics off. */
  metricsToken?: string;
  /** The secrets file, when it exists. */
  file?: string;
}

/** secrets.json as written: the environment's names. */
interface SecretsFile {
  ADMIN_PASSWORD?: string;
  ENCRYPTION_KEY?: string;
  /** Optional: turns on GET /metrics (node/metrics.ts); never generated. */
  METRICS_TOKEN?: string;
}

/** secrets.json as read: today's names, or an older version's (rewritten on load). */
interface StoredSecrets extends SecretsFile {
  adminPassword?: string;
  encryptionKey?: string;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * @param env process environment (ADMIN_PASSWORD, ENCRYPTION_KEY).
 * @throws ConfigFileError when the secrets file is unreadable or ENCRYPTION_KEY is shorter than 16 characters.
 */
export function loadSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): NodeSecrets {
  const file = join(dataDir, 'secrets.json');
  let stored: StoredSecrets = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      stored = parsed as StoredSecrets;
    } catch {
      throw new ConfigFileError(`${file}: not a valid JSON object. Fix it, or delete it to have new secrets made (channel keys stored with the old ENCRYPTION_KEY are then unreadable).`);
    }
  }
  const { adminPassword: oldPassword, encryptionKey: oldKey, ...rest } = stored;
  const next: SecretsFile = { ...rest };
  const storedPassword = nonEmpty(stored.ADMIN_PASSWORD) ?? nonEmpty(oldPassword);
  const storedKey = nonEmpty(stored.ENCRYPTION_KEY) ?? nonEmpty(oldKey);
  if (storedPassword !== undefined) next.ADMIN_PASSWORD = storedPassword;
  if (storedKey !== undefined) next.ENCRYPTION_KEY = storedKey;
  // Kept when the file is rewritten (an older file's names, a missing secret filled in).
  if (nonEmpty(stored.METRICS_TOKEN) !== undefined) next.METRICS_TOKEN = stored.METRICS_TOKEN;
  // An older file's names are rewritten to today's (values unchanged).
  let changed = oldPassword !== undefined || oldKey !== undefined;
  let generatedPassword: string | undefined;
  if (!env.ADMIN_PASSWORD && next.ADMIN_PASSWORD === undefined) {
    next.ADMIN_PASSWORD = generatedPassword = randomBytes(12).toString('base64url');
    changed = true;
  }
  if (!env.ENCRYPTION_KEY && next.ENCRYPTION_KEY === undefined) {
    next.ENCRYPTION_KEY = randomBytes(32).toString('base64url');
    changed = true;
  }
  if (changed) {
    writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600); // an existing file keeps its mode on write: tighten it
  }
  const encryptionKey = env.ENCRYPTION_KEY || next.ENCRYPTION_KEY!;
  if (encryptionKey.length < 16) throw new ConfigFileError('ENCRYPTION_KEY must be at least 16 characters.');
  const metricsToken = env.METRICS_TOKEN || nonEmpty(stored.METRICS_TOKEN);
  if (metricsToken !== undefined && metricsToken.length < 16) throw new ConfigFileError('METRICS_TOKEN must be at least 16 characters (it guards /metrics).');
  return {
    adminPassword: env.ADMIN_PASSWORD || next.ADMIN_PASSWORD!,
    encryptionKey,
    ...(metricsToken !== undefined && { metricsToken }),
    ...(generatedPassword !== undefined && { generatedPassword }),
    ...(existsSync(file) && { file }),
  };
}
