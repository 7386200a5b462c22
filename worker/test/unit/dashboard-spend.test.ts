/** The Spend page's arithmetic (dashboard/src/lib/spend.ts, issue 15 item 6). */
import { describe, expect, it } from 'vitest';
import { budgetState, burnRatePerDay, costByKey, DAY, fmtChange, fmtDaysLeft, percentChange, previousPeriod } from '../../../dashboard/src/lib/spend';

describe('spend arithmetic', () => {
  it('takes the previous period of equal length, ending where the range starts', () => {
    expect(previousPeriod(10 * DAY, 17 * DAY)).toEqual({ from: 3 * DAY, to: 10 * DAY });
    expect(previousPeriod(1000, 1001)).toEqual({ from: 999, to: 1000 });
  });

  it('compares with the previous period in percent, with no base when nothing was spent before', () => {
    expect(percentChange(15, 10)).toBeCloseTo(0.5, 9);
    expect(percentChange(5, 10)).toBeCloseTo(-0.5, 9);
    expect(percentChange(0, 10)).toBe(-1);
    expect(percentChange(3, 0)).toBeNull();
    expect(percentChange(0, 0)).toBeNull();
    expect(fmtChange(15, 10)).toBe('+50%');
    expect(fmtChange(5, 10)).toBe('−50%');
    expect(fmtChange(10.001, 10)).toBe('no change');
    expect(fmtChange(3, 0)).toBe('new');
    expect(fmtChange(0, 0)).toBe('—');
  });

  it('burns USD per day over the range, and says how long a budget lasts at that rate', () => {
    expect(burnRatePerDay(14, 0, 7 * DAY)).toBeCloseTo(2, 9);
    expect(burnRatePerDay(1, 0, DAY / 24)).toBeCloseTo(24, 9); // an hour's spend, per day
    expect(burnRatePerDay(5, 10, 10)).toBe(0);
    expect(budgetState(100, 40, 2)).toEqual({ remainingUsd: 60, used: 0.4, daysLeft: 30 });
    expect(budgetState(100, 40, 0)).toEqual({ remainingUsd: 60, used: 0.4, daysLeft: null });
    expect(budgetState(100, 130, 2)).toEqual({ remainingUsd: 0, used: 1, daysLeft: 0 });
    expect(budgetState(0, 0, 0)).toEqual({ remainingUsd: 0, used: 1, daysLeft: 0 });
    expect(fmtDaysLeft(0.4)).toBe('less than a day');
    expect(fmtDaysLeft(1.2)).toBe('about 1 day');
    expect(fmtDaysLeft(29.6)).toBe('about 30 days');
    expect(fmtDaysLeft(365)).toBe('about 365 days');
    expect(fmtDaysLeft(112_594)).toBe('more than a year');
  });

  it('sums cost per series key', () => {
    expect(costByKey([{ key: '1', costUsd: 1 }, { key: '2', costUsd: 2 }, { key: '1', costUsd: 0.5 }])).toEqual(new Map([['1', 1.5], ['2', 2]]));
  });
});
