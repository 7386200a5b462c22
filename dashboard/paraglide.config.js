// The paraglide compiler's options, shared by the Vite plugin (vite.config.ts) and the compile
// step before type checks (scripts/paraglide.mjs): messages/{locale}.json compiled into
// tree-shakable functions in src/lib/paraglide (generated, not committed). The locale: the choice
// saved in localStorage (the language menu), else the browser's languages (custom-browser, defined
// in src/lib/i18n.ts), else English.

/** @type {import('@inlang/paraglide-js').CompilerOptions} */
export const paraglideOptions = {
  project: './project.inlang',
  outdir: './src/lib/paraglide',
  strategy: ['localStorage', 'custom-browser', 'baseLocale'],
  localStorageKey: 'oe-locale',
  // Pinned: the Vite plugin's default is "locale-modules" (every message of a language in one module)
  // unless NODE_ENV is production, and a clean CI build got that: the login page loaded 268.6 KiB of
  // JavaScript. One module per message lets each page load only its own words.
  outputStructure: 'message-modules',
};
