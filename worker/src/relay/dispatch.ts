/**
 * The attempt loop: asks the group for its ordered candidates, tries them until one commits,
 * and reports every attempt's outcome off the critical path.
 *
 * A candidate "commits" when the upstream answers 2xx (the body then streams to the client) or
 * answers with a client fault (4xx that is the request's own: returned as is, never retried).
 * Channel faults (network error, timeout, 401/402/403/404/408/409/425/429, 5xx) fall through.
 */
import type { Channel, GroupMember, Route } from '../db/types';
import type { Platform } from '../platform';
import { parseRetryAfter } from '../routing/breaker';
import { classifyStatus } from '../routing/faults';
import { routableMembers } from '../routing/members';
import { resolveGroupSettings, type ResolvedGroupSettings } from '../routing/settings';
import type { AttemptOutcome, Candidate, PlanSettings, RoutingReport } from '../routing/types';
import type { StreamDecoder } from '../protocols/codec';
import { primeStream, type PrimedStream } from './prime';
import { redactor, secretParts } from '../lib/redact';
import { openHeaders, secretHeaderValues } from '../lib/channel-headers';
import { callUpstream, readErrorBody, readWholeBody } from './upstream';

/** A network failure this quick (ms) is taken for a stale pooled connection and retried once. */
const STALE_CONNECTION_MS = 250;

/** Largest non-stream upstream answer accepted, bytes (an embeddings batch can be tens of MB). */
export const MAX_UPSTREAM_BODY_BYTES = 64 * 1024 * 1024;

