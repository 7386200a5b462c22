/**
 * GroupObject: one Durable Object per group. Holds the group's routing state (cursors, member
 * health) in memory and in its own storage, so an eviction or restart loses nothing.
 * RPC methods: plan (critical path), report (off it, via waitUntil), health (admin API).
 * State: mode cursors, breakers, key cooldowns, sticky sessions (routing/types.ts RoutingState).
 */
import { DurableObject } from 'cloudflare:workers';
import { applyReport, healthView } from '../routing/health';
import { planRequest } from '../routing/plan';
import { emptyRoutingState, type MemberHealth, type Plan, type PlanInput, type RoutingReport, type RoutingState } from '../routing/types';

const STATE_KEY = 'routing';

export class GroupObject extends DurableObject<Env> {
  private state: RoutingState = emptyRoutingState();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      // A state stored by an older version lacks newer fields: fill them from an empty state.
      this.state = { ...emptyRoutingState(), ...(await ctx.storage.get<RoutingState>(STATE_KEY)) };
    });
  }

  /** Ordered candidates for one request; advances the cursors. */
  async plan(input: PlanInput): Promise<Plan> {
    const { plan, state } = planRequest(this.state, input, Date.now(), Math.random);
    // Only a half-open lease (a breaker change) must be durable before the reply; a cursor step
    // lost in a crash is harmless, so that write does not hold the response (allowUnconfirmed).
    this.commit(state, state.breakers === this.state.breakers);
    return plan;
  }

  /** Folds a request's attempt outcomes into breakers, key cooldowns and sticky sessions. */
  async report(report: RoutingReport): Promise<void> {
    if (report.outcomes.length === 0 && report.untried.length === 0) return;
    this.commit(applyReport(this.state, report, Date.now()));
  }

  /** Live health per member id. */
  async health(): Promise<Record<string, MemberHealth>> {
    return healthView(this.state, Date.now());
  }

  private commit(state: RoutingState, unconfirmed = false): void {
    this.state = state;
    // Not awaited: unless `unconfirmed`, the runtime's output gate holds the reply until the write is durable.
    void this.ctx.storage.put(STATE_KEY, state, { allowUnconfirmed: unconfirmed });
  }
}
