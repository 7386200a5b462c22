/**
 * The dashboard's translations (dashboard/messages/{locale}.json, compiled by paraglide): every
 * locale has exactly the same keys, no value is empty, each translation uses the same {inputs} as
 * the English, and no user-visible English is left as a literal in the .svelte markup. Plus the
 * browser-language matching of dashboard/src/lib/locale.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES, matchLocale } from '../../../dashboard/src/lib/locale';

const dashboard = join(__dirname, '../../../dashboard');

function messages(locale: string): Record<string, string> {
  const json = JSON.parse(readFileSync(join(dashboard, 'messages', `${locale}.json`), 'utf8')) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === '$schema') continue;
    expect(typeof v, `${locale}: ${k} is not a plain string`).toBe('string');
    out[k] = v as string;
  }
  return out;
}

/** Messages whose translations may use none of the English inputs (a count without its noun). */
const DROPS_INPUTS = new Set<string>();

/** The `{name}` inputs of a message, sorted. */
function inputs(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!).sort();
}

describe('dashboard messages', () => {
  const en = messages('en');

  it('the project lists the same locales as lib/locale.ts', () => {
    const settings = JSON.parse(readFileSync(join(dashboard, 'project.inlang', 'settings.json'), 'utf8')) as { baseLocale: string; locales: string[] };
    expect(settings.baseLocale).toBe('en');
    expect(settings.locales).toEqual([...LOCALES]);
  });

  it('has English messages', () => {
    expect(Object.keys(en).length).toBeGreaterThan(50);
  });

  for (const locale of LOCALES) {
    it(`${locale}: exactly the English keys, none empty, no unknown inputs`, () => {
      const t = messages(locale);
      const missing = Object.keys(en).filter((k) => !(k in t));
      const extra = Object.keys(t).filter((k) => !(k in en));
      expect(missing, `${locale} lacks these keys`).toEqual([]);
      expect(extra, `${locale} has keys English lacks`).toEqual([]);
      const empty = Object.entries(t).filter(([, v]) => v.trim() === '').map(([k]) => k);
      expect(empty, `${locale} has empty values`).toEqual([]);
      // A translation may leave an input out (Chinese counts need no noun), never use one English lacks.
      const mismatched = Object.keys(en).filter((k) => inputs(t[k]!).some((i) => !inputs(en[k]!).includes(i)));
      expect(mismatched, `${locale} uses inputs English does not have`).toEqual([]);
      const dropped = Object.keys(en).filter((k) => inputs(t[k]!).length === 0 && inputs(en[k]!).length > 0 && !DROPS_INPUTS.has(k));
      expect(dropped, `${locale} drops every input of these`).toEqual([]);
    });
  }

  it('Chinese translations are not English left in place', () => {
    // A few keys may legitimately read the same (a product name, an API term); anything else is untranslated.
    const same = new Set(['overview_tokens', 'connect_base_url', 'connect_shell', 'ch_quoted']);
    for (const locale of ['zh-CN', 'zh-TW']) {
      const t = messages(locale);
      const untouched = Object.keys(en).filter((k) => !same.has(k) && t[k] === en[k] && /[A-Za-z]{3}/.test(en[k]!));
      expect(untouched, `${locale} has English values`).toEqual([]);
    }
  });
});

describe('matchLocale', () => {
  it('takes the first language the dashboard speaks', () => {
    expect(matchLocale(['en-US', 'en'])).toBe('en');
    expect(matchLocale(['fr-FR', 'zh-CN', 'en'])).toBe('zh-CN');
    expect(matchLocale(['de', 'en-GB'])).toBe('en');
    expect(matchLocale(['ja', 'ko'])).toBe('en');
    expect(matchLocale([])).toBe('en');
  });
  it('Chinese by script and region', () => {
    expect(matchLocale(['zh'])).toBe('zh-CN');
    expect(matchLocale(['zh-Hans-CN'])).toBe('zh-CN');
    expect(matchLocale(['zh-SG'])).toBe('zh-CN');
    expect(matchLocale(['zh-TW'])).toBe('zh-TW');
    expect(matchLocale(['zh-HK'])).toBe('zh-TW');
    expect(matchLocale(['zh-MO'])).toBe('zh-TW');
    expect(matchLocale(['zh-Hant'])).toBe('zh-TW');
    expect(matchLocale(['ZH-hant-HK'])).toBe('zh-TW');
  });
});

/**
 * Text in .svelte markup that a person sees but that is not a message call: text nodes and the
 * literal values of attributes people read or hear (title, aria-label, placeholder, alt, and the
 * components' text props). Scripts, styles, comments and `{…}` expressions are left out.
 */
