/**
 * Export and import as the admin API runs them: the current configuration read and opened with the
 * server's key, the incoming one checked and planned (plan.ts), then written in one atomic unit with
 * its secrets sealed by the server's key again.
 */
import type { Platform } from '../platform';
import type { ConfigWrite, NewChannel, NewGroup } from '../db/types';
import { sealHeaders } from '../lib/channel-headers';
import type { KeyVault } from '../lib/crypto';
import { sealOverrides } from '../lib/override-secrets';
import { EDGE_PROXY_REFUSAL, sealProxy, type StoredProxy } from '../lib/proxy';
import { forgetSettings } from '../settings';
import { readImage, type ConfigImage, type PlainChannel, type PlainGroup } from './image';
import { planImport, type ImportChanges, type ImportMode, type ImportPlan } from './plan';

/** What an import (or its dry run) reports. */
export interface ImportReport {
  dryRun: boolean;
  mode: ImportMode;
  /** `octopus-edge` (our file) or `octopus`. */
  source: 'octopus-edge' | 'octopus';
  changes: ImportChanges;
  /** What could not be imported as it was (dropped or changed), in plain words. */
  warnings: string[];
}

/** Last 4 characters of a key, as the channels API shows it. */
function hintOf(key: string): string {
  return key.length <= 8 ? '…' : `…${key.slice(-4)}`;
}

async function storedProxy(vault: KeyVault, url: string | null): Promise<StoredProxy | null> {
  const sealed = await sealProxy(vault, url, null);
  // The plan checked every proxy URL already.
  return sealed && 'error' in sealed ? null : sealed;
}

async function storedChannel(vault: KeyVault, ch: PlainChannel): Promise<NewChannel & { id: number }> {
  const keys = [];
  for (const k of ch.keys) keys.push({ id: k.id, enc: await vault.encrypt(k.key), hint: hintOf(k.key), enabled: k.enabled });
  return {
    id: ch.id, name: ch.name, type: ch.type, baseUrl: ch.baseUrl, keys, models: ch.models, headers: await sealHeaders(vault, ch.headers),
    modelFilter: ch.modelFilter, overrides: await sealOverrides(vault, ch.overrides), proxy: await storedProxy(vault, ch.proxy),
    healthCheck: ch.healthCheck, endpoints: ch.endpoints ?? null, enabled: ch.enabled,
  };
}

async function storedGroup(vault: KeyVault, g: PlainGroup): Promise<NewGroup & { id: number }> {
  const members = [];
  for (const m of g.members) members.push({ ...m, overrides: await sealOverrides(vault, m.overrides) });
  return { id: g.id, name: g.name, mode: g.mode, settings: g.settings, aliases: g.aliases, patterns: g.patterns, enabled: g.enabled, members };
}

/** The plan as the store writes it: secrets sealed with the server's key. */
async function toWrite(vault: KeyVault, plan: ImportPlan): Promise<ConfigWrite> {
  const all = async <T, R>(list: T[], f: (x: T) => Promise<R>) => {
    const out: R[] = [];
    for (const x of list) out.push(await f(x));
    return out;
  };
  let settings: unknown;
  if (plan.settings) {
    const { proxy, ...rest } = plan.settings;
    settings = { ...rest, proxy: await storedProxy(vault, proxy) };
  }
  const key = ({ lastUsedAt: _l, createdAt: _c, ...k }: ImportPlan['apiKeys']['create'][number]) => k;
  return {
    channels: { insert: await all(plan.channels.create, (c) => storedChannel(vault, c)), update: await all(plan.channels.update, (c) => storedChannel(vault, c)), delete: plan.channels.delete },
    groups: { insert: await all(plan.groups.create, (g) => storedGroup(vault, g)), update: await all(plan.groups.update, (g) => storedGroup(vault, g)), delete: plan.groups.delete },
    apiKeys: {
      insert: plan.apiKeys.create.map((k) => ({ ...key(k), createdAt: k.createdAt, lastUsedAt: k.lastUsedAt })),
      update: plan.apiKeys.update.map(key),
      delete: plan.apiKeys.delete,
    },
    prices: { put: [...plan.prices.create, ...plan.prices.update].map((p) => ({ model: p.model, ...p.price })), delete: plan.prices.delete },
    ...(plan.settings && { settings }),
  };
}

/**
 * Proxies a runtime cannot use (the Worker) are dropped from the incoming image with a warning,
 * rather than refusing the whole file (a Node backup restored on the Worker).
 */
function dropUnusableProxies(p: Platform, image: ConfigImage, warnings: string[]): void {
  if (p.outboundProxy) return;
  for (const ch of image.channels) {
    if (ch.proxy) {
      warnings.push(`channel "${ch.name}": its proxy was left out. ${EDGE_PROXY_REFUSAL}`);
      ch.proxy = null;
    }
  }
  if (image.settings?.proxy) {
    warnings.push(`settings: the global proxy was left out. ${EDGE_PROXY_REFUSAL}`);
    image.settings.proxy = null;
  }
}

/**
 * Plans the import of `incoming` and, unless `dryRun`, writes it in one atomic unit, then makes
 * this instance see it at once (config snapshot via the store's epoch, cached settings, client-key
 * limit holders). Other instances see it through the stored config version, as after any admin write.
 * @throws InvalidImportError (nothing written), StoreConflictError (nothing written).
 */
export async function runImport(p: Platform, incoming: ConfigImage, opts: { mode: ImportMode; dryRun: boolean; source: ImportReport['source']; warnings: string[] }): Promise<ImportReport> {
  const warnings = [...opts.warnings];
  dropUnusableProxies(p, incoming, warnings);
  // Lenient: a stored secret the server's key no longer opens is what a restore is for; it is replaced.
  const current = await readImage(p.store, p.vault, { lenient: true });
  const { plan, changes } = planImport(current, incoming, opts.mode);
  if (!opts.dryRun) {
    await p.store.applyConfig(await toWrite(p.vault, plan), p.now());
    forgetSettings(p.store);
    // A key's limits may have changed: its holder re-reads the spend (as after PATCH /keys/:id).
    for (const k of [...plan.apiKeys.create, ...plan.apiKeys.update]) {
      if (k.budgetNanoUsd !== null || k.rpmLimit !== null || k.tpmLimit !== null) await p.limits.refresh(k.id);
    }
  }
  return { dryRun: opts.dryRun, mode: opts.mode, source: opts.source, changes, warnings };
}
