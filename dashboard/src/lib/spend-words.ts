/**
 * The spend formats (lib/spend.ts) and the time ranges' labels in the dashboard's language, for the
 * overview and Spend pages only (kept out of lib/i18n.ts, which the layout of every page loads).
 */
import { m } from '$lib/paraglide/messages';
import { currentLocale } from './i18n';
import { intlLocale } from './locale';
import { setSpendWords } from './spend';

/** The spend formats (lib/spend.ts) in the dashboard's language; called by the Spend page. */
export function installSpendWords(): void {
  setSpendWords({
    changeNew: () => m.spend_change_new(),
    noChange: () => m.spend_no_change(),
    lessThanADay: () => m.spend_less_than_a_day(),
    moreThanAYear: () => m.spend_more_than_a_year(),
    aboutDays: (n, one) => (one ? m.spend_about_days_one({ n }) : m.spend_about_days_many({ n })),
    locale: intlLocale(currentLocale()),
  });
}

/** The label of a time range (lib/ranges.ts keys) in the dashboard's language. */
export function rangeLabel(key: 'today' | '24h' | '7d' | '30d'): string {
  return { today: m.range_today, '24h': m.range_24h, '7d': m.range_7d, '30d': m.range_30d }[key]();
}
