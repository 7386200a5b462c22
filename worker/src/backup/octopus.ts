/**
 * Import of an octopus export file (octopus: the Go + Next.js LLM gateway this project re-creates,
 * github.com/bestruirui/octopus). Its "database dump" JSON is read and mapped onto our
 * configuration; what has no counterpart here is reported as a warning, never silently lost.
 *
 * The format, as octopus' source defines it:
 * - internal/op/backup.go (`DBExportAll`, dump version 2): top level `version`, `exported_at`,
 *   `include_stats`, and the rows of `channels`, `groups`, `group_items`, `llm_infos`,
 *   `api_keys`, `settings` (plus `stats_*` when stats were included); `resetPostgresImportSequences`.
 * - internal/model/channel.go: `Channel` {id, name, type, enabled, base_urls [{url, delay}],
 *   keys [ChannelKey], model, custom_model (comma lists), proxy, auto_sync, auto_group,
 *   custom_header [{header_key, header_value}], param_override (JSON text), channel_proxy,
 *   match_regex}; `ChannelKey` {id, channel_id, enabled, channel_key, status_code,
 *   last_use_time_stamp, total_cost, remark}; `GetBaseUrl` picks the URL with the lowest delay.
 * - internal/transformer/outbound (OutboundType, iota): 0 OpenAI chat, 1 OpenAI responses,
 *   2 Anthropic, 3 Gemini, 4 Volcengine (Responses format), 5 OpenAI embedding; later values differ
 *   between versions.
 * - internal/model/group.go: `Group` {id, name, mode (1 round-robin, 2 random, 3 failover,
 *   4 weighted), match_regex, first_token_time_out (s), session_keep_time (s), items};
 *   `GroupItem` {id, group_id, channel_id, model_name, priority, weight}.
 * - internal/model/apikey.go: `APIKey` {id, name, api_key (the secret as is), enabled, expire_at
 *   (unix s, 0 never), max_cost (USD, 0 none), supported_models (comma list), rate_limit_rpm}.
 * - internal/model/llm.go: `LLMInfo` {name, input, output, cache_read, cache_write, call}: USD per
 *   1M tokens (call: USD per request).
 * - internal/model/setting.go: `Setting` {key, value (text)}; keys such as proxy_url,
 *   stats_save_interval (minutes), model_info_update_interval and sync_llm_interval (hours),
 *   relay_log_keep_period (days), circuit_breaker_threshold/cooldown/max_cooldown (s),
 *   relay_max_total_attempts.
 * Forks add tables and fields; unknown fields are ignored and unknown tables reported.
 */
import * as z from 'zod';
import { usdPerMillionToNano } from '../accounting/money';
import { GroupName, HttpUrl } from '../admin/schemas';
import { patternProblem } from '../admin/patterns';
import type { ChannelType, GroupMode, GroupSettings } from '../db/types';
import { sha256Hex } from '../lib/crypto';
import { overridesIssue } from '../lib/overrides';
import { parseProxyUrl } from '../lib/proxy';
import type { ConfigImage, PlainApiKey, PlainChannel, PlainGroup, PlainKey, PlainPrice, PlainSettings } from './image';

const int = z.number().int();
const text = z.string().max(65_536);

const OctopusKey = z.looseObject({
  id: int.optional(),
  channel_id: int.optional(),
  enabled: z.boolean().optional(),
  channel_key: text,
});

const OctopusChannel = z.looseObject({
  id: int,
  name: z.string().max(1000),
  type: int,
  enabled: z.boolean().optional(),
  base_urls: z.array(z.looseObject({ url: z.string().max(4096), delay: z.number().optional() })).nullish(),
  keys: z.array(OctopusKey).nullish(),
  model: text.nullish(),
  custom_model: text.nullish(),
  auto_sync: z.boolean().nullish(),
  auto_group: int.nullish(),
  custom_header: z.array(z.looseObject({ header_key: z.string().max(1000), header_value: text })).nullish(),
  param_override: text.nullish(),
  channel_proxy: z.string().max(4096).nullish(),
  match_regex: z.string().max(4096).nullish(),
  request_rewrite: z.looseObject({ enabled: z.boolean().optional() }).nullish(),
});

const OctopusItem = z.looseObject({
  group_id: int.optional(),
  channel_id: int,
  model_name: z.string().max(1000),
  priority: int.optional(),
  weight: int.optional(),
});

