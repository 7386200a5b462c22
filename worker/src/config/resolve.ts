/**
 * Which group a requested model name reaches (issue 14.3). Rules, in order:
 * 1. a group's own name (exact, case-sensitive);
 * 2. a group's alias (exact, case-sensitive; the admin API keeps aliases unique and apart from names);
 * 3. a group's patterns (JavaScript regular expressions, admin/patterns.ts checks them at save time),
 *    tried in group id order (the older group first), then in the order the group lists them; the
 *    first match wins. Only enabled groups' patterns are tried, and only for names of at most
 *    MAX_PATTERN_SUBJECT characters.
 * A name that is a group's name or alias never goes on to patterns (even when that group is
 * disabled: it answers 404, it is not caught by another group), so a pattern never shadows one.
 *
 * Built once per configuration snapshot: regexes compile once, and pattern results are cached in a
 * bounded map, so resolving a name costs a map lookup in steady state. Pure (no runtime import).
 */
import type { Group } from '../db/types';

/** Longest requested name that patterns are tried on, characters: a longer name matches no pattern. */
export const MAX_PATTERN_SUBJECT = 256;
/** Distinct pattern-tried names whose result is remembered per snapshot; the cache starts over past it. */
export const RESOLVE_CACHE_SIZE = 2_000;

/** How a name reached its group. */
export type ResolvedVia = 'name' | 'alias' | 'pattern';

/** A resolved name: the group, how it was reached, and for `pattern` the pattern that matched. */
export interface Resolution {
  group: Group;
  via: ResolvedVia;
  /** The pattern's source, only when `via` is `pattern`. */
  pattern?: string;
}

interface CompiledPattern {
  group: Group;
  source: string;
  regex: RegExp;
}

/** A pattern in the slash form, `/source/` or `/source/i`. */
const SLASHED = /^\/(.+)\/(i?)$/s;

/**
 * Compiles a stored pattern as the resolver runs it. A pattern is a JavaScript RegExp source with
 * JavaScript's own semantics (unanchored: write `^…$` to match whole names), or the slash form
 * `/source/i` for a case-insensitive one; `i` is the only flag.
 * @throws SyntaxError when the source does not compile.
 */
export function compilePattern(pattern: string): RegExp {
  const slashed = SLASHED.exec(pattern);
  return slashed ? new RegExp(slashed[1]!, slashed[2]) : new RegExp(pattern);
}

/** Resolves requested names against one configuration's groups. */
export class ModelResolver {
  private readonly exact = new Map<string, Group>();
  private readonly patterns: CompiledPattern[] = [];
  /** Pattern results by name (null: no pattern matched); bounded by RESOLVE_CACHE_SIZE. */
  private readonly cache = new Map<string, Resolution | null>();

  /** `groups` in any order; a pattern that fails to compile (stored before validation existed) is skipped. */
  constructor(groups: Group[]) {
    const byId = [...groups].sort((a, b) => a.id - b.id);
    for (const g of byId) this.exact.set(g.name, g);
    // A name always beats an alias; between aliases (kept unique by the admin API) the older group wins.
    for (const g of byId) for (const a of g.aliases) if (!this.exact.has(a)) this.exact.set(a, g);
    for (const g of byId) {
      if (!g.enabled) continue;
      for (const source of g.patterns) {
        try {
          this.patterns.push({ group: g, source, regex: compilePattern(source) });
        } catch {
          // Unreachable through the admin API; a hand-edited row must not take the relay down.
        }
      }
    }
  }

  /** Whether any group has a pattern (model lists and tests). */
  get hasPatterns(): boolean {
    return this.patterns.length > 0;
  }

  /** The group `name` reaches, or null when none does. */
  resolve(name: string): Resolution | null {
    const group = this.exact.get(name);
    if (group) return { group, via: group.name === name ? 'name' : 'alias' };
    if (this.patterns.length === 0 || name.length > MAX_PATTERN_SUBJECT) return null;
    const hit = this.cache.get(name);
    if (hit !== undefined) return hit;
    let found: Resolution | null = null;
    for (const p of this.patterns) {
      if (p.regex.test(name)) {
        found = { group: p.group, via: 'pattern', pattern: p.source };
        break;
      }
    }
    // Clearing at the cap keeps the bound without bookkeeping; names are client input, so the cap matters.
    if (this.cache.size >= RESOLVE_CACHE_SIZE) this.cache.clear();
    this.cache.set(name, found);
    return found;
  }
}