function englishLiterals(source: string): string[] {
  let s = source.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  // Drop {…} expressions (balanced braces; strings inside may hold braces of their own).
  let out = '';
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (depth > 0) {
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = null;
      } else if (c === '/' && s[i + 1] === '/') i = s.indexOf('\n', i) - 1; // a JS comment in an expression
      else if (c === '/' && s[i + 1] === '*') i = s.indexOf('*/', i) + 1;
      else if (c === "'" || c === '"' || c === '`') quote = c;
      else if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) out += '\u0000';
      }
      continue;
    }
    if (c === '{') depth = 1;
    else out += c;
  }
  s = out;
  const found: string[] = [];
  const words = /[A-Za-z]{2,}/;
  // Attribute values people read or hear.
  const attr = /\s(?:title|aria-label|aria-description|placeholder|alt|label|description|text|message|confirmLabel|sub|data-label)="([^"]*)"/g;
  for (const match of s.matchAll(attr)) if (words.test(match[1]!)) found.push(match[1]!.trim());
  // Text nodes: what lies between tags once the tags are gone.
  const text = s.replace(/<[^>]*>/g, '\u0000');
  for (const piece of text.split('\u0000')) {
    const t = piece.replace(/\s+/g, ' ').trim();
    if (t && words.test(t)) found.push(t);
  }
  return found;
}

/** Literals that are no language (the product's name, the sample key's prefix, the sample group name): removed before looking for words. */
const ALLOWED = ['octopus-edge', 'sk-oe-…', 'your-group'];

function isEnglish(text: string): boolean {
  let t = text;
  for (const a of ALLOWED) t = t.split(a).join('');
  return /[A-Za-z]{2,}/.test(t);
}

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? svelteFiles(join(dir, e.name)) : e.name.endsWith('.svelte') ? [join(dir, e.name)] : []));
}

describe('dashboard markup', () => {
  const files = svelteFiles(join(dashboard, 'src')).map((f) => relative(dashboard, f).split('\\').join('/'));

  it('the scanner finds English where it is', () => {
    expect(englishLiterals('<p class="x">Hello there</p>')).toEqual(['Hello there']);
    expect(englishLiterals('<button aria-label="Close menu">{m.x()}</button>')).toEqual(['Close menu']);
    expect(englishLiterals('<p>{m.a()} <code>{x}</code></p><Modal title={m.t()} />')).toEqual([]);
    expect(englishLiterals('<script>const a = "Some text";</script><p>{a ? "Yes" : "No"}</p>')).toEqual([]);
    expect(englishLiterals('<span aria-label="Step {i}: {s}">x</span>')).toEqual(['Step \u0000: \u0000']);
    expect(englishLiterals("<C data={[\n  // a comment's quote\n  { a: 1 },\n]} />")).toEqual([]);
    expect(isEnglish('· octopus-edge')).toBe(false);
  });

  it('finds every page and component', () => {
    // The check below covers all of them: no page is left out (the pages and components of today).
    for (const f of ['src/routes/channels/+page.svelte', 'src/routes/groups/+page.svelte', 'src/routes/logs/+page.svelte', 'src/routes/my/+page.svelte', 'src/routes/login/+page.svelte', 'src/routes/+layout.svelte']) expect(files).toContain(f);
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  it('has no English literal in any page or component', () => {
    const left: string[] = [];
    for (const f of files) {
      for (const t of englishLiterals(readFileSync(join(dashboard, f), 'utf8'))) if (isEnglish(t)) left.push(`${f}: ${t}`);
    }
    expect(left).toEqual([]);
  });
});

describe('validation messages', () => {
  it('every schema message the dashboard translates is one the gateway writes', () => {
    // lib/validate.ts maps the schemas' exact English onto messages: a reworded schema message would
    // silently fall back to English, so each key must still be found in the gateway's source.
    const validate = readFileSync(join(dashboard, 'src/lib/validate.ts'), 'utf8');
    const table = validate.slice(validate.indexOf('const TRANSLATED'), validate.indexOf('};', validate.indexOf('const TRANSLATED')));
    const keys = [...table.matchAll(/^\s+'([^']+)': m\.(\w+),$/gm)].map((x) => ({ text: x[1]!, key: x[2]! }));
    expect(keys.length).toBeGreaterThanOrEqual(10);
    const sources = ['admin/schemas.ts', 'admin/patterns.ts', 'settings.ts', 'protocols/url.ts']
      .map((f) => readFileSync(join(__dirname, '../../src', f), 'utf8'))
      .join('\n');
    const en = messages('en');
    for (const { text, key } of keys) {
      expect(sources, text).toContain(`'${text}'`);
      expect(en[key], key).toBe(text);
    }
  });
});
