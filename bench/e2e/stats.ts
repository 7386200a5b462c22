/** Small statistics for the benchmark: quantiles of samples, and "median (min…max)" over rounds. */

/** The q-quantile (0..1) of `xs` by nearest rank; NaN for no samples. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export const median = (xs: number[]) => quantile(xs, 0.5);

/** Median, min and max of per-round values (NaN values dropped). */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: number[]): Spread {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** A number with `digits` significant decimals chosen by size: 0.123, 1.23, 12.3, 1,234. */
export function num(x: number, unit = ''): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  const s = a >= 1000 ? Math.round(x).toLocaleString('en-US') : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
  return s + unit;
}

/** "median (min…max)", or just the median when there was one round; `signed` writes +x / −x. */
export function fmt(s: Spread, unit = '', signed = false): string {
  if (s.n === 0) return '—';
  const f = (x: number, u = '') => (signed && x >= 0 ? '+' : '') + num(x, u);
  if (s.n === 1 || s.min === s.max) return f(s.median, unit);
  return `${f(s.median, unit)} (${f(s.min)}…${f(s.max)})`;
}

/** A ratio as "×1.23 (×0.9…×1.5)". */
export function fmtRatio(s: Spread): string {
  if (s.n === 0) return '—';
  const r = (x: number) => (Number.isFinite(x) ? `×${num(x)}` : '—');
  if (s.n === 1 || s.min === s.max) return r(s.median);
  return `${r(s.median)} (${r(s.min)}…${r(s.max)})`;
}
