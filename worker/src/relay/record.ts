/** Builds the accounting record of a request from what the relay saw. */
import type { RequestRecord } from '../accounting/records';
import type { ResolvedVia } from '../config/resolve';
import type { Route } from '../db/types';
import type { ProtocolName, Usage } from '../protocols/canonical';
import type { AttemptOutcome } from '../routing/types';

/** What the relay knows once the client has its answer (or its stream ended). */
export interface FinalOutcome {
  status: number;
  ok: boolean;
  usage: Usage | null;
  /** ms since epoch of the first meaningful event, for streams. */
  firstEventAt?: number;
  error: string | null;
  /** The body the client got, already cut to the log size; only when the "log bodies" setting is on. */
  responseBody?: string;
}

export interface RecordContext {
  id: string;
  /** ms since epoch when the request arrived. */
  start: number;
  apiKeyId: number;
  route: Route;
  protocolIn: ProtocolName;
  stream: boolean;
  outcomes: AttemptOutcome[];
  /** The name the client asked for, when an alias or a pattern (not the group's own name) brought it. */
  requested?: { model: string; via: Exclude<ResolvedVia, 'name'>; pattern?: string };
}

/** The record; `now` is when the request ended (ms). Cost is left at 0 for the flush to price. */
export function buildRecord(ctx: RecordContext, final: FinalOutcome, now: number): RequestRecord {
  // A group has a handful of members: a search per attempt is cheaper than a Map per record.
  const members = ctx.route.group.members;
  const modelOf = (memberId: number) => members.find((m) => m.id === memberId)?.upstreamModel;
  const last = ctx.outcomes.at(-1);
  const channel = last ? ctx.route.channels.get(last.channelId) : undefined;
  return {
    id: ctx.id,
    time: ctx.start,
    apiKeyId: ctx.apiKeyId,
    groupName: ctx.route.group.name,
    channelId: last?.channelId ?? 0,
    upstreamModel: (last && modelOf(last.memberId)) ?? '',
    protocolIn: ctx.protocolIn,
    // The endpoint that served (a multi-protocol channel's may differ from its primary type).
    protocolOut: last?.endpointType ?? channel?.type ?? null,
    stream: ctx.stream,
    status: final.status,
    ok: final.ok,
    attempts: ctx.outcomes.map((o) => ({
      channelId: o.channelId, memberId: o.memberId, upstreamModel: modelOf(o.memberId) ?? '', status: o.status, ms: o.ms,
      ...(o.error !== undefined && { error: o.error }),
      ...(o.endpointType && { endpointType: o.endpointType }),
    })),
    usage: final.usage,
    costNanoUsd: 0,
    latencyMs: Math.max(0, now - ctx.start),
    ttftMs: final.firstEventAt !== undefined ? Math.max(0, final.firstEventAt - ctx.start) : null,
    error: final.error,
    ...(ctx.requested && { requested: ctx.requested }),
  };
}

/** Group id under which requests that never reached a group are recorded (bad key, bad body, unknown model). */
export const UNROUTED_GROUP_ID = 0;

/**
 * The record of a request refused before routing. `model` is what the client asked for (cut to
 * 200 characters: it is unvalidated input); `apiKeyId` is 0 when the key itself was refused.
 */
export function unroutedRecord(o: { start: number; now: number; apiKeyId: number; model: string; protocolIn: ProtocolName; stream: boolean; status: number; error: string }): RequestRecord {
  return {
    id: crypto.randomUUID(), time: o.start, apiKeyId: o.apiKeyId, groupName: o.model.slice(0, 200), channelId: 0, upstreamModel: '',
    protocolIn: o.protocolIn, protocolOut: null, stream: o.stream, status: o.status, ok: false, attempts: [], usage: null,
    costNanoUsd: 0, latencyMs: Math.max(0, o.now - o.start), ttftMs: null, error: o.error.slice(0, 500),
  };
}

/**
 * Log fields for the server tools a request's provider ran and bills per call (web searches:
 * `Usage.webSearchRequests`), or undefined when none ran. They are logged, not priced: models.dev
 * (the price source, accounting/modelsdev.ts) has no per-search price, and the stats rows have
 * no column for them.
 */
export function serverToolLogFields(record: RequestRecord): Record<string, unknown> | undefined {
  const searches = record.usage?.webSearchRequests ?? 0;
  if (searches <= 0) return undefined;
  return { requestId: record.id, group: record.groupName, channelId: record.channelId, upstreamModel: record.upstreamModel, webSearchRequests: searches };
}
