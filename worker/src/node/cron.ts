/**
 * Scheduled syncs in Node: one croner job per expression of sync/jobs.ts (the same as wrangler.toml
 * `[triggers]`, in UTC), each running `runScheduledJobs` like the Worker's `scheduled` handler.
 * A job never overlaps itself; `stop()` stops the timers and waits for running jobs (shutdown).
 */
import { Cron } from 'croner';
import { CRON_EXPRESSIONS, runScheduledJobs, type JobPlatform } from '../sync/jobs';

export interface CronJobs {
  /** Stops scheduling and waits for jobs already running, at most `capMs`. */
  stop(capMs: number): Promise<void>;
}

export function startCronJobs(p: JobPlatform, now: () => number = Date.now): CronJobs {
  const running = new Set<Promise<unknown>>();
  const jobs = CRON_EXPRESSIONS.map((expr) => new Cron(expr, { timezone: 'UTC', protect: true, unref: true }, async () => {
    const run = runScheduledJobs(p, expr, now());
    running.add(run);
    try {
      await run;
    } finally {
      running.delete(run);
    }
  }));
  return {
    async stop(capMs) {
      for (const j of jobs) j.stop();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...running]), new Promise((ok) => (timer = setTimeout(ok, capMs)))]);
      clearTimeout(timer);
    },
  };
}
