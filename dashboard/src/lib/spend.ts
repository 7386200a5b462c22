/**
 * Spend arithmetic for the Spend page, kept pure so it is unit-tested (worker/test/unit/dashboard-spend.test.ts):
 * the previous period of a range, the change between two amounts, the burn rate over a range and
 * how long a budget lasts at it. Money in USD, times in ms since epoch, `to` exclusive.
 */

export const DAY = 86_400_000;

/** The period of equal length just before `[from, to)`: `[from - (to - from), from)`. */
export function previousPeriod(from: number, to: number): { from: number; to: number } {
  return { from: from - (to - from), to: from };
}

/**
 * Relative change from `before` to `now` as a ratio (0.25 = +25 %, -1 = all gone); null when
 * there was nothing before (no base to compare with), including when both are zero.
 */
export function percentChange(now: number, before: number): number | null {
  if (!(before > 0)) return null;
  return (now - before) / before;
}

/** The words of the spend formats; English by default, the layout installs the chosen language's (src/lib/i18n.ts). */
export interface SpendWords {
  changeNew: () => string;
  noChange: () => string;
  lessThanADay: () => string;
  moreThanAYear: () => string;
  /** `n` formatted; `one` for a count of 1. */
  aboutDays: (n: string, one: boolean) => string;
  /** The Intl locale numbers are written in. */
  locale: string;
}

const ENGLISH: SpendWords = {
  changeNew: () => 'new',
  noChange: () => 'no change',
  lessThanADay: () => 'less than a day',
  moreThanAYear: () => 'more than a year',
  aboutDays: (n, one) => `about ${n} day${one ? '' : 's'}`,
  locale: 'en-US',
};

let words: SpendWords = ENGLISH;

/** Installs the words of the dashboard's language (English when omitted). */
export function setSpendWords(w: SpendWords = ENGLISH): void {
  words = w;
}

/** "+25%", "−40%", "no change", or "new" when there was nothing before and something now, "—" when nothing at all. */
export function fmtChange(now: number, before: number): string {
  const r = percentChange(now, before);
  if (r === null) return now > 0 ? words.changeNew() : '—';
  const pct = Math.round(r * 100);
  if (pct === 0) return words.noChange();
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct)}%`;
}

/** USD per day spent over `[from, to)`; 0 for an empty or reversed range. */
export function burnRatePerDay(spentUsd: number, from: number, to: number): number {
  const days = (to - from) / DAY;
  return days > 0 ? spentUsd / days : 0;
}

/**
 * A key's budget (over its whole life): what is left (never below 0), the share used (0..1,
 * capped) and, at `ratePerDay`, about how many days the rest lasts (null without spending; 0 when
 * nothing is left).
 */
export function budgetState(budgetUsd: number, spentAllTimeUsd: number, ratePerDay: number): { remainingUsd: number; used: number; daysLeft: number | null } {
  const remainingUsd = Math.max(0, budgetUsd - spentAllTimeUsd);
  const used = budgetUsd > 0 ? Math.min(1, spentAllTimeUsd / budgetUsd) : 1;
  const daysLeft = remainingUsd === 0 ? 0 : ratePerDay > 0 ? remainingUsd / ratePerDay : null;
  return { remainingUsd, used, daysLeft };
}

/** "about 12 days", "less than a day", "about 1 day", "more than a year" (past 365 days). */
export function fmtDaysLeft(days: number): string {
  if (days < 1) return words.lessThanADay();
  // A budget barely touched would read "about 112,594 days": past a year the number says nothing.
  if (days > 365) return words.moreThanAYear();
  const n = Math.round(days);
  return words.aboutDays(n.toLocaleString(words.locale), n === 1);
}

/** Sums of `costUsd` per `key` of series rows. */
export function costByKey(rows: readonly { key: string; costUsd: number }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.key, (m.get(r.key) ?? 0) + r.costUsd);
  return m;
}
