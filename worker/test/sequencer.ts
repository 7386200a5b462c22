/**
 * The order vitest starts test files in: the files that take minutes first, then vitest's own order
 * (BaseSequencer: failed last time first, then slowest last time, then largest file).
 *
 * Why: files run several at a time (vitest.config.ts maxWorkers), and a long file started last is
 * the run's tail, with the other workers idle. On a clean clone (CI) vitest has no timings cached
 * yet and would start files by size, edge project first, so the 3-minute files started near the end.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that took over a minute each on the 2-core machine (vitest json report, Dec 2026, load ~9),
 * longest first: journal-kill (~210 s: a child gateway started twice per test, 5 s of load at
 * 100 req/s, on three databases), golden (~170 s: 104 SDK conversions through `wrangler dev`),
 * dev-streams (~90 s: a byte-split stream through `wrangler dev`), db-outage (~70 s).
 */
const LONG_FILES = [
  'worker/test/node/journal-kill.test.ts',
  'worker/test/e2e/golden.test.ts',
  'worker/test/e2e/dev-streams.test.ts',
  'worker/test/node/db-outage.test.ts',
];

/** Rank of a spec among LONG_FILES (lower starts first), or LONG_FILES.length when it is not one of them. */
function rank(spec: TestSpecification): number {
  const i = LONG_FILES.findIndex((f) => spec.moduleId.endsWith(f));
  return i < 0 ? LONG_FILES.length : i;
}

/** BaseSequencer's order with the LONG_FILES moved to the front (stable for the rest). */
export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted.map((spec, i) => ({ spec, i, r: rank(spec) })).sort((a, b) => a.r - b.r || a.i - b.i).map(({ spec }) => spec);
  }
}
