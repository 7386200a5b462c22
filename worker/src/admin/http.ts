/**
 * Shared helpers of the admin API: its error shape `{ error: { code, message } }` and body validation.
 */
import { scanJson } from '../relay/body';
import { MAX_JSON_DEPTH } from '../relay/json-depth';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as z from 'zod';
import type { AppEnv } from '../app-env';

/** An admin API error response. */
export function adminError(c: Context<AppEnv>, status: ContentfulStatusCode, code: string, message: string, headers?: Record<string, string>): Response {
  return c.json({ error: { code, message } }, status, headers);
}

/** Human-readable first problem of a zod error, naming the field by its dotted path. */
export function describeIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid body';
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Reads and validates a JSON body. Returns the parsed value, or a 400/415 response to send.
 * Requiring `application/json` also stops cross-site form posts (no CORS preflight for those).
 */
export async function readBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<{ ok: true; value: z.infer<S> } | { ok: false; response: Response }> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    return { ok: false, response: adminError(c, 415, 'unsupported_media_type', 'Send the body as application/json.') };
  }
  let raw: unknown;
  try {
    const text = await c.req.text();
    // Nesting is checked in one cheap pass before parsing builds anything (the size is capped by
    // the admin body limit): a deeply nested body costs microseconds, never a blocked event loop.
    if (scanJson(text, MAX_JSON_DEPTH).tooDeep) {
      return { ok: false, response: adminError(c, 400, 'invalid_json', `The body nests deeper than ${MAX_JSON_DEPTH} levels.`) };
    }
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: adminError(c, 400, 'invalid_json', 'The body is not valid JSON.') };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, response: adminError(c, 400, 'invalid_request', describeIssue(parsed.error)) };
  return { ok: true, value: parsed.data };
}

/** Parses a positive integer route id, or null. */
export function parseId(text: string | undefined): number | null {
  if (!text || !/^\d{1,15}$/.test(text)) return null;
  const n = Number(text);
  return n > 0 ? n : null;
}
