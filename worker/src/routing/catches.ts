/**
 * The names a group's patterns caught recently (issue 14.3), for the group page: a small bounded
 * record kept by the group's holder (Durable Object on the edge, in-process holder on Node), fed
 * by each finished request's record. Memory only: a holder that restarts (a Durable Object evicted
 * after idling, a Node restart) starts empty. Pure.
 */

/** Distinct names kept per group; the least recently seen goes first past it. */
export const MAX_CATCHES = 20;
/** Longest name kept, characters (names are client input). */
const MAX_NAME = 256;

/** One caught name. Times in ms since epoch. */
export interface PatternCatch {
  /** The name the client sent. */
  model: string;
  /** The pattern that caught it (the latest one, if the group's patterns changed). */
  pattern: string;
  /** Requests with this name since the holder started. */
  count: number;
  firstAt: number;
  lastAt: number;
}

/** A bounded, most-recent-first record of pattern catches. */
export class CatchLog {
  /** By name; Map order is recency order (oldest first): a hit is re-inserted at the end. */
  private readonly byName = new Map<string, PatternCatch>();

  constructor(private readonly max: number = MAX_CATCHES) {}

  /** Notes one request that `pattern` brought to the group under `model`, at `at` (ms). */
  note(model: string, pattern: string, at: number): void {
    const name = model.slice(0, MAX_NAME);
    const seen = this.byName.get(name);
    this.byName.delete(name);
    this.byName.set(name, seen ? { ...seen, pattern, count: seen.count + 1, lastAt: Math.max(seen.lastAt, at) } : { model: name, pattern, count: 1, firstAt: at, lastAt: at });
    if (this.byName.size > this.max) this.byName.delete(this.byName.keys().next().value!);
  }

  /** Notes a finished request's record when a pattern brought it; other records are ignored. */
  noteRecord(record: { time: number; requested?: { model: string; via: string; pattern?: string } }): void {
    const r = record.requested;
    if (r?.via === 'pattern' && r.pattern !== undefined) this.note(r.model, r.pattern, record.time);
  }

  /** Every kept catch, most recent first. */
  list(): PatternCatch[] {
    return [...this.byName.values()].reverse();
  }
}
