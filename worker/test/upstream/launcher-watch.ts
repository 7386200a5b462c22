/**
 * Stop a CLI when whatever launched it is gone.
 *
 * `npx tsx file.ts` runs as npm exec → `sh -c tsx …` → tsx → node. A supervisor's SIGTERM to the
 * PID it started (npm exec) reaches only the shell, which dies without passing it on; tsx and our
 * node process are re-parented to init and would serve forever. This watch notices the broken
 * chain (our parent, or our parent's parent, changed) and calls `stop`.
 *
 * Linux only (reads /proc); elsewhere it does nothing. Polls every `intervalMs` (default 500 ms)
 * with an unref'd timer, so it never keeps the process alive by itself.
 */
import { readFileSync } from 'node:fs';

/** The parent PID of `pid` from /proc/<pid>/stat, or undefined when unreadable (gone, not Linux). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4 is the ppid; the command (field 2) may hold spaces and parentheses, so split after its last ')'.
    const afterCommand = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(afterCommand[1]);
  } catch {
    return undefined;
  }
}

/** Calls `stop` once, when our parent or grandparent process is replaced (re-parented to init or a subreaper). */
export function stopWhenLauncherExits(stop: () => void, intervalMs = 500): void {
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  if (grandparent === undefined) return;
  const timer = setInterval(() => {
    if (process.ppid !== parent || parentOf(parent) !== grandparent) {
      clearInterval(timer);
      stop();
    }
  }, intervalMs);
  timer.unref();
}
