/**
 * The attempt loop: asks the group for its ordered candidates, tries them until one commits,
 * and reports every attempt's outcome off the critical path.
 *
 * A candidate "commits" when the upstream answers 2xx (the body then streams to the client) or
 * answers with a client fault (4xx that is the request's own: returned as is, never retried).
 * Channel faults (network error, timeout, 401/402/403/404/408/409/425/429, 5xx) fall through.
 */
import type { AbortSource } from '../lib/abort';
import { requestDeadline } from './deadline';
import type { ConfigSnapshot } from '../config/snapshot';
import type { Channel, ChannelType, GroupMember, Route } from '../db/types';
import { endpointFor, withEndpoint } from '../routing/endpoints';
import type { Platform } from '../platform';
import { parseRetryAfter } from '../routing/breaker';
import { classifyStatus } from '../routing/faults';
import { routableMembers } from '../routing/members';
import { resolveGroupSettings, type ResolvedGroupSettings } from '../routing/settings';
import type { AttemptOutcome, Candidate, Plan, PlanInput, PlanSettings, RoutingReport } from '../routing/types';
import type { StreamDecoder } from '../protocols/codec';
import type { ProtocolName, UpstreamErrorInfo } from '../protocols/canonical';
import { primeStream, type PrimedStream } from './prime';
import { secretParts, type SecretMatcher } from '../lib/redact';
import { secretHeaderValues } from '../lib/channel-headers';
import { EDGE_PROXY_REFUSAL, proxySecrets } from '../lib/proxy';
import { applyHeaderEdits, type CompiledOverrides } from '../lib/overrides';
import { ERROR_BODY_WAIT_MS, callUpstream, readErrorBody, readWholeBody, type UpstreamResponse } from './upstream';

/** A network failure this quick (ms) is taken for a stale pooled connection and retried once. */
const STALE_CONNECTION_MS = 250;

/** Most bytes of an upstream error body kept (for logs, health, and the client once all candidates fail). */
export const ERROR_BODY_LIMIT = 32 * 1024;

/** What the protocol-specific handler supplies for one candidate. */
export interface PreparedCall {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Builds the upstream request for a candidate, or returns a reason string when this channel cannot
 * serve the request (counted as a channel fault, and the next candidate is tried). `overrides`: the
 * member's request overrides (channel's, then member's), null for none; the attempt loop applies
 * their header edits to what this returns, the body patch is the caller's to apply (generation
 * requests only).
 */
export type PrepareCall = (target: { channel: Channel; member: GroupMember; apiKey: string; overrides: CompiledOverrides | null }) => PreparedCall | string;

/** Fields every result carries for the group's report. */
interface Reported {
  outcomes: AttemptOutcome[];
  /** What to send to GroupStates.report once the attempts are over. */
  report: RoutingReport;
  /**
   * Call when the request has ended (answer sent, stream over): lets go of the request deadline's
   * timer and client listener. Idempotent; already done for 'aborted'.
   */
  release: () => void;
}

export type DispatchResult =
  | (Reported & {
    kind: 'committed';
    response: UpstreamResponse;
    /** Set for a streaming 2xx: the body read up to its first meaningful event (use it, not response.body). */
    primed?: PrimedStream;
    /** Set for a non-stream 2xx: the whole body, already read (response.body is consumed). Not yet redacted. */
    body?: string;
    /** What `acceptBody` handed back for that body (e.g. the decoded answer). */
    accepted?: unknown;
    channel: Channel;
    member: GroupMember;
    /** ms since epoch when the committed attempt started. */
    attemptStartedAt: number;
    /** The group's idle limit between stream chunks, ms. */
    idleTimeoutMs: number;
    /** Removes the attempt's channel key (and custom header values) from upstream text shown to anyone. */
    redact: (text: string) => string;
    /** The matcher of the committed attempt's credentials (key, credential headers): a stream's output is redacted of them. */
    secrets: SecretMatcher;
  })
  | (Reported & {
    /** The client went away before an answer was committed; nothing was charged to anyone. */
    kind: 'aborted';
  })
  | (Reported & {
    kind: 'exhausted';
    /** The last attempt's upstream HTTP status; 0 when it got no usable answer (network, timeout, broken body). */
    lastStatus: number;
    lastError: string | null;
    /**
     * The last attempt's upstream error answer, when it was one (its status is `lastStatus`): the
     * body (at most {@link ERROR_BODY_LIMIT} bytes, already redacted of the attempt's credentials)
     * and the protocol of the channel that sent it.
     */
    lastAnswer?: { status: number; body: string; protocol: ProtocolName };
    /**
     * The last attempt's stream error event before any content, when that is how it failed (its
     * HTTP status was 2xx, so `lastStatus` is 0). Message already redacted.
     */
    lastStreamError?: UpstreamErrorInfo;
    /**
     * Seconds the client should wait: until a member or key comes back when the plan was empty
     * because all cool down, or the rate-limited last attempt's Retry-After.
     */
    retryAfterSeconds?: number;
    /** The plan was empty only because every member's keys cool down after a 429 (Plan.rateLimited). */
    rateLimited: boolean;
  });

