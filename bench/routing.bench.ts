/**
 * `npm run bench`, part 1: the CPU cost of routing per request, `plan` + `report` on the group
 * state (pure functions, as the Durable Object runs them), for each mode and group sizes.
 */
import { Bench } from 'tinybench';
import type { GroupMode } from '../worker/src/db/types';
import { applyReport } from '../worker/src/routing/health';
import { planRequest } from '../worker/src/routing/plan';
import { emptyRoutingState, type MemberRef, type PlanSettings, type RoutingState } from '../worker/src/routing/types';

const settings: PlanSettings = { breakerThreshold: 3, breakerBaseMs: 30_000, breakerCapMs: 600_000, stickyTtlMs: 300_000, probeLeaseMs: 125_000 };

function members(n: number): MemberRef[] {
  return Array.from({ length: n }, (_, i) => ({ memberId: i + 1, channelId: i + 1, priority: i % 3, weight: 1 + (i % 4), keyIds: ['a', 'b', 'c'] }));
}

export async function routingBench(): Promise<Bench> {
  const bench = new Bench({ time: 300, warmupTime: 100 });
  for (const mode of ['round-robin', 'random', 'failover', 'weighted'] as GroupMode[]) {
    for (const n of [2, 10, 50]) {
      let state: RoutingState = emptyRoutingState();
      const ms = members(n);
      let i = 0;
      bench.add(`plan+report ${mode}, ${n} members`, () => {
        const now = 1_800_000_000_000 + i++;
        const r = planRequest(state, { mode, members: ms, settings, session: `s${i % 100}` }, now, Math.random);
        const c = r.plan.candidates[0]!;
        state = applyReport(r.state, { outcomes: [{ memberId: c.memberId, channelId: c.channelId, keyId: c.keyId, kind: 'ok', status: 200, ms: 100 }], untried: r.plan.candidates.slice(1).map((x) => x.memberId), session: `s${i % 100}`, settings }, now);
      });
    }
  }
  await bench.run();
  return bench;
}