/** What the protocol-specific handler supplies for one candidate. */
export interface PreparedCall {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Builds the upstream request for a candidate, or returns a reason string when this channel cannot
 * serve the request (counted as a channel fault, and the next candidate is tried).
 */
export type PrepareCall = (target: { channel: Channel; member: GroupMember; apiKey: string }) => PreparedCall | string;

/** Fields every result carries for the group's report. */
interface Reported {
  outcomes: AttemptOutcome[];
  /** What to send to GroupStates.report once the attempts are over. */
  report: RoutingReport;
}

export type DispatchResult =
  | (Reported & {
    kind: 'committed';
    response: Response;
    /** Set for a streaming 2xx: the body read up to its first meaningful event (use it, not response.body). */
    primed?: PrimedStream;
    /** Set for a non-stream 2xx: the whole body, already read (response.body is consumed). Not yet redacted. */
    body?: string;
    channel: Channel;
    member: GroupMember;
    /** ms since epoch when the committed attempt started. */
    attemptStartedAt: number;
    /** The group's idle limit between stream chunks, ms. */
    idleTimeoutMs: number;
    /** Removes the attempt's channel key (and custom header values) from upstream text shown to anyone. */
    redact: (text: string) => string;
    /** The credentials of the committed attempt (key, credential headers): a stream's output is redacted of them. */
    secrets: string[];
  })
  | (Reported & {
    kind: 'exhausted';
    lastStatus: number;
    lastError: string | null;
    /** Seconds until a member or key comes back, when the plan was empty because all cool down. */
    retryAfterSeconds?: number;
    /** Every attempt was rate limited (429): the client should hear that rather than 503. */
    allRateLimited: boolean;
  });

export interface DispatchInput {
  platform: Platform;
  route: Route;
  /** Aborted when the client disconnects. */
  clientSignal: AbortSignal;
  prepare: PrepareCall;
  /** Sticky-session key (client key + the client's session hint), if any. */
  session?: string;
  /**
   * For streaming requests: the decoder of the channel's protocol. A 2xx stream is then held until
   * its first meaningful event, and an error event or an empty end before it falls through.
   */
  streamDecoder?: (channel: Channel) => StreamDecoder;
}

/** Runs the attempt loop. Never throws for upstream trouble; the outcomes say what happened. */
export async function dispatch(input: DispatchInput): Promise<DispatchResult> {
  const { platform: p, route } = input;
  const settings = resolveGroupSettings(route.group.settings);
  const planSettings = toPlanSettings(settings);
  const plan = await p.groups.plan(route.group.id, { mode: route.group.mode, members: routableMembers(route), settings: planSettings, session: input.session });
  const candidates = plan.candidates.slice(0, Math.max(1, settings.maxAttempts));
  const tried = new Set<number>();
  const report = (): RoutingReport => ({
    outcomes, untried: plan.candidates.filter((c) => !tried.has(c.memberId)).map((c) => c.memberId),
    session: input.session, settings: planSettings,
  });

  // The deadline bounds the whole request, retries included; it also cancels a committed stream.
  const deadline = AbortSignal.any([input.clientSignal, AbortSignal.timeout(settings.deadlineMs)]);
  const outcomes: AttemptOutcome[] = [];
  let lastStatus = 0;
  let lastError: string | null = candidates.length === 0 ? 'the group has no available member' : null;

  for (const cand of candidates) {
    if (deadline.aborted) break;
    tried.add(cand.memberId);
    const member = route.group.members.find((m) => m.id === cand.memberId)!;
    const stored = route.channels.get(cand.channelId)!;
    const started = p.now();
    const fail = (status: number, error: string, retryAfterMs?: number) => {
      outcomes.push({ ...outcome(cand, 'channel', status, p.now() - started, error), ...(retryAfterMs !== undefined && { retryAfterMs }) });
      lastStatus = status;
      lastError = error;
    };

    const apiKey = await decryptKey(p, stored, cand.keyId);
    if (apiKey === null) {
      fail(0, `channel ${stored.id}: key ${cand.keyId} cannot be decrypted (was ENCRYPTION_KEY changed?)`);
      continue;
    }
    let headers: Record<string, string>;
    try {
      headers = await openHeaders(p.vault, stored.headers);
    } catch {
      fail(0, `channel ${stored.id}: a custom header cannot be decrypted (was ENCRYPTION_KEY changed?)`);
      continue;
    }
    // From here on the channel carries its headers in plain text, for this attempt only.
    const channel: Channel = headers === stored.headers ? stored : { ...stored, headers };
    const secrets = [...secretParts(apiKey), ...secretHeaderValues(channel.headers).flatMap(secretParts)];
    const redact = redactor(...secrets);
    const prepared = input.prepare({ channel, member, apiKey });
    if (typeof prepared === 'string') {
      fail(0, prepared);
      continue;
    }

    const call = {
      url: prepared.url, method: 'POST' as const, headers: prepared.headers, body: prepared.body,
      firstByteTimeoutMs: settings.firstByteTimeoutMs, signal: deadline,
    };
    let result = await callUpstream(call);
    // A pooled connection that the upstream closed while idle fails at once ("Network connection
    // lost", ECONNRESET). With another member left, failover handles it; on the last candidate the
    // request would be lost, so reconnect once, as HTTP clients do for a stale socket.
    const last = cand === candidates[candidates.length - 1];
    if (last && result.kind === 'network' && !result.timedOut && !deadline.aborted && p.now() - started < STALE_CONNECTION_MS) {
      result = await callUpstream(call);
    }
    if (result.kind === 'network') {
      fail(0, result.error);
      continue;
    }
    const res = result.response;
    const cls = classifyStatus(res.status);
    if (cls === 'channel') {
      fail(res.status, summarise(redact(await readErrorBody(res, 4096))), parseRetryAfter(res.headers.get('retry-after'), p.now()));
      continue;
    }
    let primed: PrimedStream | undefined;
    if (cls === 'ok' && input.streamDecoder && res.body) {
      const prime = await primeStream(res.body, input.streamDecoder(channel), settings.idleTimeoutMs, started, p.now);
      if (prime.kind === 'fault') {
        fail(0, redact(`stream failed before any content: ${prime.error.message}`));
        continue;
      }
      primed = prime.primed;
    }
    let body: string | undefined;
    if (cls === 'ok' && !input.streamDecoder) {
      // A whole answer is read before committing: a reset or stall mid-body is a channel fault
      // like any other, and the next member gets the request.
      try {
        body = await readWholeBody(res, settings.idleTimeoutMs, MAX_UPSTREAM_BODY_BYTES);
      } catch (err) {
        fail(0, redact(err instanceof Error ? err.message : String(err)));
        continue;
      }
    }
    outcomes.push(outcome(cand, cls, res.status, p.now() - started));
    return { kind: 'committed', response: res, primed, body, channel, member, outcomes, report: report(), attemptStartedAt: started, idleTimeoutMs: settings.idleTimeoutMs, redact, secrets };
  }
  const allRateLimited = outcomes.length > 0 && outcomes.every((o) => o.status === 429);
  const waits = allRateLimited ? outcomes.map((o) => o.retryAfterMs).filter((v): v is number => v !== undefined) : [];
  const retryAfterMs = plan.retryAfterMs ?? (waits.length ? Math.min(...waits) : undefined);
  return {
    kind: 'exhausted', outcomes, report: report(), lastStatus, lastError, allRateLimited,
    ...(retryAfterMs !== undefined && { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) }),
  };
}


function toPlanSettings(s: ResolvedGroupSettings): PlanSettings {
  return {
    breakerThreshold: s.breakerThreshold, breakerBaseMs: s.breakerBaseMs, breakerCapMs: s.breakerCapMs,
    stickyTtlMs: s.stickyTtlMs, probeLeaseMs: s.firstByteTimeoutMs + 5_000,
  };
}

function outcome(c: Candidate, kind: AttemptOutcome['kind'], status: number, ms: number, error?: string): AttemptOutcome {
  return { memberId: c.memberId, channelId: c.channelId, keyId: c.keyId, kind, status, ms, ...(error !== undefined && { error }) };
}

async function decryptKey(p: Platform, channel: Channel, keyId: string): Promise<string | null> {
  const stored = channel.keys.find((k) => k.id === keyId);
  if (!stored) return null;
  try {
    return await p.vault.decrypt(stored.enc);
  } catch {
    return null;
  }
}

/** First 300 characters of an upstream error body, on one line (it goes to logs and health). */
function summarise(body: string): string {
  return body.replace(/\s+/g, ' ').trim().slice(0, 300);
}
