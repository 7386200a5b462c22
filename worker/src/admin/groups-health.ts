/**
 * `GET /api/v1/groups/health`: the live health of every group in one answer, so a dashboard
 * polling every few seconds makes one request whatever the number of groups (one per group was 36
 * requests/s with 100 groups). Per group a status (routing/status.ts), per member its state, recent
 * success rate, latency and TTFT percentiles (routing/window.ts) and last error in plain words
 * (routing/plain-error.ts); per channel the same traffic rolled up across the groups it serves.
 */
import type { Channel, Group } from '../db/types';
import type { Platform } from '../platform';
import type { PatternCatch } from '../routing/catches';
import { describeMemberProblem } from '../routing/plain-error';
import { groupStatus, memberState, type KeyCounts, type MemberState, type MemberVerdict } from '../routing/status';
import type { GroupHealth } from '../routing/types';
import { histPercentile, mergeHist, type SparseHist, type WindowSummary } from '../routing/window';
import type { ChannelHealthEntry, GroupHealthEntry, HealthAnswer, MemberHealthView, RecentTraffic } from './health-view';

export type { ChannelHealthEntry, GroupHealthEntry, HealthAnswer, MemberHealthView, RecentTraffic };

/** Groups asked at once: on the Worker each is a call to the group's Durable Object. */
export const HEALTH_FANOUT = 16;

const EMPTY_HEALTH: GroupHealth = { members: {}, keys: {} };

/** `HH:MM UTC` of ms since epoch (the API's clock for plain phrases; the dashboard uses the browser's). */
function utcClock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

function traffic(r: Pick<WindowSummary, 'samples' | 'ok' | 'failed' | 'rateLimited' | 'latencyP50Ms' | 'latencyP95Ms' | 'ttftP50Ms' | 'ttftP95Ms'> | undefined): RecentTraffic {
  if (!r) return { samples: 0, ok: 0, failed: 0, rateLimited: 0, successRate: null, latencyP50Ms: null, latencyP95Ms: null, ttftP50Ms: null, ttftP95Ms: null };
  return {
    samples: r.samples, ok: r.ok, failed: r.failed, rateLimited: r.rateLimited, successRate: r.samples > 0 ? r.ok / r.samples : null,
    latencyP50Ms: r.latencyP50Ms, latencyP95Ms: r.latencyP95Ms, ttftP50Ms: r.ttftP50Ms, ttftP95Ms: r.ttftP95Ms,
  };
}

/** The channel's enabled keys and how many cool down for which cause, from the group's key cooldowns. */
function keyCounts(channel: Channel | undefined, cooling: GroupHealth['keys']): KeyCounts {
  const counts: KeyCounts = { total: 0, rateLimited: 0, unauthorised: 0 };
  if (!channel) return counts;
  for (const k of channel.keys) {
    if (!k.enabled) continue;
    counts.total++;
    const c = cooling[`${channel.id}:${k.id}`];
    if (!c) continue;
    if (c.status === 429) counts.rateLimited++;
    else counts.unauthorised++;
  }
  return counts;
}

/** What a channel rollup gathers while the groups are read. */
interface ChannelAcc {
  verdicts: MemberVerdict[];
  samples: number;
  ok: number;
  failed: number;
  rateLimited: number;
  latency: SparseHist;
  ttft: SparseHist;
}

/** The channel's state from its members' verdicts (module doc of ChannelHealthEntry.state). */
export function channelState(verdicts: MemberVerdict[]): { state: MemberState; reason: string } {
  const active = verdicts.filter((v) => v.state !== 'disabled');
  if (verdicts.length === 0) return { state: 'idle', reason: 'in no group' };
  if (active.length === 0) return { state: 'disabled', reason: 'every member disabled' };
  const count = (s: MemberState) => active.filter((v) => v.state === s).length;
  const of = (n: number) => (active.length === 1 ? 'its member' : `${n} of ${active.length} members`);
  if (!active.some((v) => v.routable)) {
    // Rate limited everywhere says more (it heals by itself) than down.
    if (count('rate-limited') > 0) return { state: 'rate-limited', reason: `${of(count('rate-limited'))} rate limited, none can take requests` };
    return { state: 'down', reason: active.length === 1 ? 'its member cannot take requests' : `none of ${active.length} members can take requests` };
  }
  if (count('rate-limited') > 0) return { state: 'rate-limited', reason: `${of(count('rate-limited'))} rate limited` };
  const bad = count('down') + count('degraded');
  if (bad > 0) return { state: 'degraded', reason: `${of(bad)} failing` };
  if (count('idle') === active.length) return { state: 'idle', reason: 'no recent traffic' };
  return { state: 'healthy', reason: active.length === 1 ? 'its member is healthy' : `all ${active.length} members healthy` };
}

