/**
 * Request overrides as the channel and group forms edit them: the body patch as JSON text (checked
 * as it is typed, with the gateway's own rules), headers as rows that set a value or remove the
 * header.
 */
import type { ChannelOverrides } from '$gateway/db/types';
import { overridesProblem } from '$gateway/lib/overrides';

export interface OverrideHeaderRow {
  name: string;
  value: string;
  /** Remove the header instead of setting it. */
  remove: boolean;
}

export interface OverridesForm {
  /** The body patch as JSON text; empty = none. */
  body: string;
  headers: OverrideHeaderRow[];
}

/** The form for stored overrides (credential header values come as their hint; sent back, they keep the stored value). */
export function overridesToForm(o: ChannelOverrides | null | undefined): OverridesForm {
  return {
    body: o?.body ? JSON.stringify(o.body, null, 2) : '',
    headers: Object.entries(o?.headers ?? {}).map(([name, v]) => ({ name, value: v ?? '', remove: v === null })),
  };
}

/** Whether the form holds any override. */
export function hasOverrides(f: OverridesForm): boolean {
  return f.body.trim() !== '' || f.headers.some((h) => h.name.trim() !== '');
}

/** What is wrong with the body patch text as typed, in plain words, or null. */
export function bodyPatchProblem(text: string): string | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
  return overridesProblem({ body: value });
}

/**
 * The overrides to send for the form: null when it holds none; an error (in plain words, the part
 * named first) when the body is not valid JSON.
 */
export function overridesFromForm(f: OverridesForm): { ok: true; value: ChannelOverrides | null } | { ok: false; error: string } {
  const out: ChannelOverrides = {};
  if (f.body.trim() !== '') {
    try {
      out.body = JSON.parse(f.body) as Record<string, unknown>;
    } catch (e) {
      return { ok: false, error: `body: not valid JSON (${e instanceof Error ? e.message : String(e)})` };
    }
  }
  const rows = f.headers.filter((h) => h.name.trim() !== '');
  if (rows.length) out.headers = Object.fromEntries(rows.map((h) => [h.name.trim(), h.remove ? null : h.value]));
  return { ok: true, value: out.body || out.headers ? out : null };
}

/**
 * The form errors under `prefix` (`overrides`, `members.0.overrides`) as lines naming the part
 * (`body.stream: cannot be overridden …`).
 */
export function overridesErrors(errors: Record<string, string>, prefix: string): string[] {
  return Object.entries(errors)
    .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
    .map(([k, m]) => (k === prefix ? m : `${k.slice(prefix.length + 1)}: ${m}`));
}
