/**
 * Pure list arithmetic for syncing a channel's `models` with what its upstream lists: filter,
 * diff, merge. A sync never deletes: models that vanished upstream stay on the channel and are
 * reported as `missing` so an admin can decide.
 */

/** Outcome of comparing a channel's models with a fetched list. */
export interface ModelDiff {
  /** Fetched but not on the channel yet; unique, sorted (UTF-16 code units). */
  added: string[];
  /** On the channel but no longer listed upstream; unique, in the channel's order. */
  missing: string[];
  /** On the channel and still listed upstream; unique, in the channel's order. */
  kept: string[];
}

/**
 * Keeps the ids matching a channel's `modelFilter`: a JavaScript regular expression built with
 * `new RegExp(filter)` — no flags, so case-sensitive, and unanchored (it matches anywhere in the
 * id; write `^…$` for a whole-id match). A null or empty filter keeps every id.
 * @returns a new array, in the input order.
 * @throws Error `invalid model filter /<filter>/: <reason>` when the filter is not a valid regex.
 */
export function applyModelFilter(ids: readonly string[], filter: string | null): string[] {
  if (filter === null || filter === '') return [...ids];
  let re: RegExp;
  try {
    re = new RegExp(filter);
  } catch (err) {
    throw new Error(`invalid model filter /${filter}/: ${err instanceof Error ? err.message : String(err)}`);
  }
  return ids.filter((id) => re.test(id));
}

/** `ids` without repeats, first occurrence kept. */
function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/**
 * Compares the channel's current models with a fetched list (exact, case-sensitive ids).
 * Duplicates in either input are ignored. Never throws.
 */
export function diffModels(current: readonly string[], fetched: readonly string[]): ModelDiff {
  const have = unique(current);
  const upstream = new Set(fetched);
  const known = new Set(have);
  return {
    added: [...upstream].filter((id) => !known.has(id)).sort(),
    missing: have.filter((id) => !upstream.has(id)),
    kept: have.filter((id) => upstream.has(id)),
  };
}

/**
 * The channel's model list after a sync: every current model in its existing order — including
 * those missing upstream, which are never dropped — followed by the newly fetched ones, sorted.
 * Duplicates are removed (first occurrence kept). Never throws.
 */
export function mergeChannelModels(current: readonly string[], fetched: readonly string[]): string[] {
  return [...unique(current), ...diffModels(current, fetched).added];
}
