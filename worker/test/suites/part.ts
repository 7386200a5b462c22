/**
 * Splitting a shared suite's tests between harnesses: the Node mode runs every test on its first
 * database and, on the others, only the tests whose outcome can depend on the dialect (the rule
 * and why: node/harness.ts `suitePart`). Kept apart from harness.ts, which the benchmarks import
 * outside vitest.
 */
import { describe, it } from 'vitest';

/**
 * Which tests of a shared suite to register on one harness (the Node mode's rule, node/harness.ts
 * `suitePart`):
 * - 'all': every test (the edge, and the Node mode's first database);
 * - 'store': only the tests whose outcome can depend on the database dialect: those that read or
 *   write SQL themselves (`h.query`, `h.exec`), restart the gateway on its database
 *   (`h.restart`), or read the persisted routing state (`h.routingState`).
 */
export type SuitePart = 'all' | 'store';

/**
 * `it` for a test of `kind` ('wire': asserts on what crosses HTTP and routing, reaching the
 * database only through the Store API; 'store': see SuitePart) when `part` includes it; otherwise
 * a function that registers nothing (that test runs on another harness), so a report lists no
 * skipped tests that were never meant to run there. Only the plain call form `(name, fn, timeout?)`
 * is meant to be used on the result.
 */
export function itFor(part: SuitePart, kind: 'wire' | 'store'): typeof it {
  if (part === 'all' || kind === 'store') return it;
  return (() => undefined) as unknown as typeof it;
}

/**
 * `describe` for a block whose tests are all of `kind`, by the same rule as itFor: a block with no
 * test on this harness must not be registered at all (vitest fails an empty suite).
 */
export function describeFor(part: SuitePart, kind: 'wire' | 'store'): typeof describe {
  if (part === 'all' || kind === 'store') return describe;
  return (() => undefined) as unknown as typeof describe;
}
