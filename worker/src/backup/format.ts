/**
 * The octopus-edge backup file, version 1: one JSON document with the whole configuration, every
 * secret sealed under the admin's passphrase (passphrase.ts) as `{ "$sealed": "<base64>" }`:
 * channel keys, credential header values (channel and override headers), proxy URLs with
 * credentials. Client keys are their SHA-256 hashes (never a secret). Money is integer nano-USD,
 * times ms since the epoch, as in the store.
 *
 * Everything outside `$sealed` values is readable and may be edited by hand; a sealed value that
 * was changed no longer opens (AES-GCM tag) and the import is refused.
 */
import * as z from 'zod';
import { CHANNEL_TYPES, GROUP_MODES } from '../db/types';
import { isSecretHeader } from '../lib/channel-headers';
import { SettingsBody } from '../settings';
import { GroupAliases, GroupName, GroupPatterns, GroupSettingsInput, HealthCheckStored } from '../admin/schemas';
import type { ConfigImage, PlainChannel, PlainGroup, PlainSettings } from './image';
import { CHECK_TEXT, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS, PassphraseBox, WrongPassphraseError } from './passphrase';

/** The `format` field of our files. */
export const BACKUP_FORMAT = 'octopus-edge-backup';
/** The version this code writes and reads. */
export const BACKUP_VERSION = 1;

/** A value sealed under the passphrase. */
const Sealed = z.strictObject({ $sealed: z.string().min(1).max(65_536) });
type Sealed = z.infer<typeof Sealed>;
/** A header value: plain, or sealed (credential names). */
const HeaderValue = z.union([z.string().max(4096), Sealed]);
const id = z.int().positive().max(2 ** 31 - 1);
const nano = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Overrides as written: `body` as is; header values plain, sealed, or null (remove). Checked again once opened. */
const FileOverrides = z.strictObject({
  body: z.record(z.string(), z.unknown()).optional(),
  headers: z.record(z.string(), z.union([HeaderValue, z.null()])).optional(),
}).nullable();

const FileChannel = z.strictObject({
  id,
  name: z.string().trim().min(1).max(100),
  type: z.enum(CHANNEL_TYPES),
  baseUrl: z.string().min(1).max(2048),
  keys: z.array(z.strictObject({ id: z.string().min(1).max(64), key: Sealed, enabled: z.boolean() })).max(200),
  models: z.array(z.string().min(1).max(200)).max(2000),
  headers: z.record(z.string(), HeaderValue),
  modelFilter: z.string().max(500).nullable(),
  overrides: FileOverrides,
  proxy: Sealed.nullable(),
  /** Absent in files written before health checks existed. */
  healthCheck: HealthCheckStored.nullable().optional(),
  /** Extra endpoints (issue 14.5); absent in files written before they existed. */
  endpoints: z.array(z.strictObject({ type: z.enum(CHANNEL_TYPES), baseUrl: z.string().min(1).max(2048) })).max(CHANNEL_TYPES.length - 1).nullable().optional(),
  enabled: z.boolean(),
});

const FileGroup = z.strictObject({
  id,
  name: GroupName,
  mode: z.enum(GROUP_MODES),
  settings: GroupSettingsInput,
  aliases: GroupAliases,
  patterns: GroupPatterns,
  enabled: z.boolean(),
  members: z.array(z.strictObject({
    channelId: id,
    upstreamModel: z.string().trim().min(1).max(200),
    priority: z.int().min(-1000).max(1000),
    weight: z.int().min(1).max(1000),
    overrides: FileOverrides,
    /** The member's pinned endpoint type (issue 14.5); absent in older files. */
    protocol: z.enum(CHANNEL_TYPES).nullable().optional(),
    enabled: z.boolean(),
  })).max(200),
});

const FileApiKey = z.strictObject({
  id,
  name: z.string().trim().min(1).max(100),
  keyHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'),
  keyPrefix: z.string().max(20),
  expiresAt: z.int().positive().nullable(),
  allowedGroups: z.array(GroupName).max(500).nullable(),
  budgetNanoUsd: nano.nullable(),
  rpmLimit: z.int().positive().max(1_000_000).nullable(),
  tpmLimit: z.int().positive().max(10_000_000_000).nullable(),
  enabled: z.boolean(),
  createdAt: z.int().min(0),
  lastUsedAt: z.int().min(0).nullable(),
});

const FilePrice = z.strictObject({
  model: z.string().min(1).max(200),
  input: nano, output: nano, cacheRead: nano, cacheWrite: nano,
});

const { proxy: _proxy, ...settingFields } = SettingsBody.shape;
const FileSettings = z.strictObject({ ...settingFields, proxy: Sealed.nullable().optional() });

/** Our backup file (what `POST /api/v1/backup/export` returns and `/backup/import` reads). */
export const BackupFile = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION, { error: `is not a version this gateway reads (it reads ${BACKUP_VERSION})` }),
  exportedAt: z.int().min(0),
  kdf: z.strictObject({
    name: z.literal('PBKDF2'),
    hash: z.literal('SHA-256'),
    iterations: z.int().min(MIN_KDF_ITERATIONS).max(MAX_KDF_ITERATIONS),
    salt: z.string().regex(/^[A-Za-z0-9+/]{22}==$/, 'must be 16 bytes of base64'),
  }),
  cipher: z.strictObject({ name: z.literal('AES-GCM'), keyLength: z.literal(256) }),
  check: Sealed,
  channels: z.array(FileChannel).max(5000),
  groups: z.array(FileGroup).max(5000),
  apiKeys: z.array(FileApiKey).max(100_000),
  prices: z.array(FilePrice).max(100_000),
  settings: FileSettings,
});
export type BackupFile = z.infer<typeof BackupFile>;

