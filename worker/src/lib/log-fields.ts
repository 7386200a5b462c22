/** What a log line may carry. */
import { withoutQueryParams } from './redact';

/**
 * Log fields made safe to print: every string value loses the bound parameters a driver error
 * carries (withoutQueryParams); an Error becomes its message, likewise cleaned.
 */
export function safeLogFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return fields;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = typeof v === 'string' ? withoutQueryParams(v) : v instanceof Error ? withoutQueryParams(String(v.message)) : v;
  }
  return out;
}
