/**
 * Process accounting from Linux's /proc: CPU time (utime + stime) and memory (VmRSS, VmHWM) of the
 * processes under test, so CPU per request is what the kernel charged them, not a guess.
 * Source: proc(5), /proc/PID/stat fields 5 (pgrp), 14 (utime), 15 (stime) in clock ticks;
 * /proc/PID/status VmRSS (resident now) and VmHWM (peak resident), in kB.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we run on). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  pid: number;
  comm: string;
  ppid: number;
  pgrp: number;
  /** utime + stime, clock ticks. */
  ticks: number;
}

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited
  }
  // comm is in parentheses and may contain spaces: split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' '); // f[0] is field 3 (state)
  return { pid, comm, ppid: Number(f[1]), pgrp: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) };
}

/** Every live process whose process group is `pgrp` (a `detached` child and what it spawned). */
export function groupPids(pgrp: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s && s.pgrp === pgrp) out.push(s.pid);
  }
  return out;
}

/** The live children of `ppid` whose command name is `comm`. */
export function childPids(ppid: number, comm: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s && s.ppid === ppid && s.comm === comm) out.push(s.pid);
  }
  return out;
}

/** The command name (comm) of a process, or '' when it is gone. */
export function commOf(pid: number): string {
  return readStat(pid)?.comm ?? '';
}

/** CPU time used so far by each pid, microseconds (a pid that is gone counts 0). */
export function cpuMicros(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const pid of pids) m.set(pid, ((readStat(pid)?.ticks ?? 0) * 1e6) / CLK_TCK);
  return m;
}

/** CPU microseconds used by `pids` between two `cpuMicros` readings. */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let d = 0;
  for (const [pid, v] of after) d += v - (before.get(pid) ?? 0);
  return d;
}

/** Resident memory now and its peak, MiB, summed over `pids`. */
export function memory(pids: number[]): { rssMiB: number; peakMiB: number } {
  let rss = 0;
  let hwm = 0;
  for (const pid of pids) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    rss += Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? 0);
    hwm += Number(/VmHWM:\s+(\d+)/.exec(text)?.[1] ?? 0);
  }
  return { rssMiB: rss / 1024, peakMiB: hwm / 1024 };
}
