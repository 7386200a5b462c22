/**
 * The time ranges the overview and the Spend page offer, in the browser's time zone (lib/time.ts):
 * `days` null means hourly buckets from `start`; otherwise that many local calendar days, summed
 * from the API's hourly rows. Times in ms since epoch.
 */
import { formatLocale } from './format';
import { hourFloor, HOUR, lastLocalDays, localDayStart } from './time';

export const ranges = {
  today: { label: 'Today', days: null, start: (now: number) => hourFloor(localDayStart(now)) },
  '24h': { label: 'Last 24 hours', days: null, start: (now: number) => hourFloor(now) - 23 * HOUR },
  '7d': { label: 'Last 7 days', days: 7, start: (now: number) => hourFloor(lastLocalDays(7, now)[0]!) },
  '30d': { label: 'Last 30 days', days: 30, start: (now: number) => hourFloor(lastLocalDays(30, now)[0]!) },
} as const;
export type RangeKey = keyof typeof ranges;

/** Bucket starts of range `r`: hours, or local-day starts (oldest first). */
export function bucketsFor(r: RangeKey, now: number): number[] {
  const { days, start } = ranges[r];
  if (days !== null) return lastLocalDays(days, now);
  const out: number[] = [];
  for (let t = start(now); t <= hourFloor(now); t += HOUR) out.push(t);
  return out;
}

/** An axis label in the browser's zone and the dashboard's language: "14:00" for an hour, "Dec 7" (12月7日) for a day. */
export function bucketLabel(t: number, r: RangeKey): string {
  const d = new Date(t);
  return ranges[r].days === null
    ? d.toLocaleTimeString(formatLocale(), { hour: '2-digit', minute: '2-digit', hour12: false })
    : d.toLocaleDateString(formatLocale(), { month: 'short', day: 'numeric' });
}

/** Every 4th local hour (00:00, 04:00, …), every 5th day counting back from today, or all when few. */
export function ticksFor(buckets: number[], r: RangeKey): boolean[] {
  if (buckets.length <= 8) return buckets.map(() => true);
  if (ranges[r].days === null) return buckets.map((b) => new Date(b).getHours() % 4 === 0);
  return buckets.map((_, i) => (buckets.length - 1 - i) % 5 === 0);
}