const OctopusGroup = z.looseObject({
  id: int,
  name: z.string().max(1000),
  mode: int.optional(),
  match_regex: z.string().max(4096).nullish(),
  first_token_time_out: int.nullish(),
  session_keep_time: int.nullish(),
  items: z.array(OctopusItem).nullish(),
});

const OctopusApiKey = z.looseObject({
  id: int,
  name: z.string().max(1000),
  api_key: z.string().max(4096),
  enabled: z.boolean().optional(),
  expire_at: int.nullish(),
  max_cost: z.number().nullish(),
  supported_models: text.nullish(),
  rate_limit_rpm: int.nullish(),
});

const OctopusPrice = z.looseObject({
  name: z.string().max(1000),
  input: z.number().nullish(),
  output: z.number().nullish(),
  cache_read: z.number().nullish(),
  cache_write: z.number().nullish(),
  call: z.number().nullish(),
});

/** An octopus export (DBDump), as far as it is read. */
export const OctopusDump = z.looseObject({
  version: int,
  exported_at: z.string().optional(),
  channels: z.array(OctopusChannel).nullish(),
  channel_keys: z.array(OctopusKey).nullish(),
  groups: z.array(OctopusGroup).nullish(),
  group_items: z.array(OctopusItem).nullish(),
  llm_infos: z.array(OctopusPrice).nullish(),
  api_keys: z.array(OctopusApiKey).nullish(),
  settings: z.array(z.looseObject({ key: z.string().max(200), value: text })).nullish(),
});
export type OctopusDump = z.infer<typeof OctopusDump>;

/** Top-level fields that are read (or are format metadata). */
const READ = new Set(['version', 'exported_at', 'include_logs', 'include_stats', 'channels', 'channel_keys', 'groups', 'group_items', 'llm_infos', 'api_keys', 'settings']);

