/**
 * What an import would change: the incoming image (from our file or an octopus export) checked in
 * full, then compared with the current one. Pure: no store, no crypto; the caller writes the plan
 * (or, for a dry run, only reports its counts).
 *
 * Matching: channels and groups by name, client keys by key hash, user prices by model. A match is
 * updated in place (it keeps its id, so stats and logs stay attached); anything else is created
 * with the id the file gives it when that id is free, else the next free one. "replace" also
 * deletes what the file does not have; "merge" deletes nothing.
 */
import { ChannelHeaders, HttpUrl, RegexSource, endpointsProblem } from '../admin/schemas';
import { nameClash } from '../admin/group-names';
import { overridesIssue } from '../lib/overrides';
import { parseProxyUrl } from '../lib/proxy';
import type { Group } from '../db/types';
import type { ConfigImage, PlainApiKey, PlainChannel, PlainGroup, PlainPrice, PlainSettings } from './image';

export type ImportMode = 'merge' | 'replace';

/** What happens to the rows of one kind. */
export interface KindCounts {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
}

/** Counts per kind (settings: the gateway settings object, 0 or 1). */
export interface ImportChanges {
  channels: KindCounts;
  groups: KindCounts;
  apiKeys: KindCounts;
  prices: KindCounts;
  settings: KindCounts;
}

interface RowPlan<T, K = number> {
  create: T[];
  update: T[];
  delete: K[];
}

/** The writes of an import, ids final (members refer to final channel ids). */
export interface ImportPlan {
  channels: RowPlan<PlainChannel>;
  groups: RowPlan<PlainGroup>;
  apiKeys: RowPlan<PlainApiKey>;
  prices: RowPlan<PlainPrice, string>;
  /** The settings to store, or null to leave them. */
  settings: PlainSettings | null;
}

/** Thrown with every problem found in the incoming configuration (nothing is written). */
export class InvalidImportError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.slice(0, 10).join('; ') + (problems.length > 10 ? `; and ${problems.length - 10} more` : ''));
    this.name = 'InvalidImportError';
  }
}

/** JSON with object keys sorted: equal text ⇔ equal value (for change detection). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, (x as Record<string, unknown>)[k]]))
    : x));
}

/** The problems of the incoming image on its own (names, references, values the admin API would refuse). */
function check(image: ConfigImage): string[] {
  const problems: string[] = [];
  const dup = (kind: string, values: (string | number)[]) => {
    const seen = new Set<string | number>();
    for (const v of values) {
      if (seen.has(v)) problems.push(`${kind} ${JSON.stringify(v)} appears twice`);
      seen.add(v);
    }
  };
  dup('channel id', image.channels.map((c) => c.id));
  dup('channel name', image.channels.map((c) => c.name));
  dup('group id', image.groups.map((g) => g.id));
  dup('group name', image.groups.map((g) => g.name));
  dup('client key id', image.apiKeys.map((k) => k.id));
  dup('client key hash', image.apiKeys.map((k) => k.keyHash));
  dup('price of model', image.prices.map((p) => p.model));

  for (const ch of image.channels) {
    const at = `channel "${ch.name}"`;
    if (!HttpUrl.safeParse(ch.baseUrl).success) problems.push(`${at}: baseUrl must be an http(s) URL without credentials`);
    const headers = ChannelHeaders.safeParse(ch.headers);
    if (!headers.success) problems.push(`${at}: headers: ${headers.error.issues[0]?.message ?? 'invalid'}`);
    else if (Object.keys(ch.headers).some((n) => n !== n.toLowerCase())) problems.push(`${at}: header names must be lower-case`);
    if (ch.modelFilter !== null && !RegexSource.safeParse(ch.modelFilter).success) problems.push(`${at}: modelFilter is not a valid regular expression`);
    for (const k of ch.keys) if (k.key.trim() === '' || k.key.length > 4096) problems.push(`${at}: key ${k.id} is empty or longer than 4096 characters`);
    dup(`${at}: key id`, ch.keys.map((k) => k.id));
    const oi = overridesIssue(ch.overrides);
    if (oi) problems.push(`${at}: overrides.${oi.path.join('.')}: ${oi.message}`);
    if (ch.proxy !== null && typeof parseProxyUrl(ch.proxy) === 'string') problems.push(`${at}: proxy: ${parseProxyUrl(ch.proxy) as string}`);
    for (const [i, e] of (ch.endpoints ?? []).entries()) {
      if (!HttpUrl.safeParse(e.baseUrl).success) problems.push(`${at}: endpoints.${i}.baseUrl must be an http(s) URL without credentials`);
    }
    dup(`${at}: endpoint type`, (ch.endpoints ?? []).map((e) => e.type));
    const ep = endpointsProblem(ch.type, ch.endpoints);
    if (ep) problems.push(`${at}: ${ep}`);
  }
  const channelIds = new Set(image.channels.map((c) => c.id));
  for (const g of image.groups) {
    for (const [i, m] of g.members.entries()) {
      if (!channelIds.has(m.channelId)) problems.push(`group "${g.name}": members.${i}.channelId ${m.channelId} is no channel of the file`);
      const oi = overridesIssue(m.overrides);
      if (oi) problems.push(`group "${g.name}": members.${i}.overrides.${oi.path.join('.')}: ${oi.message}`);
    }
  }
  if (image.settings?.proxy && typeof parseProxyUrl(image.settings.proxy) === 'string') problems.push(`settings: proxy: ${parseProxyUrl(image.settings.proxy) as string}`);
  return problems;
}

