/**
 * GroupObject: one Durable Object per group. Holds the group's routing state (cursors, member
 * health) in memory and in its own storage, so an eviction or restart loses nothing.
 * RPC methods: plan (critical path), report (off it, via waitUntil), health (admin API).
 */
import { DurableObject } from 'cloudflare:workers';
import { applyOutcomes } from '../routing/health';
import { planRequest } from '../routing/plan';
import { emptyRoutingState, type AttemptOutcome, type MemberHealth, type Plan, type PlanInput, type RoutingState } from '../routing/types';

const STATE_KEY = 'routing';

export class GroupObject extends DurableObject<Env> {
  private state: RoutingState = emptyRoutingState();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.state = (await ctx.storage.get<RoutingState>(STATE_KEY)) ?? emptyRoutingState();
    });
  }

  /** Ordered candidates for one request; advances the cursors. */
  async plan(input: PlanInput): Promise<Plan> {
    const { plan, state } = planRequest(this.state, input);
    this.commit(state);
    return plan;
  }

  /** Folds attempt outcomes into member health. */
  async report(outcomes: AttemptOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    this.commit(applyOutcomes(this.state, outcomes, Date.now()));
  }

  /** Live health per member id. */
  async health(): Promise<Record<string, MemberHealth>> {
    return this.state.health;
  }

  private commit(state: RoutingState): void {
    this.state = state;
    // Not awaited: the runtime's output gate holds the reply until the write is durable.
    void this.ctx.storage.put(STATE_KEY, state);
  }
}
