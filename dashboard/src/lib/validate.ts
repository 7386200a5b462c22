/** Form validation with the API's own zod schemas: field path → first message. */
import type * as z from 'zod';

export type FieldErrors = Record<string, string>;

export function validate<S extends z.ZodType>(schema: S, value: unknown): { ok: true; value: z.infer<S> } | { ok: false; errors: FieldErrors } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    // Shown under its field: a "path: " the message starts with would only repeat the label.
    errors[key] ??= key === '_' ? issue.message : stripFieldPrefix(issue.message);
  }
  return { ok: false, errors };
}

/** The API names the field before a colon ("name: already exists"): map it back onto the form. */
export function apiFieldError(message: string): { field: string; message: string } | null {
  const m = /^([a-zA-Z][\w.]*): (.+)$/.exec(message);
  return m ? { field: m[1]!, message: m[2]! } : null;
}

/** "keys: needs at least one key" → "needs at least one key" (for a message placed under its field). */
export function stripFieldPrefix(message: string): string {
  return apiFieldError(message)?.message ?? message;
}