/** Hands out ids: the wanted one when free, else one past the highest ever seen. */
function idAllocator(taken: Iterable<number>) {
  const used = new Set(taken);
  let next = Math.max(0, ...used) + 1;
  return (wanted: number): number => {
    if (!used.has(wanted)) {
      used.add(wanted);
      next = Math.max(next, wanted + 1);
      return wanted;
    }
    while (used.has(next)) next++;
    used.add(next);
    return next++;
  };
}

function counts(create: number, update: number, del: number, unchanged: number): KindCounts {
  return { create, update, delete: del, unchanged };
}

/**
 * The plan and its counts for importing `incoming` over `current` in `mode`.
 * @throws InvalidImportError listing every problem (nothing may be written then).
 */
export function planImport(current: ConfigImage & { settings: PlainSettings }, incoming: ConfigImage, mode: ImportMode): { plan: ImportPlan; changes: ImportChanges } {
  const problems = check(incoming);
  if (problems.length > 0) throw new InvalidImportError(problems);
  const replace = mode === 'replace';

  // ---- channels
  const curChannels = new Map(current.channels.map((c) => [c.name, c]));
  const inChannelNames = new Set(incoming.channels.map((c) => c.name));
  const channelDelete = replace ? current.channels.filter((c) => !inChannelNames.has(c.name)).map((c) => c.id) : [];
  const channelIds = idAllocator(current.channels.map((c) => c.id).filter((id) => !channelDelete.includes(id)));
  /** file channel id → final id */
  const channelMap = new Map<number, number>();
  const channels: RowPlan<PlainChannel> = { create: [], update: [], delete: channelDelete };
  let channelsSame = 0;
  for (const ch of incoming.channels) {
    const cur = curChannels.get(ch.name);
    if (cur) {
      channelMap.set(ch.id, cur.id);
      const next = { ...ch, id: cur.id };
      if (canonical(next) === canonical(cur)) channelsSame++;
      else channels.update.push(next);
    }
  }
  for (const ch of incoming.channels) {
    if (curChannels.has(ch.name)) continue;
    const id = channelIds(ch.id);
    channelMap.set(ch.id, id);
    channels.create.push({ ...ch, id });
  }

  // ---- groups (members re-pointed at final channel ids)
  const curGroups = new Map(current.groups.map((g) => [g.name, g]));
  const inGroupNames = new Set(incoming.groups.map((g) => g.name));
  const groupDelete = replace ? current.groups.filter((g) => !inGroupNames.has(g.name)).map((g) => g.id) : [];
  const groupIds = idAllocator(current.groups.map((g) => g.id).filter((id) => !groupDelete.includes(id)));
  const groups: RowPlan<PlainGroup> = { create: [], update: [], delete: groupDelete };
  let groupsSame = 0;
  const repoint = (g: PlainGroup): PlainGroup => ({ ...g, members: g.members.map((m) => ({ ...m, channelId: channelMap.get(m.channelId)! })) });
  for (const g of incoming.groups) {
    const cur = curGroups.get(g.name);
    if (!cur) continue;
    const next = repoint({ ...g, id: cur.id });
    if (canonical(next) === canonical(cur)) groupsSame++;
    else groups.update.push(next);
  }
  for (const g of incoming.groups) if (!curGroups.has(g.name)) groups.create.push(repoint({ ...g, id: groupIds(g.id) }));

  // Names and aliases stay unambiguous across the groups there will be (admin/group-names.ts).
  const after = [
    ...current.groups.filter((g) => !groupDelete.includes(g.id) && !groups.update.some((u) => u.id === g.id)),
    ...groups.update, ...groups.create,
  ].map((g) => ({ id: g.id, name: g.name, aliases: g.aliases }) as Group);
  const clashes: string[] = [];
  for (const g of [...groups.update, ...groups.create]) {
    const clash = nameClash(after, g.id, g.name, g.aliases);
    if (clash) clashes.push(`group "${g.name}": ${clash}`);
  }
  if (clashes.length > 0) throw new InvalidImportError(clashes);

  // ---- client keys (by hash)
  const curKeys = new Map(current.apiKeys.map((k) => [k.keyHash, k]));
  const inHashes = new Set(incoming.apiKeys.map((k) => k.keyHash));
  const keyDelete = replace ? current.apiKeys.filter((k) => !inHashes.has(k.keyHash)).map((k) => k.id) : [];
  const keyIds = idAllocator(current.apiKeys.map((k) => k.id).filter((id) => !keyDelete.includes(id)));
  const apiKeys: RowPlan<PlainApiKey> = { create: [], update: [], delete: keyDelete };
  let keysSame = 0;
  const keyFields = (k: PlainApiKey) => canonical({ ...k, id: 0, createdAt: 0, lastUsedAt: 0 });
  for (const k of incoming.apiKeys) {
    const cur = curKeys.get(k.keyHash);
    if (cur) {
      if (keyFields(k) === keyFields(cur)) keysSame++;
      else apiKeys.update.push({ ...k, id: cur.id, createdAt: cur.createdAt, lastUsedAt: cur.lastUsedAt });
    }
  }
  for (const k of incoming.apiKeys) if (!curKeys.has(k.keyHash)) apiKeys.create.push({ ...k, id: keyIds(k.id) });

  // ---- user prices (by model)
  const curPrices = new Map(current.prices.map((p) => [p.model, p]));
  const inModels = new Set(incoming.prices.map((p) => p.model));
  const prices: RowPlan<PlainPrice, string> = { create: [], update: [], delete: replace ? current.prices.filter((p) => !inModels.has(p.model)).map((p) => p.model) : [] };
  let pricesSame = 0;
  for (const p of incoming.prices) {
    const cur = curPrices.get(p.model);
    if (!cur) prices.create.push(p);
    else if (canonical(cur.price) === canonical(p.price)) pricesSame++;
    else prices.update.push(p);
  }

  // ---- settings (fields the import does not name keep their value)
  const nextSettings: PlainSettings = { ...current.settings, ...(incoming.settings ?? {}) };
  const settingsChanged = canonical(nextSettings) !== canonical(current.settings);

  return {
    plan: { channels, groups, apiKeys, prices, settings: settingsChanged ? nextSettings : null },
    changes: {
      channels: counts(channels.create.length, channels.update.length, channels.delete.length, channelsSame),
      groups: counts(groups.create.length, groups.update.length, groups.delete.length, groupsSame),
      apiKeys: counts(apiKeys.create.length, apiKeys.update.length, apiKeys.delete.length, keysSame),
      prices: counts(prices.create.length, prices.update.length, prices.delete.length, pricesSame),
      settings: counts(0, settingsChanged ? 1 : 0, 0, settingsChanged ? 0 : 1),
    },
  };
}
