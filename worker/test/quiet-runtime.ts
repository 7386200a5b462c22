/**
 * Drops workerd's reports of peer disconnects from the test run's output.
 *
 * Tests abort requests and cut upstreams on purpose. workerd reports each such closed connection as
 * an "uncaught exception" with a native stack ("Network connection lost", "Broken pipe", `kj ...
 * disconnected`, "premature EOF") even when our code handled it, and vitest-pool-workers writes
 * them straight to the runner's stdout/stderr (its own ignore list misses these), so a passing run
 * was full of traces. Only writes that are entirely such a report are dropped; anything else, and
 * any report of another kind, goes through unchanged.
 */
const REPORT = /^(uncaught exception|exception = kj\/)/;
const DISCONNECT = /(disconnected|Network connection lost|Broken pipe|premature EOF)/;
/** Every line of a report is the report's header or workerd's native stack of addresses. */
const REPORT_LINE = /^(uncaught exception.*|exception = kj\/.*|stack: .*workerd@[0-9a-f]+.*|)$/;

/** True for a write made only of disconnect reports. */
export function isDisconnectReport(text: string): boolean {
  const lines = text.split('\n');
  return REPORT.test(lines[0] ?? '') && DISCONNECT.test(text) && lines.every((l) => REPORT_LINE.test(l));
}

/** Wraps the process's stdout and stderr writers with the filter (idempotent). */
export function quietWorkerdDisconnects(): void {
  for (const stream of [process.stdout, process.stderr] as const) {
    const marked = stream as NodeJS.WriteStream & { quietDisconnects?: boolean };
    if (marked.quietDisconnects) continue;
    marked.quietDisconnects = true;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' && isDisconnectReport(chunk.replace(/\x1b\[[0-9;]*m/g, ''))) {
        const done = rest.find((a) => typeof a === 'function') as (() => void) | undefined;
        done?.();
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