const TYPES: Record<number, { type: ChannelType; note?: string }> = {
  0: { type: 'openai-chat' },
  1: { type: 'openai-responses' },
  2: { type: 'anthropic' },
  3: { type: 'gemini' },
  4: { type: 'openai-responses', note: 'a Volcengine channel became an OpenAI Responses channel (the format octopus speaks to it)' },
  5: { type: 'openai-chat', note: 'an OpenAI embedding channel became an OpenAI Chat channel (it serves /v1/embeddings too)' },
};
const MODES: Record<number, GroupMode> = { 1: 'round-robin', 2: 'random', 3: 'failover', 4: 'weighted' };

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const list = (s: string | null | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
const isSealed = (s: string) => s.startsWith('enc:');

/** Octopus settings mapped onto ours (value text → our field), and onto every imported group. */
function mapSettings(rows: NonNullable<OctopusDump['settings']>, warnings: string[]): { settings: Partial<PlainSettings>; group: GroupSettings } {
  const settings: Partial<PlainSettings> = {};
  const group: GroupSettings = {};
  const unmapped: string[] = [];
  for (const { key, value } of rows) {
    const n = Number(value);
    const num = value.trim() !== '' && Number.isFinite(n) ? Math.round(n) : null;
    switch (key) {
      case 'relay_log_keep_period': if (num !== null && num > 0) settings.logRetentionDays = clamp(num, 1, 3650); break;
      case 'stats_save_interval': if (num !== null && num > 0) settings.statsSaveIntervalSeconds = clamp(num * 60, 5, 3600); break;
      case 'model_info_update_interval': if (num !== null && num > 0) settings.priceSyncIntervalHours = clamp(num, 1, 720); break;
      case 'sync_llm_interval': if (num !== null && num > 0) settings.modelSyncIntervalHours = clamp(num, 1, 720); break;
      case 'proxy_url': {
        if (value.trim() === '') break;
        if (typeof parseProxyUrl(value) === 'string') warnings.push('settings: proxy_url is not a proxy URL this gateway accepts; left out');
        else settings.proxy = value.trim();
        break;
      }
      case 'circuit_breaker_threshold': if (num !== null && num > 0) group.breakerThreshold = clamp(num, 1, 100); break;
      case 'circuit_breaker_cooldown': if (num !== null && num > 0) group.breakerBaseMs = clamp(num * 1000, 100, 3_600_000); break;
      case 'circuit_breaker_max_cooldown': if (num !== null && num > 0) group.breakerCapMs = clamp(num * 1000, 100, 86_400_000); break;
      case 'relay_max_total_attempts': if (num !== null && num > 0) group.maxAttempts = clamp(num, 1, 20); break;
      case 'relay_log_keep_enabled':
        if (value === 'false') warnings.push('settings: relay_log_keep_enabled is false in octopus; this gateway always keeps request logs for the retention period');
        break;
      default:
        if (value.trim() !== '') unmapped.push(key);
    }
  }
  if (Object.keys(group).length > 0) warnings.push('settings: octopus\' gateway-wide circuit breaker and attempt settings were applied to every imported group (they are per group here)');
  if (unmapped.length > 0) warnings.push(`settings not imported (no counterpart here): ${unmapped.join(', ')}`);
  return { settings, group };
}

function mapChannel(c: z.infer<typeof OctopusChannel>, extraKeys: z.infer<typeof OctopusKey>[], warnings: string[]): PlainChannel | null {
  const at = `channel "${c.name}"`;
  const name = c.name.trim().slice(0, 100);
  if (name === '') {
    warnings.push(`channel ${c.id}: has no name; left out`);
    return null;
  }
  const t = TYPES[c.type];
  if (!t) {
    warnings.push(`${at}: octopus channel type ${c.type} has no counterpart here (OpenAI Chat, OpenAI Responses, Anthropic, Gemini); left out`);
    return null;
  }
  if (t.note) warnings.push(`${at}: ${t.note}`);
  const urls = (c.base_urls ?? []).filter((u) => u.url.trim() !== '').sort((a, b) => (a.delay ?? 0) - (b.delay ?? 0));
  const baseUrl = urls[0]?.url.trim().replace(/\/+$/, '') ?? '';
  if (!HttpUrl.safeParse(baseUrl).success) {
    warnings.push(`${at}: has no usable http(s) base URL; left out`);
    return null;
  }
  if (urls.length > 1) warnings.push(`${at}: ${urls.length} base URLs; only the fastest (${baseUrl}) was kept (one base URL per channel here)`);

  const keys: PlainKey[] = [];
  let sealedKeys = 0;
  for (const [i, k] of [...(c.keys ?? []), ...extraKeys].entries()) {
    const secret = k.channel_key.trim();
    if (secret === '' || secret.length > 4096) continue;
    if (isSealed(secret)) {
      sealedKeys++;
      continue;
    }
    if (keys.some((x) => x.key === secret)) continue;
    keys.push({ id: `octopus-${k.id ?? i}`, key: secret, enabled: k.enabled ?? true });
  }
  if (sealedKeys > 0) warnings.push(`${at}: ${sealedKeys} key(s) were exported encrypted by octopus and cannot be read; add them again`);
  let enabled = c.enabled ?? true;
  if (keys.length === 0) {
    warnings.push(`${at}: has no usable key; imported disabled`);
    enabled = false;
  }

  const headers: Record<string, string> = {};
  for (const h of c.custom_header ?? []) {
    const n = h.header_key.trim().toLowerCase();
    if (!/^[a-z0-9-]{1,100}$/.test(n) || /[\r\n\0]/.test(h.header_value) || h.header_value.length > 4096) {
      warnings.push(`${at}: header "${h.header_key.slice(0, 100)}" is not a valid header; left out`);
      continue;
    }
    headers[n] = h.header_value;
  }

  let overrides: PlainChannel['overrides'] = null;
  if (c.param_override && c.param_override.trim() !== '') {
    let body: unknown;
    try {
      body = JSON.parse(c.param_override);
    } catch {
      body = undefined;
    }
    const candidate = body && typeof body === 'object' && !Array.isArray(body) ? { body: body as Record<string, unknown> } : null;
    const issue = candidate ? overridesIssue(candidate) : { path: [], message: 'is not a JSON object' };
    if (issue) warnings.push(`${at}: param_override could not become a body override (${[...issue.path].join('.') || 'param_override'}: ${issue.message}); left out`);
    else overrides = candidate;
  }

  let proxy: string | null = null;
  if (c.channel_proxy && c.channel_proxy.trim() !== '') {
    if (typeof parseProxyUrl(c.channel_proxy) === 'string') warnings.push(`${at}: channel_proxy is not a proxy URL this gateway accepts; left out`);
    else proxy = c.channel_proxy.trim();
  }
  const notMapped = [
    c.auto_sync && 'auto_sync (the model-list sync runs for every channel here)',
    (c.auto_group ?? 0) !== 0 && 'auto_group',
    c.match_regex && c.match_regex.trim() !== '' && 'match_regex',
    c.request_rewrite?.enabled && 'request_rewrite',
  ].filter(Boolean);
  if (notMapped.length > 0) warnings.push(`${at}: not imported: ${notMapped.join(', ')}`);

  const models = [...new Set([...list(c.model), ...list(c.custom_model)].filter((m) => m.length <= 200))];
  return { id: c.id, name, type: t.type, baseUrl, keys, models, headers, modelFilter: null, overrides, proxy, healthCheck: null, endpoints: null, enabled };
}

function mapGroup(g: z.infer<typeof OctopusGroup>, items: z.infer<typeof OctopusItem>[], channels: Map<number, PlainChannel>, shared: GroupSettings, warnings: string[]): PlainGroup | null {
  const at = `group "${g.name}"`;
  const name = GroupName.safeParse(g.name);
  if (!name.success) {
    warnings.push(`${at}: the name cannot be a model name here (${name.error.issues[0]?.message ?? 'invalid'}); left out`);
    return null;
  }
  let mode = MODES[g.mode ?? 1];
  if (!mode) {
    warnings.push(`${at}: octopus mode ${g.mode} has no counterpart here; imported as round-robin`);
    mode = 'round-robin';
  }
  const settings: GroupSettings = { ...shared };
  if (g.first_token_time_out && g.first_token_time_out > 0) settings.firstByteTimeoutMs = clamp(g.first_token_time_out * 1000, 1000, 3_600_000);
  if (g.session_keep_time && g.session_keep_time > 0) settings.stickyTtlMs = clamp(g.session_keep_time * 1000, 0, 86_400_000);
  const patterns: string[] = [];
  if (g.match_regex && g.match_regex.trim() !== '') {
    const problem = patternProblem(g.match_regex);
    if (problem) warnings.push(`${at}: match_regex ${problem}; left out`);
    else patterns.push(g.match_regex);
  }
  const members: PlainGroup['members'] = [];
  const seen = new Set<string>();
  for (const it of items) {
    const model = it.model_name.trim();
    if (!channels.has(it.channel_id)) {
      warnings.push(`${at}: a member points at channel ${it.channel_id}, which was not imported; left out`);
      continue;
    }
    if (model === '' || model.length > 200 || seen.has(`${it.channel_id}|${model}`)) continue;
    seen.add(`${it.channel_id}|${model}`);
    members.push({ channelId: it.channel_id, upstreamModel: model, priority: clamp(it.priority ?? 0, -1000, 1000), weight: clamp(it.weight || 1, 1, 1000), overrides: null, protocol: null, enabled: true });
  }
  if (members.length > 200) {
    warnings.push(`${at}: ${members.length} members; only the first 200 were kept`);
    members.length = 200;
  }
  return { id: g.id, name: name.data, mode, settings, aliases: [], patterns, enabled: true, members };
}

async function mapApiKey(k: z.infer<typeof OctopusApiKey>, warnings: string[]): Promise<PlainApiKey | null> {
  const at = `client key "${k.name}"`;
  const secret = k.api_key.trim();
  if (secret === '' || isSealed(secret)) {
    warnings.push(`${at}: the key itself is ${secret === '' ? 'empty' : 'encrypted by octopus'} in the file; left out (create a new one)`);
    return null;
  }
  const allowed = list(k.supported_models);
  const badNames = allowed.filter((m) => !GroupName.safeParse(m).success);
  if (badNames.length > 0) warnings.push(`${at}: supported models ${badNames.join(', ')} cannot be group names here; left out of its allowed groups`);
  const name = k.name.trim().slice(0, 100) || `octopus key ${k.id}`;
  return {
    id: k.id, name, keyHash: await sha256Hex(secret), keyPrefix: secret.slice(0, 10),
    expiresAt: k.expire_at && k.expire_at > 0 ? k.expire_at * 1000 : null,
    allowedGroups: allowed.length > 0 ? allowed.filter((m) => GroupName.safeParse(m).success) : null,
    budgetNanoUsd: k.max_cost && k.max_cost > 0 ? Math.round(Math.min(k.max_cost, 1e6) * 1e9) : null,
    rpmLimit: k.rate_limit_rpm && k.rate_limit_rpm > 0 ? Math.min(k.rate_limit_rpm, 1_000_000) : null,
    tpmLimit: null, enabled: k.enabled ?? true, createdAt: Date.now(), lastUsedAt: null,
  };
}

/**
 * The configuration in an octopus export, with warnings for everything left out or changed. Plain
 * client keys are hashed here (SHA-256, as ours are stored), so clients keep their keys.
 */
export async function mapOctopus(dump: OctopusDump): Promise<{ image: ConfigImage; warnings: string[] }> {
  const warnings: string[] = [];
  const skipped = Object.entries(dump).filter(([k, v]) => !READ.has(k) && ((Array.isArray(v) && v.length > 0) || (v && typeof v === 'object' && !Array.isArray(v))));
  if (skipped.length > 0) warnings.push(`not imported (no counterpart here): ${skipped.map(([k, v]) => (Array.isArray(v) ? `${k} (${v.length})` : k)).join(', ')}`);

  const { settings, group: shared } = mapSettings(dump.settings ?? [], warnings);

  const keysByChannel = new Map<number, z.infer<typeof OctopusKey>[]>();
  for (const k of dump.channel_keys ?? []) if (k.channel_id !== undefined) keysByChannel.set(k.channel_id, [...(keysByChannel.get(k.channel_id) ?? []), k]);
  const channels = new Map<number, PlainChannel>();
  const names = new Set<string>();
  for (const c of dump.channels ?? []) {
    const ch = mapChannel(c, keysByChannel.get(c.id) ?? [], warnings);
    if (!ch) continue;
    if (names.has(ch.name) || channels.has(ch.id)) {
      warnings.push(`channel "${ch.name}": a second channel with this name or id; left out`);
      continue;
    }
    names.add(ch.name);
    channels.set(ch.id, ch);
  }

  const itemsByGroup = new Map<number, z.infer<typeof OctopusItem>[]>();
  for (const it of dump.group_items ?? []) if (it.group_id !== undefined) itemsByGroup.set(it.group_id, [...(itemsByGroup.get(it.group_id) ?? []), it]);
  const groups: PlainGroup[] = [];
  for (const g of dump.groups ?? []) {
    // Items come nested (`items`) or as their own table (`group_items`), depending on the version.
    const items = [...(g.items ?? []), ...(itemsByGroup.get(g.id) ?? [])];
    const mapped = mapGroup(g, items, channels, shared, warnings);
    if (mapped && !groups.some((x) => x.name === mapped.name || x.id === mapped.id)) groups.push(mapped);
  }

  const apiKeys: PlainApiKey[] = [];
  for (const k of dump.api_keys ?? []) {
    const mapped = await mapApiKey(k, warnings);
    if (mapped && !apiKeys.some((x) => x.keyHash === mapped.keyHash || x.id === mapped.id)) apiKeys.push(mapped);
  }

  const prices: PlainPrice[] = [];
  let callPriced = 0;
  for (const p of dump.llm_infos ?? []) {
    const model = p.name.trim();
    if (model === '' || model.length > 200 || prices.some((x) => x.model === model)) continue;
    try {
      const input = usdPerMillionToNano(p.input ?? 0);
      prices.push({
        model,
        price: {
          input, output: usdPerMillionToNano(p.output ?? 0),
          cacheRead: p.cache_read ? usdPerMillionToNano(p.cache_read) : input, cacheWrite: p.cache_write ? usdPerMillionToNano(p.cache_write) : input,
        },
      });
    } catch {
      warnings.push(`price of "${model}": not a valid price; left out`);
      continue;
    }
    if (p.call) callPriced++;
  }
  if (prices.length > 0) warnings.push(`${prices.length} octopus prices were imported as user prices (they override models.dev prices); delete those you do not want to pin on the Prices page`);
  if (callPriced > 0) warnings.push(`${callPriced} price(s) had a per-request price ("call"), which this gateway does not charge; left out`);

  return { image: { channels: [...channels.values()], groups, apiKeys, prices, settings: Object.keys(settings).length > 0 ? settings : null }, warnings };
}
