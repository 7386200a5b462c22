/**
 * What one client request leaves behind for accounting: a request log row, and its share of the
 * hourly stats rows. Pure. Tokens are counts; money is integer nano-USD; times are ms.
 */
import type { ProtocolName, Usage } from '../protocols/canonical';

/** One attempt on a channel, as the log shows it. */
export interface AttemptLog {
  channelId: number;
  memberId: number;
  upstreamModel: string;
  status: number;
  ms: number;
  error?: string;
  /** The channel endpoint's protocol that served the attempt (issue 14.5); absent in older logs. */
  endpointType?: ProtocolName;
}

/** Everything accounting needs to know about one finished client request. */
export interface RequestRecord {
  /** Unique id; also the request log's primary key, so a replayed flush inserts it once. */
  id: string;
  /** ms since epoch when the request arrived. */
  time: number;
  apiKeyId: number;
  groupName: string;
  /** The channel that served (or last failed) the request; 0 when no channel was tried. */
  channelId: number;
  upstreamModel: string;
  protocolIn: ProtocolName;
  protocolOut: ProtocolName | null;
  stream: boolean;
  /** HTTP status the client got (200 for a stream that started, even if it failed later). */
  status: number;
  /** The request succeeded end to end (a stream that broke mid-way did not). */
  ok: boolean;
  attempts: AttemptLog[];
  usage: Usage | null;
  /** Cost in nano-USD; filled in when the record is flushed (prices live in the database). */
  costNanoUsd: number;
  latencyMs: number;
  ttftMs: number | null;
  error: string | null;
  /**
   * How many requests this record stands for (default 1). Requests refused before their key was
   * accepted are aggregated into one record per reason and window (relay/refusals.ts); `latencyMs`
   * is then their total.
   */
  count?: number;
  /**
   * The model name the client sent, when an alias or a pattern brought it to `groupName` (with the
   * pattern that matched). Not a request log column: the group's holder keeps the recent pattern
   * catches from it (routing/catches.ts).
   */
  requested?: { model: string; via: 'alias' | 'pattern'; pattern?: string };
  /** The client's request body, cut to the log size; only when the "log bodies" setting is on. */
  requestBody?: string | null;
  /** The body the client got (a stream's bytes as sent), cut to the log size; same condition. */
  responseBody?: string | null;
  /**
   * The body sent to the channel of the last attempt, after conversion, the model swap and the
   * request overrides, cut to the log size; same condition, and only when it differs from the
   * client's body (byte for byte).
   */
  upstreamRequestBody?: string | null;
}

/** Additive counters of one stats row. */
export interface StatsCounters {
  /** Client requests whose final channel (0: none tried) is this row's. */
  requests: number;
  successes: number;
  /**
   * Failed requests (a client that closed the connection is not one) plus failed attempts that
   * failover moved past, each on its own channel's row: "failures seen here", not failed requests.
   */
  failures: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costNanoUsd: number;
  latencyMsTotal: number;
  ttftMsTotal: number;
  /** Upstream calls made on this row's channel (every attempt, the final one included). */
  attempts: number;
  /** Of `attempts`, those that failed (a non-2xx status, or the final call of a failed request). */
  failedAttempts: number;
  /**
   * Failed requests refused with a 4xx before any upstream call: a bad key (401), an unknown model
   * (404), a limit of ours (429), bad input (400). Always on rows of channel 0.
   */
  clientErrors: number;
  /**
   * Every other failed request: one that reached an upstream and failed (its status or a broken
   * stream reached the client), or a 5xx without an upstream call (no member available).
   * `failures - clientErrors - upstreamErrors` is therefore the failed attempts failover absorbed.
   */
  upstreamErrors: number;
  /** Requests that succeeded after at least one failed attempt (failover rescued them). */
  rescues: number;
}

/** The key of a stats row (DESIGN.md "Accounting"). `hour` is the start of the UTC hour, ms. */
export interface StatsKey {
  hour: number;
  groupName: string;
  channelId: number;
  upstreamModel: string;
  apiKeyId: number;
}

export type StatsDelta = StatsKey & StatsCounters;

const HOUR_MS = 3_600_000;

