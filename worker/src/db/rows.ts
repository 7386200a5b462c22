/**
 * Row ↔ domain mapping shared by every dialect's store. Rows are the shapes drizzle returns for the
 * SQLite schema; the MySQL and PostgreSQL schemas produce the same shapes (numbers, strings,
 * booleans, null), which their store modules check at compile time. Pure: no queries here.
 */
import type { Price } from '../accounting/cost';
import type { ModelsDevPrice } from '../accounting/modelsdev';
import type { RequestRecord, StatsCounters, StatsDelta } from '../accounting/records';
import type { SummaryCounters } from './store';
import type * as t from './schema.sqlite';
import { asStoredProxy } from '../lib/proxy';
import { attemptChannelsOf } from './log-filter';
import type { ChannelEndpoint, ApiKey, ApiKeyPatch, Channel, ChannelCheckResult, ChannelHealthState, ChannelOverrides, HealthCheckConfig, ChannelPatch, ChannelType, Group, GroupMember, GroupMode } from './types';

export type ChannelRow = typeof t.channels.$inferSelect;
export type GroupRow = typeof t.groups.$inferSelect;
export type MemberRow = typeof t.groupMembers.$inferSelect;
export type ApiKeyRow = typeof t.apiKeys.$inferSelect;
export type LogRow = typeof t.requestLogs.$inferSelect;
export type PriceRow = typeof t.prices.$inferSelect;
export type CheckRow = typeof t.channelChecks.$inferSelect;

