/**
 * The dashboard's language, through paraglide (messages in dashboard/messages/{locale}.json,
 * compiled by the Vite plugin into src/lib/paraglide). The locale is the one saved in localStorage
 * (`oe-locale`, written by the language menu), else the first of the browser's languages the
 * dashboard speaks (lib/locale.ts), else English. Switching saves the choice and reloads the page,
 * so every message, chart and format is drawn once in the new language.
 */
import { defineCustomClientStrategy, getLocale, overwriteGetLocale, setLocale } from '$lib/paraglide/runtime';
import { m } from '$lib/paraglide/messages';
import { setFormatLocale } from './format';
import { intlLocale, matchLocale, type AppLocale } from './locale';

// Must run before the first getLocale(): this module is imported by the root layout.
// The browser's languages are only read: a choice is saved by the localStorage strategy.
defineCustomClientStrategy('custom-browser', {
  getLocale: () => (typeof navigator === 'undefined' ? undefined : matchLocale(navigator.languages?.length ? navigator.languages : [navigator.language])),
  setLocale: () => {},
});

// The locale only changes by reloading the page (changeLocale), so it is resolved once, not by
// reading localStorage again on each of the hundreds of message calls a table of logs makes.
const resolved = getLocale();
overwriteGetLocale(() => resolved);

/** The locale the page is drawn in. */
export function currentLocale(): AppLocale {
  return getLocale();
}

/** Saves `locale` as the choice (localStorage) and reloads the page in it. */
export function changeLocale(locale: AppLocale): void {
  if (locale !== getLocale()) void setLocale(locale);
}

/**
 * Applies the locale to what is outside the messages: the document's `lang` (fonts, screen
 * readers, hyphenation), the number/date formats of lib/format.ts with their words. That module (like lib/breakdown.ts
 * and lib/spend.ts, see below) stays free of paraglide so the gateway's unit tests can import it.
 */
export function applyLocale(): void {
  const locale = getLocale();
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  setFormatLocale(intlLocale(locale), {
    never: () => m.fmt_never(),
    justNow: () => m.fmt_just_now(),
    ago: (time) => m.fmt_ago({ time }),
    in: (time) => m.fmt_in({ time }),
    seconds: (n) => m.fmt_seconds_short({ n }),
    minutes: (n) => m.fmt_minutes_short({ n }),
    hours: (n) => m.fmt_hours_short({ n }),
    days: (n) => m.fmt_days_short({ n }),
    withinAMinute: () => m.fmt_within_a_minute(),
    withinSeconds: (n) => m.fmt_within_seconds({ n }),
    withinMinutes: (n) => m.fmt_within_minutes({ n }),
  });
}

/** A piece of a message with markup: plain text, or the slot (`{name}`) it stands for. */
export type RichPart = { text: string; slot?: undefined } | { text: string; slot: string };

/**
 * Splits a message that has markup slots into parts a template can render, so a translation can
 * move a link or `<code>` anywhere in its sentence without HTML in the messages: call the message
 * with `slots(names)` as its inputs and pass the result here.
 */
export function richParts(text: string): RichPart[] {
  const out: RichPart[] = [];
  for (const [i, piece] of text.split('\u0001').entries()) {
    if (i % 2 === 1) out.push({ text: '', slot: piece });
    else if (piece) out.push({ text: piece });
  }
  return out;
}

/** Inputs that mark each named slot for richParts. */
export function slots<K extends string>(...names: K[]): Record<K, string> {
  return Object.fromEntries(names.map((n) => [n, `\u0001${n}\u0001`])) as Record<K, string>;
}
