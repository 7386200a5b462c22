/**
 * Save-time checks of a group's model-name patterns (config/resolve.ts runs them with JavaScript's
 * backtracking RegExp). A pattern must compile (the slash form `/…/i` is the only way to give a
 * flag, and `i` the only flag), be at most MAX_PATTERN_LENGTH characters, and have a bounded
 * matching cost. The pattern is parsed with `ret` (the tokenizer behind safe-regex2) and refused
 * when it has:
 * - a back-reference (matching with one is NP-hard);
 * - a repetition or an alternation inside a repeated part (`(a+)+`, `(a|ab)*`, `(x?)*`): the
 *   exponential shapes. safe-regex2's own star-height rule is not used: it refuses safe everyday
 *   patterns (`-4(-\d+)?`) and lets `(a|a)*` through;
 * - more than MAX_OPEN repetitions without a small bound (`*`, `+`, `{n,}`, `{n,m}` spanning more
 *   than 16), counting a pattern that does not start with `^` as one more (the engine retries at
 *   every start): each adds a polynomial degree; `a.*a.*a.*b` took minutes on a 256-character name;
 * - alternatives and small optional parts whose combinations exceed MAX_CHOICES.
 * With names capped at MAX_PATTERN_SUBJECT characters that bounds a match to roughly
 * MAX_CHOICES × 256² steps. Pure: used by the zod schemas (admin API and dashboard forms).
 */
// The package's entry re-exports with getters that the Workers test runtime cannot load; these two files are the whole API used.
import { tokenizer as ret } from 'ret/dist/tokenizer.js';
import { types } from 'ret/dist/types/types.js';
import type { Tokens } from 'ret/dist/types/tokens.js';
import { compilePattern } from '../config/resolve';

/** Longest pattern, characters. */
export const MAX_PATTERN_LENGTH = 200;
/** Most patterns one group may have. */
export const MAX_PATTERNS = 20;
/** Most open-ended repetitions in one pattern (an unanchored start counts as one). */
const MAX_OPEN = 2;
/** A bounded repetition spanning more than this many counts is treated as open-ended. */
const SMALL_SPAN = 16;
/** Largest product of the alternatives and optional spans of one pattern. */
const MAX_CHOICES = 256;

/** Thrown inside the walk with the reason in plain words. */
class Refused extends Error {}

interface Cost {
  open: number;
  choices: number;
}

/** The options (alternatives) and stack of a group or root token. */
function branches(t: Tokens): Tokens[][] {
  if (t.type === types.ROOT || t.type === types.GROUP) return t.options ?? (t.stack ? [t.stack] : []);
  return [];
}

/** Walks a token; `repeated` is true inside a repetition that can match more than once. */
function walk(t: Tokens, repeated: boolean, cost: Cost): void {
  if (t.type === types.REFERENCE) throw new Refused('must not use back-references (\\1, \\k<name>)');
  if (t.type === types.REPETITION) {
    // ret gives Infinity for an open end (null once serialised).
    const max = t.max ?? Infinity;
    if (max > t.min) {
      if (repeated) throw new Refused('must not repeat a part that is itself repeated or optional, such as (a+)+ or (x?)*: use a character class like [a-z0-9-]* instead');
      if (max === Infinity || max - t.min > SMALL_SPAN) cost.open++;
      else cost.choices *= max - t.min + 1;
    }
    walk(t.value, repeated || max > 1, cost);
    return;
  }
  const options = branches(t);
  if (options.length > 1) {
    if (repeated) throw new Refused('must not repeat an alternation such as (a|ab)*: use a character class, or list the names as separate patterns');
    cost.choices *= options.length;
  }
  for (const stack of options) for (const child of stack) walk(child, repeated, cost);
}

/**
 * Why a pattern cannot be saved, in plain words (to follow the field name), or null when it can.
 * Never throws.
 */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  if (/^\/.+\/[a-z]+$/s.test(pattern) && !/\/i$/.test(pattern)) return 'may only use the i flag (write /…/i)';
  let source: string;
  try {
    source = compilePattern(pattern).source;
  } catch (err) {
    return `is not a valid regular expression (${err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : 'syntax error'})`;
  }
  // ret reads `\1` as a character; the engine reads it as a back-reference when a group exists.
  if (/\\[1-9]|\\k</.test(source)) return 'must not use back-references (\\1, \\k<name>)';
  let root: Tokens;
  try {
    root = ret(source);
  } catch {
    return 'uses syntax the safety check cannot read (lookbehind or Unicode property escapes): rewrite it without';
  }
  const cost: Cost = { open: 0, choices: 1 };
  try {
    walk(root, false, cost);
  } catch (err) {
    if (err instanceof Refused) return err.message;
    throw err;
  }
  const first = root.type === types.ROOT && !root.options ? root.stack?.[0] : undefined;
  const anchored = first?.type === types.POSITION && first.value === '^';
  if (cost.open + (anchored ? 0 : 1) > MAX_OPEN) {
    return anchored
      ? `may have at most ${MAX_OPEN} open-ended repetitions (.*, +, {n,})`
      : `may have at most ${MAX_OPEN - 1} open-ended repetition (.*, +, {n,}) unless it starts with ^`;
  }
  if (cost.choices > MAX_CHOICES) return `has too many combinations of alternatives and optional parts (at most ${MAX_CHOICES})`;
  return null;
}