export interface DispatchInput {
  platform: Platform;
  /** The configuration snapshot the request was routed with (decrypted channel keys are cached there). */
  config: ConfigSnapshot;
  route: Route;
  /** The group's plan for this request (startPlan), already awaited. */
  planned: Planned;
  plan: Plan;
  /** Aborted when the client disconnects. */
  clientSignal: AbortSource;
  prepare: PrepareCall;
  /**
   * For streaming requests: the decoder of the channel's protocol. A 2xx stream is then held until
   * its first meaningful event, and an error event or an empty end before it falls through.
   */
  streamDecoder?: (channel: Channel) => StreamDecoder;
  /**
   * For non-stream requests: whether a 2xx body (text, already redacted of nothing) is a valid answer
   * in the channel's protocol. A body that is not (HTML from a proxy, garbage) is a channel fault and
   * the next member is tried; `value` (e.g. the decoded answer) is handed back in the result.
   */
  acceptBody?: (channel: Channel, text: string) => { ok: true; value?: unknown } | { ok: false; error: string };
  /**
   * The client's protocol: each attempt uses the channel endpoint of that protocol when there is one
   * (routing/endpoints.ts endpointFor; a member's pin first), else the primary. The `channel` handed
   * to `prepare`, `streamDecoder` and `acceptBody` carries the chosen endpoint as its `type` and
   * `baseUrl`. Absent: the pin, else the primary.
   */
  clientProtocol?: ChannelType;
}

/** A request's plan in the making: settings resolved, the group holder asked (one call). */
export interface Planned {
  settings: ResolvedGroupSettings;
  planSettings: PlanSettings;
  session?: string;
  plan: Promise<Plan>;
}

/**
 * Asks the group's holder for the ordered candidates (the one call on the critical path), without
 * waiting: the caller may await it together with the key's admission. `recall`: the client key
 * and tool call ids whose remembered reasoning the plan should bring back (PlanInput.recall).
 * `clientProtocol`: members that can pass the client's body through go first within a tier
 * (routing/endpoints.ts); pass the same to `dispatch`.
 */
export function startPlan(p: Platform, route: Route, session: string | undefined, recall?: PlanInput['recall'], clientProtocol?: ChannelType): Planned {
  const settings = resolveGroupSettings(route.group.settings);
  const planSettings = toPlanSettings(settings);
  return {
    settings, planSettings, session,
    plan: p.groups.plan(route.group.id, { mode: route.group.mode, members: routableMembers(route, clientProtocol), settings: planSettings, session, ...(recall && { recall }) }),
  };
}

/**
 * Gives back what a plan took (a half-open probe lease) when the request is refused after planning
 * (its key's limit). Off the critical path.
 */
export function releasePlan(p: Platform, route: Route, planned: Planned, plan: Plan): void {
  if (plan.candidates.length === 0) return;
  p.defer(p.groups.report(route.group.id, { outcomes: [], untried: plan.candidates.map((c) => c.memberId), session: planned.session, settings: planned.planSettings }));
}

