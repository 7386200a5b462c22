/**
 * Form validation with the API's own zod schemas: field path → first message, in the dashboard's
 * language. zod's own messages come from its Chinese locales (zod/locales, set with z.config when
 * the page is in Chinese); the schemas' own words (worker/src/admin/schemas.ts) through TRANSLATED.
 */
import * as z from 'zod';
import { zhCN, zhTW } from 'zod/locales';
import { m } from '$lib/paraglide/messages';
import { currentLocale } from './i18n';

{
  const locale = currentLocale();
  if (locale === 'zh-CN') z.config(zhCN());
  else if (locale === 'zh-TW') z.config(zhTW());
}

/** The schemas' own messages (exact English text) and their translations; others are shown as the API wrote them. */
const TRANSLATED: Record<string, () => string> = {
  'must not be empty': m.val_not_empty,
  'must be an http(s) URL': m.val_http_url,
  'must be a header name': m.val_header_name,
  'must not contain line breaks or NUL': m.val_no_line_breaks,
  'must not contain spaces or any of : ? #': m.val_no_spaces,
  'must be a valid regular expression': m.val_regex,
  'must be at least 12 characters': m.val_min_12,
  'must not carry credentials: put them in keys or headers': m.val_no_credentials,
  'needs at least one key': m.val_one_key,
  'lists the same alias twice': m.val_alias_twice,
  'lists the same pattern twice': m.val_pattern_twice,
  'endpoint types must be unique': m.val_endpoint_unique,
};

/** A message of the schemas or the API in the dashboard's language when it is one we know, else as it is. */
export function localizeMessage(message: string): string {
  return TRANSLATED[message]?.() ?? message;
}

export type FieldErrors = Record<string, string>;

export function validate<S extends z.ZodType>(schema: S, value: unknown): { ok: true; value: z.infer<S> } | { ok: false; errors: FieldErrors } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    // Shown under its field: a "path: " the message starts with would only repeat the label.
    errors[key] ??= localizeMessage(key === '_' ? issue.message : stripFieldPrefix(issue.message));
  }
  return { ok: false, errors };
}

/** The API names the field before a colon ("name: already exists"): map it back onto the form. */
export function apiFieldError(message: string): { field: string; message: string } | null {
  const f = /^([a-zA-Z][\w.]*): (.+)$/.exec(message);
  return f ? { field: f[1]!, message: localizeMessage(f[2]!) } : null;
}

/** "keys: needs at least one key" → "needs at least one key" (for a message placed under its field). */
export function stripFieldPrefix(message: string): string {
  return apiFieldError(message)?.message ?? message;
}