/** The JSON in `text`, or `fallback` when it is null or not JSON. */
export function parseJson<T>(text: string | null, fallback: T): T {
  if (text == null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toChannel(r: ChannelRow): Channel {
  return {
    id: r.id, name: r.name, type: r.type as ChannelType, baseUrl: r.baseUrl,
    keys: parseJson(r.keys, []), models: parseJson(r.models, []), headers: parseJson(r.headers, {}),
    modelFilter: r.modelFilter, overrides: parseJson<ChannelOverrides | null>(r.overrides, null),
    proxy: asStoredProxy(parseJson<unknown>(r.proxy, null)),
    endpoints: parseJson<ChannelEndpoint[] | null>(r.endpoints, null),
    healthCheck: parseJson<HealthCheckConfig | null>(r.healthCheck, null), healthState: parseJson<ChannelHealthState | null>(r.healthState, null),
    enabled: r.enabled, createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

export function toMember(r: MemberRow): GroupMember {
  return {
    id: r.id, groupId: r.groupId, channelId: r.channelId, upstreamModel: r.upstreamModel,
    priority: r.priority, weight: r.weight, overrides: parseJson<ChannelOverrides | null>(r.overrides, null),
    protocol: (r.protocol as ChannelType | null) ?? null, enabled: r.enabled,
  };
}

/** The `overrides` column value: JSON, or null for none. */
export function overridesColumn(o: ChannelOverrides | null | undefined): string | null {
  return o ? JSON.stringify(o) : null;
}

/** `members` must be the group's own rows, in the order to keep (by id). */
export function toGroup(r: GroupRow, members: MemberRow[]): Group {
  return {
    id: r.id, name: r.name, mode: r.mode as GroupMode, settings: parseJson(r.settings, {}),
    aliases: parseJson<string[] | null>(r.aliases, null) ?? [], patterns: parseJson<string[] | null>(r.patterns, null) ?? [], enabled: r.enabled,
    members: members.map(toMember), createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

export function toApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id, name: r.name, keyHash: r.keyHash, keyPrefix: r.keyPrefix, expiresAt: r.expiresAt,
    allowedGroups: parseJson<string[] | null>(r.allowedGroups, null), budgetNanoUsd: r.budgetNanoUsd,
    rpmLimit: r.rpmLimit, tpmLimit: r.tpmLimit, enabled: r.enabled, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt,
  };
}

/** Column values for the fields present in a channel patch (JSON fields serialised). */
export function channelColumns(c: ChannelPatch) {
  return {
    ...(c.name !== undefined && { name: c.name }),
    ...(c.type !== undefined && { type: c.type }),
    ...(c.baseUrl !== undefined && { baseUrl: c.baseUrl }),
    ...(c.keys !== undefined && { keys: JSON.stringify(c.keys) }),
    ...(c.models !== undefined && { models: JSON.stringify(c.models) }),
    ...(c.headers !== undefined && { headers: JSON.stringify(c.headers) }),
    ...(c.modelFilter !== undefined && { modelFilter: c.modelFilter }),
    ...(c.overrides !== undefined && { overrides: overridesColumn(c.overrides) }),
    ...(c.proxy !== undefined && { proxy: c.proxy ? JSON.stringify(c.proxy) : null }),
    ...(c.endpoints !== undefined && { endpoints: c.endpoints?.length ? JSON.stringify(c.endpoints) : null }),
    ...(c.healthCheck !== undefined && { healthCheck: c.healthCheck ? JSON.stringify(c.healthCheck) : null }),
    ...(c.healthState === null && { healthState: null }),
    ...(c.enabled !== undefined && { enabled: c.enabled }),
  };
}

/** A name list as its nullable JSON column: null for none, so a group without aliases or patterns stores nothing. */
export function nameListColumn(list: string[] | undefined): string | null {
  return list && list.length > 0 ? JSON.stringify(list) : null;
}

/** Column values for the fields present in an API key patch. */
export function apiKeyColumns(k: ApiKeyPatch) {
  return {
    ...(k.name !== undefined && { name: k.name }),
    ...(k.expiresAt !== undefined && { expiresAt: k.expiresAt }),
    ...(k.allowedGroups !== undefined && { allowedGroups: k.allowedGroups === null ? null : JSON.stringify(k.allowedGroups) }),
    ...(k.budgetNanoUsd !== undefined && { budgetNanoUsd: k.budgetNanoUsd }),
    ...(k.rpmLimit !== undefined && { rpmLimit: k.rpmLimit }),
    ...(k.tpmLimit !== undefined && { tpmLimit: k.tpmLimit }),
    ...(k.enabled !== undefined && { enabled: k.enabled }),
  };
}

/**
 * Free text as every dialect can store it: PostgreSQL refuses U+0000 in TEXT, and one such log
 * would fail its whole flush again and again, so NULs become U+FFFD (in every dialect, alike).
 */
export function storableText<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' && text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text) as T;
}

/**
 * A record as a request log row (usage spread into token columns, attempts as JSON and their
 * channel ids as `,3,7,` in attempt_channels, bodies or
 * null). Error and bodies go through storableText.
 */
export function toLogRow(r: RequestRecord): typeof t.requestLogs.$inferInsert {
  return {
    id: r.id, time: r.time, apiKeyId: r.apiKeyId, groupName: r.groupName, channelId: r.channelId, upstreamModel: r.upstreamModel,
    protocolIn: r.protocolIn, protocolOut: r.protocolOut, stream: r.stream, status: r.status, attempts: JSON.stringify(r.attempts),
    attemptChannels: attemptChannelsOf(r.attempts.map((a) => a.channelId)),
    inputTokens: r.usage?.input ?? 0, cacheReadTokens: r.usage?.cacheRead ?? 0, cacheWriteTokens: r.usage?.cacheWrite ?? 0,
    outputTokens: r.usage?.output ?? 0, reasoningTokens: r.usage?.reasoning ?? 0, costNanoUsd: r.costNanoUsd,
    latencyMs: r.latencyMs, ttftMs: r.ttftMs, error: storableText(r.error),
    requestBody: storableText(r.requestBody ?? null), responseBody: storableText(r.responseBody ?? null),
    upstreamRequestBody: storableText(r.upstreamRequestBody ?? null),
  };
}

/** A request log row as a record; bodies are null when none were kept. */
export function fromLogRow(row: LogRow): RequestRecord {
  return {
    id: row.id, time: row.time, apiKeyId: row.apiKeyId ?? 0, groupName: row.groupName ?? '', channelId: row.channelId ?? 0,
    upstreamModel: row.upstreamModel ?? '', protocolIn: row.protocolIn as RequestRecord['protocolIn'],
    protocolOut: (row.protocolOut ?? null) as RequestRecord['protocolOut'], stream: row.stream, status: row.status,
    ok: row.status >= 200 && row.status < 300 && row.error === null,
    attempts: parseJson(row.attempts, []),
    usage: { input: row.inputTokens, cacheRead: row.cacheReadTokens, cacheWrite: row.cacheWriteTokens, output: row.outputTokens, reasoning: row.reasoningTokens },
    costNanoUsd: row.costNanoUsd, latencyMs: row.latencyMs, ttftMs: row.ttftMs ?? null, error: row.error ?? null,
    requestBody: row.requestBody ?? null, responseBody: row.responseBody ?? null, upstreamRequestBody: row.upstreamRequestBody ?? null,
  };
}

/** Splits price rows into user prices (by model) and models.dev prices (stored as `provider/model`). */
export function splitPrices(rows: PriceRow[]): { user: Map<string, Price>; modelsDev: ModelsDevPrice[] } {
  const user = new Map<string, Price>();
  const modelsDev: ModelsDevPrice[] = [];
  for (const r of rows) {
    const price: Price = { input: r.input, output: r.output, cacheRead: r.cacheRead, cacheWrite: r.cacheWrite };
    if (r.source === 'user') user.set(r.model, price);
    else {
      // models.dev rows are keyed `provider/model`: one model id can have several providers' prices.
      const at = r.model.indexOf('/');
      modelsDev.push({ provider: r.model.slice(0, at), model: r.model.slice(at + 1), price });
    }
  }
  return { user, modelsDev };
}

/** A models.dev price as a `prices` row. */
export function modelsDevPriceRow(p: ModelsDevPrice, at: number): PriceRow {
  return {
    model: `${p.provider}/${p.model}`, source: 'models.dev', input: p.price.input, output: p.price.output,
    cacheRead: p.price.cacheRead, cacheWrite: p.price.cacheWrite, updatedAt: at,
  };
}

/**
 * Aggregates as numbers: SUM comes back as a number (SQLite), a DECIMAL string (MySQL) or a
 * NUMERIC string (PostgreSQL); null (no rows) becomes 0. `key`, when present, becomes a string.
 */
export function numericRow<T>(r: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'key' ? String(v ?? '') : Number(v ?? 0)])) as T;
}

/** A summed stats row without its dimensions, shaped as a StatsDelta (`*`/0 keys) as statsSummary returns it. */
export function summaryRow(r: Record<string, unknown>): StatsDelta & SummaryCounters {
  return { hour: 0, groupName: '*', channelId: 0, upstreamModel: '*', apiKeyId: 0, ...numericRow<SummaryCounters & { hour?: number }>(r) } as StatsDelta & SummaryCounters;
}

export function toCheckResult(r: CheckRow): ChannelCheckResult {
  return { channelId: r.channelId, at: r.at, ok: r.ok, latencyMs: r.latencyMs, status: r.status, model: r.model, keyId: r.keyId, error: r.error };
}