/** Runs the attempt loop. Never throws for upstream trouble; the outcomes say what happened. */
export async function dispatch(input: DispatchInput): Promise<DispatchResult> {
  const { platform: p, route, planned, plan } = input;
  const { settings, planSettings } = planned;
  const candidates = plan.candidates.slice(0, Math.max(1, settings.maxAttempts));
  const tried = new Set<number>();
  const report = (): RoutingReport => ({
    outcomes, untried: plan.candidates.filter((c) => !tried.has(c.memberId)).map((c) => c.memberId),
    session: planned.session, settings: planSettings,
  });

  // The deadline bounds the whole request, retries included; it also cancels a committed stream.
  // A committed answer's caller releases it (DispatchResult.release) when the request has ended.
  const requestEnd = requestDeadline(input.clientSignal, settings.deadlineMs);
  const deadline = requestEnd.signal;
  const outcomes: AttemptOutcome[] = [];
  let lastStatus = 0;
  let lastError: string | null = candidates.length === 0 ? 'the group has no available member' : null;
  let lastAnswer: Extract<DispatchResult, { kind: 'exhausted' }>['lastAnswer'];
  let lastStreamError: UpstreamErrorInfo | undefined;
  /** The endpoint type a candidate's attempt used. */
  const endpointOf = (cand: Candidate): ChannelType | undefined => {
    const ch = route.channels.get(cand.channelId);
    const m = route.group.members.find((x) => x.id === cand.memberId);
    return ch && m ? endpointFor(ch, m, input.clientProtocol).type : undefined;
  };
  /** The client left: what failed is nobody's fault, and nothing more is tried. */
  const aborted = (cand: Candidate, started: number): DispatchResult => {
    outcomes.push(outcome(cand, 'aborted', 0, p.now() - started, 'the client closed the connection', endpointOf(cand)));
    requestEnd.release();
    return { kind: 'aborted', outcomes, report: report(), release: requestEnd.release };
  };

  for (const cand of candidates) {
    if (deadline.aborted) break;
    tried.add(cand.memberId);
    const member = route.group.members.find((m) => m.id === cand.memberId)!;
    const stored = route.channels.get(cand.channelId)!;
    // The endpoint this attempt uses; credentials, proxy, breaker and cooldowns stay the channel's.
    const endpoint = endpointFor(stored, member, input.clientProtocol);
    const started = p.now();
    const fail = (status: number, error: string, retryAfterMs?: number, answer?: string) => {
      outcomes.push({ ...outcome(cand, 'channel', status, p.now() - started, error, endpoint.type), ...(retryAfterMs !== undefined && { retryAfterMs }) });
      lastStatus = status;
      lastError = error;
      lastAnswer = answer === undefined ? undefined : { status, body: answer, protocol: endpoint.type };
      lastStreamError = undefined;
    };

    const apiKey = await input.config.channelKey(p.vault, stored, cand.keyId);
    if (apiKey === null) {
      fail(0, `channel ${stored.id}: key ${cand.keyId} cannot be decrypted (was ENCRYPTION_KEY changed?)`);
      continue;
    }
    const headers = await input.config.channelHeaders(p.vault, stored);
    if (headers === null) {
      fail(0, `channel ${stored.id}: a custom header cannot be decrypted (was ENCRYPTION_KEY changed?)`);
      continue;
    }
    // From here on the channel carries its headers in plain text, for this attempt only.
    // It also carries the chosen endpoint as its type and base URL.
    const served = withEndpoint(stored, endpoint);
    const channel: Channel = headers === stored.headers ? served : { ...served, headers };
    // Request overrides: one map lookup when there are none (the usual case).
    const overrides = input.config.overridesOf(member);
    let edits: [string, string | null][] | null = null;
    if (overrides && overrides.headers.length > 0) {
      edits = await input.config.overrideHeaders(p.vault, member, overrides);
      if (edits === null) {
        fail(0, `channel ${stored.id}: an override header cannot be decrypted (was ENCRYPTION_KEY changed?)`);
        continue;
      }
    }
    // The outbound proxy (Node mode): the channel's, else the global one; undefined = direct.
    // No await (no microtask) for the usual channel without any proxy.
    const proxy = (stored.proxy ?? input.config.settings.proxy) ? await input.config.channelProxy(p.vault, stored) : undefined;
    if (proxy === null) {
      fail(0, `channel ${stored.id}: the proxy credentials cannot be decrypted (was ENCRYPTION_KEY changed?)`);
      continue;
    }
    if (proxy !== undefined && !p.outboundProxy) {
      fail(0, `channel ${stored.id}: ${EDGE_PROXY_REFUSAL}`);
      continue;
    }
    const editSecrets = edits && secretHeaderValues(Object.fromEntries(edits.filter((e): e is [string, string] => e[1] !== null)));
    const secrets = input.config.secretMatcher(stored, cand.keyId, () => [
      ...secretParts(apiKey), ...secretHeaderValues(channel.headers).flatMap(secretParts), ...(editSecrets ?? []).flatMap(secretParts),
      ...proxySecrets(proxy ?? null),
    ], `${editSecrets?.length ? `:m${member.id}` : ''}${proxy ? `:p${stored.proxy ? 'c' : 'g'}` : ''}`);
    const redact = (text: string) => secrets.redact(text);
    const prepared = input.prepare({ channel, member, apiKey, overrides });
    if (typeof prepared === 'string') {
      fail(0, prepared);
      continue;
    }

    const call = {
      url: prepared.url, method: 'POST' as const, headers: edits ? applyHeaderEdits(prepared.headers, edits) : prepared.headers, body: prepared.body,
      firstByteTimeoutMs: settings.firstByteTimeoutMs, signal: deadline, ...(proxy !== undefined && { proxy }),
    };
    const send = p.callUpstream ?? callUpstream;
    let result = await send(call);
    if (input.clientSignal.aborted) return aborted(cand, started);
    // A pooled connection that the upstream closed while idle fails at once ("Network connection
    // lost", ECONNRESET). With another member left, failover handles it; on the last candidate the
    // request would be lost, so reconnect once, as HTTP clients do for a stale socket.
    const last = cand === candidates[candidates.length - 1];
    if (last && result.kind === 'network' && !result.timedOut && !deadline.aborted && p.now() - started < STALE_CONNECTION_MS) {
      result = await send(call);
      if (input.clientSignal.aborted) return aborted(cand, started);
    }
    if (result.kind === 'network') {
      fail(0, redact(result.error));
      continue;
    }
    const res = result.response;
    const cls = classifyStatus(res.status);
    if (cls === 'channel') {
      // The group's idle limit bounds it too, when shorter than readErrorBody's own wait.
      const answer = redact(await readErrorBody(res, ERROR_BODY_LIMIT, Math.min(settings.idleTimeoutMs, ERROR_BODY_WAIT_MS)));
      fail(res.status, summarise(answer), parseRetryAfter(res.headers.get('retry-after'), p.now()), res.status >= 400 ? answer : undefined);
      continue;
    }
    let primed: PrimedStream | undefined;
    // The transport's own chunk reader when it has one (Node); touching `res.body` would build a web stream.
    const source = cls === 'ok' && input.streamDecoder ? (res.reader?.() ?? res.body) : null;
    if (source && input.streamDecoder) {
      const prime = await primeStream(source, input.streamDecoder(channel), settings.idleTimeoutMs, started, p.now, {
        maxEventChars: settings.maxEventChars, maxInflatedBytes: settings.maxInflatedBytes, contentEncoding: res.headers.get('content-encoding'),
      });
      if (input.clientSignal.aborted) {
        if (prime.kind === 'ok') {
          prime.primed.reads.stop();
          prime.primed.reader.cancel().catch(() => {});
        }
        return aborted(cand, started);
      }
      if (prime.kind === 'fault') {
        fail(0, redact(`stream failed before any content: ${prime.error.message}`));
        if (prime.fromUpstream) lastStreamError = { ...prime.error, message: redact(prime.error.message) };
        continue;
      }
      primed = prime.primed;
    }
    let body: string | undefined;
    let accepted: unknown;
    if (cls === 'ok' && !input.streamDecoder) {
      // A whole answer is read before committing: a reset or stall mid-body is a channel fault
      // like any other, and the next member gets the request.
      try {
        body = await readWholeBody(res, settings.idleTimeoutMs, settings.maxInflatedBytes);
      } catch (err) {
        if (input.clientSignal.aborted) return aborted(cand, started);
        fail(0, redact(err instanceof Error ? err.message : String(err)));
        continue;
      }
      const verdict = input.acceptBody?.(channel, body);
      if (verdict && !verdict.ok) {
        fail(res.status, redact(verdict.error));
        continue;
      }
      accepted = verdict?.value;
    }
    outcomes.push(outcome(cand, cls, res.status, p.now() - started, undefined, endpoint.type));
    return { kind: 'committed', response: res, primed, body, accepted, channel, member, outcomes, report: report(), attemptStartedAt: started, idleTimeoutMs: settings.idleTimeoutMs, redact, secrets, release: requestEnd.release };
  }
  // A rate-limited last attempt: the soonest Retry-After of the rate-limited attempts; any other
  // last attempt: its own Retry-After (a 503 may carry one).
  const waited = lastStatus === 429 ? outcomes.filter((o) => o.status === 429) : outcomes.slice(-1);
  const waits = waited.map((o) => o.retryAfterMs).filter((v): v is number => v !== undefined);
  const retryAfterMs = plan.retryAfterMs ?? (waits.length ? Math.min(...waits) : undefined);
  requestEnd.release();
  return {
    kind: 'exhausted', outcomes, report: report(), lastStatus, lastError, rateLimited: plan.rateLimited === true, release: requestEnd.release,
    ...(lastAnswer && { lastAnswer }),
    ...(lastStreamError && { lastStreamError }),
    ...(retryAfterMs !== undefined && { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) }),
  };
}


function toPlanSettings(s: ResolvedGroupSettings): PlanSettings {
  return {
    breakerThreshold: s.breakerThreshold, breakerBaseMs: s.breakerBaseMs, breakerCapMs: s.breakerCapMs,
    stickyTtlMs: s.stickyTtlMs, probeLeaseMs: s.firstByteTimeoutMs + 5_000,
  };
}

function outcome(c: Candidate, kind: AttemptOutcome['kind'], status: number, ms: number, error?: string, endpointType?: ChannelType): AttemptOutcome {
  return { memberId: c.memberId, channelId: c.channelId, keyId: c.keyId, kind, status, ms, ...(error !== undefined && { error }), ...(endpointType && { endpointType }) };
}

/** First 300 characters of an upstream error body, on one line (it goes to logs and health). */
function summarise(body: string): string {
  return body.replace(/\s+/g, ' ').trim().slice(0, 300);
}
