/**
 * The order vitest starts test files in: the files that take minutes first, then vitest's own order
 * (BaseSequencer: failed last time first, then slowest last time, then largest file).
 *
 * Why: files run several at a time (vitest.config.ts maxWorkers), and a long file started last is
 * the run's tail, with the other workers idle. On a clean clone (CI) vitest has no timings cached
 * yet and starts files by size, edge project first, so the minute-long Node files started last.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files of the parallel group (vitest.config.ts; the files that run alone are not here),
 * longest first, as measured on the shared 2-core machine (vitest json report, Dec 7 2026, load
 * ~10): the Node suites on three databases (failover ~55 s, accounting ~50 s, log-tail ~45 s, admin
 * ~40 s, relay ~40 s, overrides ~38 s, hardening ~33 s, backup ~33 s) and
 * the process test shutdown (~25 s). Their files are a few lines each, so vitest's by-size order
 * for a clean clone started them last.
 */
const LONG_FILES = [
  'worker/test/node/failover.test.ts',
  'worker/test/node/accounting.test.ts',
  'worker/test/node/log-tail.test.ts',
  'worker/test/node/admin.test.ts',
  'worker/test/node/relay.test.ts',
  'worker/test/node/overrides.test.ts',
  'worker/test/node/hardening.test.ts',
  'worker/test/node/backup.test.ts',
  'worker/test/node/shutdown.test.ts',
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
