/** Number, money and time formatting shared by every page. */
const int = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

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
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
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
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A ratio 0..1 → "98.5%". */
export function fmtPct(r: number | null | undefined): string {
  if (r === null || r === undefined) return '—';
  return `${(r * 100).toFixed(r === 1 || r === 0 ? 0 : 1)}%`;
}

/** ms since epoch → date and time in the browser's zone (lib/time.ts: the zone is named on the page, UTC on hover). */
export function fmtTime(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** ms since epoch → "5 min ago" / "in 3 h". */
export function fmtRelative(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return 'never';
  const d = ms - now;
  const abs = Math.abs(d);
  const unit = abs < 60_000 ? [Math.round(abs / 1000), 's'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 86_400_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  const text = `${unit[0]} ${unit[1]}`;
  if (abs < 5000) return 'just now';
  return d < 0 ? `${text} ago` : `in ${text}`;
}

/** A countdown "1:05" for the seconds left until `until`. */
export function fmtCountdown(until: number, now: number): string {
  const s = Math.max(0, Math.ceil((until - now) / 1000));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** How soon something written every `seconds` shows up: "within a minute", "within 5 seconds". */
export function fmtWithin(seconds: number): string {
  if (seconds === 60) return 'within a minute';
  if (seconds < 60) return `within ${seconds} seconds`;
  const min = Math.round(seconds / 60);
  return min === 1 ? 'within a minute' : `within ${min} minutes`;
}
