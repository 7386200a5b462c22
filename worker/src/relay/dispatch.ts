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
import { classifyStatus } from '../routing/faults';
import { routableMembers } from '../routing/members';
import { resolveGroupSettings } from '../routing/settings';
import type { AttemptOutcome, Candidate } from '../routing/types';
import type { StreamDecoder } from '../protocols/codec';
import { primeStream, type PrimedStream } from './prime';
import { callUpstream, readErrorBody } from './upstream';

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

export type DispatchResult =
  | {
    kind: 'committed';
    response: Response;
    /** Set for a streaming 2xx: the body read up to its first meaningful event (use it, not response.body). */
    primed?: PrimedStream;
    channel: Channel;
    member: GroupMember;
    outcomes: AttemptOutcome[];
    /** ms since epoch when the committed attempt started. */
    attemptStartedAt: number;
    /** The group's idle limit between stream chunks, ms. */
    idleTimeoutMs: number;
  }
  | { kind: 'exhausted'; outcomes: AttemptOutcome[]; lastStatus: number; lastError: string | null };

export interface DispatchInput {
  platform: Platform;
  route: Route;
  /** Aborted when the client disconnects. */
  clientSignal: AbortSignal;
  prepare: PrepareCall;
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
  const { candidates } = await p.groups.plan(route.group.id, { mode: route.group.mode, members: routableMembers(route) });

  // The deadline bounds the whole request, retries included; it also cancels a committed stream.
  const deadline = AbortSignal.any([input.clientSignal, AbortSignal.timeout(settings.deadlineMs)]);
  const outcomes: AttemptOutcome[] = [];
  let lastStatus = 0;
  let lastError: string | null = candidates.length === 0 ? 'the group has no available member' : null;

  for (const cand of candidates.slice(0, Math.max(1, settings.maxAttempts))) {
    if (deadline.aborted) break;
    const member = route.group.members.find((m) => m.id === cand.memberId)!;
    const channel = route.channels.get(cand.channelId)!;
    const started = p.now();
    const fail = (status: number, error: string) => {
      outcomes.push(outcome(cand, 'channel', status, p.now() - started, error));
      lastStatus = status;
      lastError = error;
    };

    const apiKey = await decryptKey(p, channel, cand.keyId);
    if (apiKey === null) {
      fail(0, `channel ${channel.id}: key ${cand.keyId} cannot be decrypted (was ENCRYPTION_KEY changed?)`);
      continue;
    }
    const prepared = input.prepare({ channel, member, apiKey });
    if (typeof prepared === 'string') {
      fail(0, prepared);
      continue;
    }

    const result = await callUpstream({
      url: prepared.url, method: 'POST', headers: prepared.headers, body: prepared.body,
      firstByteTimeoutMs: settings.firstByteTimeoutMs, signal: deadline,
    });
    if (result.kind === 'network') {
      fail(0, result.error);
      continue;
    }
    const res = result.response;
    const cls = classifyStatus(res.status);
    if (cls === 'channel') {
      fail(res.status, summarise(await readErrorBody(res, 4096)));
      continue;
    }
    let primed: PrimedStream | undefined;
    if (cls === 'ok' && input.streamDecoder && res.body) {
      const prime = await primeStream(res.body, input.streamDecoder(channel), settings.idleTimeoutMs, started, p.now);
      if (prime.kind === 'fault') {
        fail(0, `stream failed before any content: ${prime.error.message}`);
        continue;
      }
      primed = prime.primed;
    }
    outcomes.push(outcome(cand, cls, res.status, p.now() - started));
    return { kind: 'committed', response: res, primed, channel, member, outcomes, attemptStartedAt: started, idleTimeoutMs: settings.idleTimeoutMs };
  }
  return { kind: 'exhausted', outcomes, lastStatus, lastError };
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
