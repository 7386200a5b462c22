/**
 * The row actions and form-error handling that the channels, groups and keys pages share: one
 * place for how a write's failure lands on the form, how a row is enabled or disabled, and how one
 * is deleted (each with its toast, and a reload so the page shows what the server has).
 */
import { m } from '$lib/paraglide/messages';
import { del, errorMessage, patch } from './api';
import { toast } from './toast.svelte';
import { apiFieldError, type FieldErrors } from './validate';

/** A failed write as form errors: under the field the API named ("name: already exists"), else for the whole form (`_`). */
export function apiErrors(err: unknown): FieldErrors {
  const f = apiFieldError(errorMessage(err));
  return f ? { [f.field]: f.message } : { _: errorMessage(err) };
}

/** The first error of field `key` or of any field under it (`members.0.weight` under `members`). */
export function fieldError(errors: FieldErrors, key: string): string | undefined {
  return errors[key] ?? Object.entries(errors).find(([p]) => p.startsWith(`${key}.`))?.[1];
}

/** Sets `enabled` on a row (`PATCH path`), updating it in place; on failure tells why and reloads. */
export async function setRowEnabled(path: string, row: { name: string; enabled: boolean }, enabled: boolean, reload: () => Promise<void>): Promise<void> {
  try {
    await patch(path, { enabled });
    row.enabled = enabled;
    toast(enabled ? m.crud_enabled({ name: row.name }) : m.crud_disabled({ name: row.name }));
  } catch (e) {
    toast(errorMessage(e), 'error');
    await reload();
  }
}

/** Deletes a row (`DELETE path`), says `done`, reloads; on failure tells why. @returns whether it was deleted. */
export async function deleteRow(path: string, done: string, reload: () => Promise<void>): Promise<boolean> {
  try {
    await del(path);
    toast(done);
    await reload();
    return true;
  } catch (e) {
    toast(errorMessage(e), 'error');
    return false;
  }
}
