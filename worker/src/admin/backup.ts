/**
 * `/api/v1/backup`: export the whole configuration as one file with its secrets sealed under a
 * passphrase, and import such a file (or an octopus export) by merging or replacing.
 *
 * Export is `POST /backup/export` with the passphrase in the JSON body, not a GET: a passphrase in
 * a URL ends up in browser history and proxy logs, and a GET is exempt from the same-origin rule
 * (csrf.ts) while this answer carries every channel key, sealed. As a POST it is checked like any
 * admin change. `GET /backup` answers 405 saying so.
 */
import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../app-env';
import { runImport } from '../backup/apply';
import { BACKUP_FORMAT, BackupFile, openFile, sealImage } from '../backup/format';
import { readImage, StoredSecretError } from '../backup/image';
import { mapOctopus, OctopusDump } from '../backup/octopus';
import { MIN_PASSPHRASE_CHARS, WrongPassphraseError } from '../backup/passphrase';
import { InvalidImportError } from '../backup/plan';
import { StoreConflictError } from '../db/store';
import { adminError, describeIssue, readBody } from './http';

/** Largest import body, bytes: a backup of thousands of channels and keys is bigger than an admin form. */
export const BACKUP_BODY_LIMIT = 16 * 1024 * 1024;

/** The body of `POST /api/v1/backup/export`. */
export const BackupExportBody = z.strictObject({
  passphrase: z.string().min(MIN_PASSPHRASE_CHARS, `must be at least ${MIN_PASSPHRASE_CHARS} characters`).max(1000),
});

/** The body of `POST /api/v1/backup/import`. */
export const BackupImportBody = z.strictObject({
  /** Our backup file or an octopus export, as parsed JSON. */
  file: z.record(z.string(), z.unknown()),
  /** Needed for our files (it opens the sealed secrets); octopus exports have none. */
  passphrase: z.string().min(1).max(1000).optional(),
  /** merge: create and update, delete nothing; replace: also delete what the file does not have. */
  mode: z.enum(['merge', 'replace']),
  /** Report what would change, write nothing. */
  dryRun: z.boolean().optional(),
});

/** A file name for the download: `octopus-edge-backup-2026-12-07T04-15-03Z.json`. */
function fileName(now: number): string {
  return `octopus-edge-backup-${new Date(now).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.json`;
}

export function backupRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', (c) => adminError(c, 405, 'method_not_allowed', 'Export with POST /api/v1/backup/export and {"passphrase": "…"} in the body (a passphrase never goes in a URL).', { allow: 'POST' }));

  r.post('/export', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, BackupExportBody);
    if (!body.ok) return body.response;
    let file: BackupFile;
    try {
      file = await sealImage(await readImage(p.store, p.vault), body.value.passphrase, p.now());
    } catch (err) {
      if (err instanceof StoredSecretError) return adminError(c, 409, 'undecryptable_secret', err.message);
      throw err;
    }
    return c.json(file, 200, { 'content-disposition': `attachment; filename="${fileName(file.exportedAt)}"`, 'cache-control': 'no-store' });
  });

  r.post('/import', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, BackupImportBody);
    if (!body.ok) return body.response;
    const { file, passphrase, mode, dryRun = false } = body.value;
    try {
      if (file.format === BACKUP_FORMAT) {
        const parsed = BackupFile.safeParse(file);
        if (!parsed.success) return adminError(c, 400, 'invalid_backup', `The backup file is not valid: ${describeIssue(parsed.error)}`);
        if (passphrase === undefined) return adminError(c, 400, 'invalid_request', 'passphrase: the file\'s secrets are sealed; give the passphrase it was exported with');
        const image = await openFile(parsed.data, passphrase);
        return c.json(await runImport(p, image, { mode, dryRun, source: 'octopus-edge', warnings: [] }));
      }
      const octopus = OctopusDump.safeParse(file);
      if (!octopus.success) {
        return adminError(c, 400, 'invalid_backup', `The file is neither an octopus-edge backup (no "format": "${BACKUP_FORMAT}") nor an octopus export: ${describeIssue(octopus.error)}`);
      }
      const { image, warnings } = await mapOctopus(octopus.data);
      return c.json(await runImport(p, image, { mode, dryRun, source: 'octopus', warnings }));
    } catch (err) {
      if (err instanceof WrongPassphraseError) return adminError(c, 400, 'wrong_passphrase', 'The passphrase does not open this backup. Nothing was changed.');
      if (err instanceof InvalidImportError) return adminError(c, 400, 'invalid_backup', `The backup cannot be imported: ${err.message}. Nothing was changed.`);
      if (err instanceof StoreConflictError) return adminError(c, 409, 'conflict', `${err.message}: the configuration changed while importing. Nothing was changed; try again.`);
      if (err instanceof StoredSecretError) return adminError(c, 409, 'undecryptable_secret', err.message);
      throw err;
    }
  });

  return r;
}