/**
 * Health of `groups` (by group id) and of `channels` (by channel id, those in at least one group).
 * Never throws for one group: a holder that fails gives an entry with `error` (the others are still
 * answered). At most {@link HEALTH_FANOUT} holders are asked at once. `now`: ms since epoch.
 */
export async function healthOfGroups(p: Platform, groups: Group[], channels: Channel[], now = Date.now()): Promise<HealthAnswer> {
  const raw = new Map<number, { health: GroupHealth; catches?: PatternCatch[]; error?: string }>();
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const g = groups[next++]!;
      try {
        const [health, catches] = await Promise.all([p.groups.health(g.id), g.patterns.length > 0 ? p.groups.catches(g.id) : undefined]);
        raw.set(g.id, catches ? { health, catches } : { health });
      } catch (err) {
        raw.set(g.id, { health: EMPTY_HEALTH, error: err instanceof Error ? err.message.slice(0, 200) : 'unavailable' });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEALTH_FANOUT, groups.length) }, worker));

  const channelById = new Map(channels.map((c) => [c.id, c]));
  const acc = new Map<number, ChannelAcc>();
  const out: HealthAnswer = { groups: {}, channels: {} };
  for (const g of groups) {
    const got = raw.get(g.id) ?? { health: EMPTY_HEALTH };
    const members: Record<string, MemberHealthView> = {};
    const verdicts: MemberVerdict[] = [];
    for (const m of g.members) {
      const channel = channelById.get(m.channelId);
      const h = got.health.members[m.id];
      const keys = keyCounts(channel, got.health.keys);
      const v = memberState({ enabled: m.enabled && (channel?.enabled ?? false), health: h, keys, now });
      verdicts.push(v);
      const { recent, ...breaker } = h ?? { phase: 'closed' as const, consecutiveFailures: 0, cooldownUntil: 0, lastStatus: 0, lastError: null, lastAt: 0 };
      members[m.id] = { ...breaker, ...v, problem: describeMemberProblem(h, now, utcClock), recent: traffic(recent), keys };
      const a = acc.get(m.channelId) ?? { verdicts: [], samples: 0, ok: 0, failed: 0, rateLimited: 0, latency: [], ttft: [] };
      a.verdicts.push(v);
      if (recent) {
        a.samples += recent.samples;
        a.ok += recent.ok;
        a.failed += recent.failed;
        a.rateLimited += recent.rateLimited;
        a.latency = mergeHist(a.latency, recent.latencyHist);
        a.ttft = mergeHist(a.ttft, recent.ttftHist);
      }
      acc.set(m.channelId, a);
    }
    const status = got.error ? { status: 'down' as const, reason: 'its state could not be read' } : groupStatus(verdicts);
    const entry: GroupHealthEntry = { ...status, members: got.error ? {} : members };
    if (got.catches) entry.catches = got.catches;
    if (got.error) entry.error = got.error;
    out.groups[g.id] = entry;
  }
  for (const [id, a] of acc) {
    out.channels[id] = {
      ...channelState(a.verdicts), members: a.verdicts.length,
      recent: traffic({
        samples: a.samples, ok: a.ok, failed: a.failed, rateLimited: a.rateLimited,
        latencyP50Ms: histPercentile(a.latency, 0.5), latencyP95Ms: histPercentile(a.latency, 0.95),
        ttftP50Ms: histPercentile(a.ttft, 0.5), ttftP95Ms: histPercentile(a.ttft, 0.95),
      }),
    };
  }
  return out;
}
