/**
 * The limits of one client key, as pure state transitions: a spending budget over the key's life,
 * requests per minute and tokens per minute over a sliding 60 s window. The holder (Durable Object
 * on the edge, in-process object in Node) calls these one at a time, so an admission reads and
 * writes the state without interleaving: concurrent requests cannot overshoot a budget by more than
 * the requests already admitted and not yet settled.
 *
 * Units: money in integer nano-USD, times in ms since epoch, tokens as counts.
 */
import type { Admission, KeyLimitSpec } from '../platform';

/** Width of the RPM/TPM window, ms. */
export const WINDOW_MS = 60_000;

/** State of one key's limits. `admits` and `tokens` only hold entries younger than WINDOW_MS. */
export interface KeyLimitState {
  /** Cost of every settled request of the key, nano-USD (seeded from the stats when the holder is new). */
  spentNanoUsd: number;
  /** Admission times, ascending (recorded only while the key has an RPM limit; may hold leases' reserved slots, stamped ahead). */
  admits: number[];
  /** Settled requests' `[time, tokens]`, ascending by time (recorded only while the key has a TPM limit). */
  tokens: [number, number][];
}

export function emptyKeyLimitState(spentNanoUsd = 0): KeyLimitState {
  return { spentNanoUsd, admits: [], tokens: [] };
}

/** Whether a key has any limit, i.e. whether its requests go through a holder at all. */
export function hasLimits(spec: Pick<KeyLimitSpec, 'budgetNanoUsd' | 'rpmLimit' | 'tpmLimit'>): boolean {
  return spec.budgetNanoUsd !== null || spec.rpmLimit !== null || spec.tpmLimit !== null;
}

function prune(state: KeyLimitState, now: number): void {
  const cutoff = now - WINDOW_MS;
  let i = 0;
  while (i < state.admits.length && state.admits[i]! <= cutoff) i++;
  if (i > 0) state.admits.splice(0, i);
  let j = 0;
  while (j < state.tokens.length && state.tokens[j]![0] <= cutoff) j++;
  if (j > 0) state.tokens.splice(0, j);
}

const usd = (nano: number) => `$${(nano / 1e9).toFixed(2)}`;

/**
 * Admits one request at `now` (recording it for the RPM window) or refuses it. Mutates `state`.
 * Budget: refused once the settled spend reaches the budget; it does not refill with time, so
 * `retryAfterMs` is null. RPM/TPM: `retryAfterMs` is when enough of the window has expired.
 */
export function admit(state: KeyLimitState, spec: KeyLimitSpec, now: number): Admission {
  prune(state, now);
  if (spec.budgetNanoUsd !== null && state.spentNanoUsd >= spec.budgetNanoUsd) {
    return {
      ok: false, limit: 'budget', retryAfterMs: null,
      message: `This API key has used its budget (${usd(state.spentNanoUsd)} of ${usd(spec.budgetNanoUsd)}).`,
    };
  }
  if (spec.rpmLimit !== null && state.admits.length >= spec.rpmLimit) {
    // The request that frees a slot is the one `rpmLimit` places before the end of the window.
    const freeing = state.admits[state.admits.length - spec.rpmLimit]!;
    return {
      ok: false, limit: 'rpm', retryAfterMs: Math.max(1, freeing + WINDOW_MS - now),
      message: `Rate limit reached for this API key: ${spec.rpmLimit} requests per minute.`,
    };
  }
  if (spec.tpmLimit !== null) {
    let used = 0;
    for (const [, n] of state.tokens) used += n;
    if (used >= spec.tpmLimit) {
      // Wait until the oldest entries have left the window and the rest is under the limit.
      let left = used;
      let at = now;
      for (const [t, n] of state.tokens) {
        left -= n;
        at = t + WINDOW_MS;
        if (left < spec.tpmLimit) break;
      }
      return {
        ok: false, limit: 'tpm', retryAfterMs: Math.max(1, at - now),
        message: `Rate limit reached for this API key: ${spec.tpmLimit} tokens per minute (${used} used in the last minute).`,
      };
    }
  }
  if (spec.rpmLimit !== null) {
    // Sorted: a lease's reserved slots are stamped ahead of now (limits/lease.ts), and pruning reads from the front.
    let i = state.admits.length;
    while (i > 0 && state.admits[i - 1]! > now) i--;
    state.admits.splice(i, 0, now);
  }
  return { ok: true };
}

/**
 * Counts a request that finished at `now`: its cost against the budget and, when `trackTokens`,
 * its tokens (input, cached input and output) in the TPM window. Mutates `state`.
 */
export function settle(state: KeyLimitState, costNanoUsd: number, tokens: number, now: number, trackTokens: boolean): void {
  state.spentNanoUsd += costNanoUsd;
  prune(state, now);
  if (!trackTokens || tokens <= 0) return;
  // Holders call with a clock that only moves forward; keep the list sorted for pruning anyway.
  let i = state.tokens.length;
  while (i > 0 && state.tokens[i - 1]![0] > now) i--;
  state.tokens.splice(i, 0, [now, tokens]);
}
