/**
 * The dashboard's languages and how a browser's preferences map onto them. Pure (no paraglide
 * import), so the gateway's unit tests can check it; src/lib/i18n.ts wires it into paraglide.
 */

/** The locales messages exist for (dashboard/project.inlang/settings.json), English first: the base. */
export const LOCALES = ['en', 'zh-CN', 'zh-TW'] as const;
export type AppLocale = (typeof LOCALES)[number];

/** Each language named in itself, for the language menu (never translated: a reader finds their own). */
export const LANGUAGE_NAMES: Record<AppLocale, string> = { en: 'English', 'zh-CN': '简体中文', 'zh-TW': '繁體中文' };

/**
 * The first of the browser's languages (`navigator.languages`, BCP 47 tags, most preferred first)
 * that the dashboard speaks; English when none is. Chinese goes by script: Traditional for
 * `zh-Hant`, Taiwan, Hong Kong and Macau, Simplified otherwise (`zh`, `zh-CN`, `zh-SG`, `zh-Hans`).
 */
export function matchLocale(languages: readonly string[]): AppLocale {
  for (const raw of languages) {
    const tag = raw.toLowerCase();
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
    if (tag === 'zh' || tag.startsWith('zh-')) {
      const parts = tag.split('-').slice(1);
      if (parts.includes('hant') || parts.some((p) => p === 'tw' || p === 'hk' || p === 'mo')) return 'zh-TW';
      return 'zh-CN';
    }
  }
  return 'en';
}

/** The Intl locale numbers and dates are written with: en-US for English (as before), else the locale itself. */
export function intlLocale(locale: AppLocale): string {
  return locale === 'en' ? 'en-US' : locale;
}