type FileOverrides = z.infer<typeof FileOverrides>;

async function sealOverrides(box: PassphraseBox, o: PlainChannel['overrides']): Promise<FileOverrides> {
  if (!o) return null;
  if (!o.headers) return o;
  const headers: Record<string, string | Sealed | null> = {};
  for (const [n, v] of Object.entries(o.headers)) headers[n] = v !== null && isSecretHeader(n) ? { $sealed: await box.seal(v) } : v;
  return { ...o, headers };
}

async function sealHeaderMap(box: PassphraseBox, h: Record<string, string>): Promise<Record<string, string | Sealed>> {
  const out: Record<string, string | Sealed> = {};
  for (const [n, v] of Object.entries(h)) out[n] = isSecretHeader(n) ? { $sealed: await box.seal(v) } : v;
  return out;
}

/** The file for an image, secrets sealed under a new key from `passphrase`. */
export async function sealImage(image: ConfigImage & { settings: PlainSettings }, passphrase: string, now: number): Promise<BackupFile> {
  const box = await PassphraseBox.create(passphrase);
  const channels: BackupFile['channels'] = [];
  for (const ch of image.channels) {
    const keys = [];
    for (const k of ch.keys) keys.push({ id: k.id, key: { $sealed: await box.seal(k.key) }, enabled: k.enabled });
    channels.push({
      id: ch.id, name: ch.name, type: ch.type, baseUrl: ch.baseUrl, keys, models: ch.models, headers: await sealHeaderMap(box, ch.headers),
      modelFilter: ch.modelFilter, overrides: await sealOverrides(box, ch.overrides), proxy: ch.proxy ? { $sealed: await box.seal(ch.proxy) } : null,
      healthCheck: ch.healthCheck, endpoints: ch.endpoints ?? null, enabled: ch.enabled,
    });
  }
  const groups: BackupFile['groups'] = [];
  for (const g of image.groups) {
    const members = [];
    for (const m of g.members) members.push({ ...m, protocol: m.protocol ?? null, overrides: await sealOverrides(box, m.overrides) });
    groups.push({ ...g, members });
  }
  const { proxy, ...settings } = image.settings;
  return {
    format: BACKUP_FORMAT, version: BACKUP_VERSION, exportedAt: now, kdf: box.kdf, cipher: { name: 'AES-GCM', keyLength: 256 },
    check: { $sealed: await box.seal(CHECK_TEXT) },
    channels, groups,
    apiKeys: image.apiKeys.map((k) => ({
      id: k.id, name: k.name, keyHash: k.keyHash, keyPrefix: k.keyPrefix, expiresAt: k.expiresAt, allowedGroups: k.allowedGroups,
      budgetNanoUsd: k.budgetNanoUsd, rpmLimit: k.rpmLimit, tpmLimit: k.tpmLimit, enabled: k.enabled, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt,
    })),
    prices: image.prices.map((p) => ({ model: p.model, ...p.price })),
    settings: { ...settings, proxy: proxy ? { $sealed: await box.seal(proxy) } : null },
  };
}

async function openOverrides(box: PassphraseBox, o: FileOverrides): Promise<PlainChannel['overrides']> {
  if (!o) return null;
  if (!o.headers) return { ...(o.body !== undefined && { body: o.body }) };
  const headers: Record<string, string | null> = {};
  for (const [n, v] of Object.entries(o.headers)) headers[n] = v !== null && typeof v === 'object' ? await box.unseal(v.$sealed) : v;
  return { ...(o.body !== undefined && { body: o.body }), headers };
}

/**
 * The image in a (schema-valid) file, secrets opened with `passphrase`. The check value is opened
 * first, so a wrong passphrase costs one decryption.
 * @throws WrongPassphraseError when the passphrase (or an edited sealed value) does not open.
 */
export async function openFile(file: BackupFile, passphrase: string): Promise<ConfigImage> {
  const box = await PassphraseBox.open(passphrase, file.kdf);
  if ((await box.unseal(file.check.$sealed)) !== CHECK_TEXT) throw new WrongPassphraseError();
  const channels: PlainChannel[] = [];
  for (const ch of file.channels) {
    const keys = [];
    for (const k of ch.keys) keys.push({ id: k.id, key: await box.unseal(k.key.$sealed), enabled: k.enabled });
    const headers: Record<string, string> = {};
    for (const [n, v] of Object.entries(ch.headers)) headers[n] = typeof v === 'object' ? await box.unseal(v.$sealed) : v;
    channels.push({
      id: ch.id, name: ch.name, type: ch.type, baseUrl: ch.baseUrl, keys, models: ch.models, headers, modelFilter: ch.modelFilter,
      overrides: await openOverrides(box, ch.overrides), proxy: ch.proxy ? await box.unseal(ch.proxy.$sealed) : null, healthCheck: ch.healthCheck ?? null,
      endpoints: ch.endpoints ?? null, enabled: ch.enabled,
    });
  }
  const groups: PlainGroup[] = [];
  for (const g of file.groups) {
    const members = [];
    for (const m of g.members) members.push({ ...m, protocol: m.protocol ?? null, overrides: await openOverrides(box, m.overrides) });
    groups.push({ ...g, settings: g.settings, members });
  }
  const { proxy, ...settings } = file.settings;
  return {
    channels, groups,
    apiKeys: file.apiKeys.map((k) => ({ ...k })),
    prices: file.prices.map(({ model, ...price }) => ({ model, price })),
    settings: { ...settings, ...(proxy !== undefined && { proxy: proxy ? await box.unseal(proxy.$sealed) : null }) },
  };
}