/** Status logged for a request whose client went away before the end (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

/** Start of the UTC hour containing `ms`. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function zero(): StatsCounters {
  return { requests: 0, successes: 0, failures: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costNanoUsd: 0, latencyMsTotal: 0, ttftMsTotal: 0, attempts: 0, failedAttempts: 0, clientErrors: 0, upstreamErrors: 0, rescues: 0 };
}

/** A 2xx attempt status: the upstream answered (a later stream break is the request's `ok`). */
function attemptOk(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * How one request ended, as the stats and the metrics count it: `succeeded`, `rescued` (succeeded
 * after a failed attempt), `client_error` (failed with a 4xx before any upstream was called: bad
 * key, unknown model, limits), `upstream_error` (any other failure), `client_closed` (the client
 * went away: nobody's failure, DESIGN.md).
 */
export type RequestOutcome = 'succeeded' | 'rescued' | 'client_error' | 'upstream_error' | 'client_closed';

/** The outcome of a finished request (see RequestOutcome). */
export function requestOutcome(r: RequestRecord): RequestOutcome {
  if (r.ok) return r.attempts.some((a) => !attemptOk(a.status)) ? 'rescued' : 'succeeded';
  if (r.status === CLIENT_CLOSED_STATUS) return 'client_closed';
  return r.attempts.length === 0 && r.status >= 400 && r.status < 500 ? 'client_error' : 'upstream_error';
}

/**
 * Sums records into stats row deltas. A request counts once, on the row of its final channel, with
 * its tokens, cost and timings; every failed attempt before it counts as a failure of its own
 * channel's row (so a flaky channel shows its failures even when a fallback saved the request).
 * Every attempt also counts in `attempts` (and `failedAttempts` when it failed) of its channel's
 * row; the final attempt failed when the request did (a client that went away fails nothing).
 * A failed request is a `clientErrors` when no upstream was called and its status is 4xx, else an
 * `upstreamErrors`; a successful one after a failed attempt is a `rescues`.
 */
export function aggregateStats(records: RequestRecord[]): StatsDelta[] {
  const rows = new Map<string, StatsDelta>();
  const row = (r: RequestRecord, channelId: number, upstreamModel: string) => {
    const key: StatsKey = { hour: hourOf(r.time), groupName: r.groupName, channelId, upstreamModel, apiKeyId: r.apiKeyId };
    const k = `${key.hour}|${key.groupName}|${key.channelId}|${key.upstreamModel}|${key.apiKeyId}`;
    let d = rows.get(k);
    if (!d) rows.set(k, (d = { ...key, ...zero() }));
    return d;
  };
  for (const r of records) {
    const final = row(r, r.channelId, r.upstreamModel);
    const n = r.count ?? 1;
    final.requests += n;
    const outcome = requestOutcome(r);
    const closed = outcome === 'client_closed';
    if (r.ok) {
      final.successes += n;
      if (outcome === 'rescued') final.rescues += n;
    } else if (!closed) {
      // A client that closed the connection is nobody's failure (DESIGN.md): counted as a request only.
      final.failures += n;
      if (outcome === 'client_error') final.clientErrors += n;
      else final.upstreamErrors += n;
    }
    const u = r.usage;
    if (u) {
      final.inputTokens += u.input;
      final.cacheReadTokens += u.cacheRead;
      final.cacheWriteTokens += u.cacheWrite;
      final.outputTokens += u.output;
      final.reasoningTokens += u.reasoning;
    }
    final.costNanoUsd += r.costNanoUsd;
    final.latencyMsTotal += r.latencyMs;
    final.ttftMsTotal += r.ttftMs ?? 0;
    // Earlier failed attempts on other channels (the last attempt is the final channel's own).
    r.attempts.forEach((a, i) => {
      const last = i === r.attempts.length - 1;
      const d = last && a.channelId === r.channelId ? final : row(r, a.channelId, a.upstreamModel);
      d.attempts += 1;
      if (last ? !r.ok && !closed : !attemptOk(a.status)) d.failedAttempts += 1;
      if (!last && !attemptOk(a.status)) d.failures += 1;
    });
  }
  return [...rows.values()];
}
