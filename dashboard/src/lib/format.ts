/**
 * Number, money and time formatting shared by every page, in the dashboard's language: the layout
 * calls `setFormatLocale` with the chosen locale's Intl tag and its translated words once at start
 * (src/lib/i18n.ts). Until then (and in unit tests) it writes en-US with the English words below.
 */

/** The words the formats use; English by default, the chosen language's from the messages. */
export interface FormatWords {
  never: () => string;
  justNow: () => string;
  /** `time` is already formatted, e.g. "5 min". */
  ago: (time: string) => string;
  in: (time: string) => string;
  seconds: (n: string) => string;
  minutes: (n: string) => string;
  hours: (n: string) => string;
  days: (n: string) => string;
  withinAMinute: () => string;
  withinSeconds: (n: string) => string;
  withinMinutes: (n: string) => string;
}

const ENGLISH: FormatWords = {
  never: () => 'never',
  justNow: () => 'just now',
  ago: (t) => `${t} ago`,
  in: (t) => `in ${t}`,
  seconds: (n) => `${n} s`,
  minutes: (n) => `${n} min`,
  hours: (n) => `${n} h`,
  days: (n) => `${n} d`,
  withinAMinute: () => 'within a minute',
  withinSeconds: (n) => `within ${n} seconds`,
  withinMinutes: (n) => `within ${n} minutes`,
};

let tag = 'en-US';
let words: FormatWords = ENGLISH;
let int = new Intl.NumberFormat(tag);
let compact = new Intl.NumberFormat(tag, { notation: 'compact', maximumFractionDigits: 1 });

/** Switches every format to Intl locale `locale` (e.g. `zh-CN`) and its words; `words` omitted: English. */
export function setFormatLocale(locale: string, w: FormatWords = ENGLISH): void {
  tag = locale;
  words = w;
  int = new Intl.NumberFormat(tag);
  compact = new Intl.NumberFormat(tag, { notation: 'compact', maximumFractionDigits: 1 });
}

/** The Intl locale tag formats are written in (`en-US` unless the layout set another). */
export function formatLocale(): string {
  return tag;
}

/** 1234567 → "1,234,567". */
export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : int.format(Math.round(n));
}

/** 1234567 → "1.2M" (axis labels). */
export function fmtCompact(n: number): string {
  return compact.format(n);
}

/**
 * USD, the same way everywhere: two decimals from $1 ($1,234.56), three significant digits below
 * ($0.0742, $0.000440, $0.000147), so small amounts are never shown as $0.00 and never clipped to
 * a varying number of digits.
 */
export function fmtUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0.00';
  const abs = Math.abs(usd);
  const digits = abs >= 1 ? 2 : Math.min(12, Math.max(2, 2 - Math.floor(Math.log10(abs))));
  const text = abs.toLocaleString(tag, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return (usd < 0 ? '-$' : '$') + text;
}

/** Integer nano-USD → USD. */
export function nanoToUsd(nano: number): number {
  return nano / 1e9;
}

/** Milliseconds: "850 ms", "1.25 s". */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return words.minutes((ms / 60_000).toFixed(1));
}

/** A ratio 0..1 → "98.5%". */
export function fmtPct(r: number | null | undefined): string {
  if (r === null || r === undefined) return '—';
  return `${(r * 100).toFixed(r === 1 || r === 0 ? 0 : 1)}%`;
}

/** ms since epoch → date and time in the browser's zone (lib/time.ts: the zone is named on the page, UTC on hover). */
export function fmtTime(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toLocaleString(tag, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** ms since epoch → "5 min ago" / "in 3 h". */
export function fmtRelative(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return words.never();
  const d = ms - now;
  const abs = Math.abs(d);
  if (abs < 5000) return words.justNow();
  const text =
    abs < 60_000 ? words.seconds(String(Math.round(abs / 1000)))
    : abs < 3_600_000 ? words.minutes(String(Math.round(abs / 60_000)))
    : abs < 86_400_000 ? words.hours(String(Math.round(abs / 3_600_000)))
    : words.days(String(Math.round(abs / 86_400_000)));
  return d < 0 ? words.ago(text) : words.in(text);
}

/** A countdown "1:05" for the seconds left until `until`. */
export function fmtCountdown(until: number, now: number): string {
  const s = Math.max(0, Math.ceil((until - now) / 1000));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** How soon something written every `seconds` shows up: "within a minute", "within 5 seconds". */
export function fmtWithin(seconds: number): string {
  if (seconds === 60) return words.withinAMinute();
  if (seconds < 60) return words.withinSeconds(String(seconds));
  const min = Math.round(seconds / 60);
  return min === 1 ? words.withinAMinute() : words.withinMinutes(String(min));
}
