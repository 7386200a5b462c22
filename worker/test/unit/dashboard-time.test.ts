/**
 * The dashboard's time rule (dashboard/src/lib/time.ts): local days in the browser's zone, DST days
 * of 23 and 25 hours, half-hour zones, and hourly API rows summed into those days.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { addLocalDays, fmtUtc, HOUR, hourFloor, lastLocalDays, localDayStart, sumIntoLocalDays, utcOffset, zoneLabel } from '../../../dashboard/src/lib/time';

const savedTz = process.env.TZ;
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** Node reads TZ again when it changes: each case sets the zone it is about. */
const inZone = (tz: string) => (process.env.TZ = tz);

describe('dashboard time rule', () => {
  it('local days follow DST: New York’s 2026-03-08 has 23 hours, 2026-11-01 has 25', () => {
    inZone('America/New_York');
    const days = lastLocalDays(3, Date.UTC(2026, 2, 9, 18));
    expect(days.map((d) => new Date(d).toISOString())).toEqual(['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect((days[2]! - days[1]!) / HOUR).toBe(23);
    const fall = localDayStart(Date.UTC(2026, 10, 1, 12));
    expect((addLocalDays(fall, 1) - fall) / HOUR).toBe(25);
    expect(utcOffset(Date.UTC(2026, 0, 15))).toBe('UTC−05:00');
    expect(zoneLabel(Date.UTC(2026, 6, 15))).toBe('America/New_York (UTC−04:00)');
  });

  it('sums hourly rows into local days, per key, every hour counted once', () => {
    inZone('America/New_York');
    const days = lastLocalDays(3, Date.UTC(2026, 2, 9, 18));
    const rows = [];
    // Every hour from the first local midnight to the end of the third day, for two keys.
    for (let h = days[0]!; h < addLocalDays(days[2]!, 1); h += HOUR) {
      rows.push({ bucket: h, key: 'a', requests: 1, costUsd: 0.5 }, { bucket: h, key: 'b', requests: 2, costUsd: 0 });
    }
    rows.push({ bucket: days[0]! - HOUR, key: 'a', requests: 100, costUsd: 100 }); // before the range: dropped
    const summed = sumIntoLocalDays(rows, days);
    expect(summed.map((r) => [new Date(r.bucket).toISOString().slice(0, 10), r.key, r.requests])).toEqual([
      ['2026-03-07', 'a', 24], ['2026-03-07', 'b', 48],
      ['2026-03-08', 'a', 23], ['2026-03-08', 'b', 46],
      ['2026-03-09', 'a', 24], ['2026-03-09', 'b', 48],
    ]);
    expect(summed[2]!.costUsd).toBe(11.5);
  });

  it('a half-hour zone: the local day starts inside a UTC hour; its rows start at that hour', () => {
    inZone('Asia/Kolkata');
    const now = Date.UTC(2026, 11, 7, 4, 13);
    const midnight = localDayStart(now);
    expect(new Date(midnight).toISOString()).toBe('2026-12-06T18:30:00.000Z');
    expect(new Date(hourFloor(midnight)).toISOString()).toBe('2026-12-06T18:00:00.000Z');
    expect(utcOffset(now)).toBe('UTC+05:30');
    // The hourly row of 18:00 UTC (23:30 local, the day before) goes to the day it starts in.
    const days = lastLocalDays(2, now);
    const summed = sumIntoLocalDays([{ bucket: Date.UTC(2026, 11, 6, 18), key: '', n: 1 }, { bucket: Date.UTC(2026, 11, 6, 19), key: '', n: 1 }], days);
    expect(summed.map((r) => [r.bucket === days[0], r.n])).toEqual([[true, 1], [false, 1]]);
  });

  it('UTC on hover, and the zone label says UTC in UTC', () => {
    inZone('UTC');
    expect(fmtUtc(Date.UTC(2026, 11, 7, 4, 13, 15, 999))).toBe('2026-12-07 04:13:15 UTC');
    expect(fmtUtc(null)).toBe('');
    expect(zoneLabel()).toBe('UTC');
  });
});
