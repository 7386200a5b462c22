/**
 * When a group's finished requests leave a Worker isolate for the group's Durable Object
 * (edge/coalescer.ts does the queueing, edge/platform.ts wires it to GroupObject.finishMany).
 * No Cloudflare import: unit-tested in Node.
 */
import type { RequestRecord } from '../accounting/records';
import type { ReasoningTurn } from '../routing/reasoning-memory';
import type { RoutingReport } from '../routing/types';

/** A routed request's end, as GroupObject.finishMany takes it (platform.ts GroupStates.finish). */
export interface FinishItem {
  report: RoutingReport;
  record: RequestRecord;
  reasoning?: ReasoningTurn;
}

/**
 * How long a group's first finished request waits for others in this isolate before its batch
 * goes to the group's object, ms. Under load (hundreds of requests/s an isolate) 15 ms gathers
 * several finishes a batch; a lone request only waits 15 ms longer off the critical path. Well
 * under any breaker cooldown or stats save interval, so nothing the object decides with is staler
 * than that.
 */
export const FINISH_DELAY_MS = 15;
/** Most finishes in one batch: bounds one RPC's payload and the object's turn (records chunk by 128 keys there). */
export const FINISH_MAX_ITEMS = 64;

/**
 * A finish that goes to its group's object without the delay: any attempt outcome other than a
 * success (a channel fault moves the breaker and key cooldowns, which the next plans must see; a
 * client fault or an abort releases a half-open probe lease), and a remembered reasoning turn (the
 * client's next request, which recalls it, may come right after the answer, as with one finish a
 * request). A plain success (the hot path) may wait: it resets failure counts, closes a probed
 * breaker (until then the member stays half-open, skipped by others) or binds a sticky session,
 * all of which are as right 15 ms later.
 */
export function finishIsUrgent(item: FinishItem): boolean {
  return item.reasoning !== undefined || item.report.outcomes.some((o) => o.kind !== 'ok');
}
