/**
 * Request overrides of a channel and of a group member (db/types.ts ChannelOverrides): a JSON
 * merge patch for the upstream body and header sets/removals, checked once when stored and
 * compiled once per configuration snapshot, so a request to a channel without overrides pays a
 * single map lookup.
 *
 * Guard rails (checked by {@link overridesProblem}, refused by the admin API with 400):
 * - body: must be a JSON object; top-level `model` (the member's upstream model is the way to set
 *   it, and accounting prices by it), `stream` and `stream_options` (the gateway streams exactly
 *   when the client asked, and OpenAI Chat streams must carry usage for accounting) are refused;
 * - headers: names are HTTP tokens (RFC 9110 §5.6.2), stored lower-case; values carry no CR, LF
 *   or NUL; the channel key's header (`authorization`, `x-api-key`, `x-goog-api-key`) and what the
 *   gateway owns on the wire (`host`, `content-length`, `content-type`, `accept`,
 *   `accept-encoding`, `connection`, `transfer-encoding`) can be neither set nor removed;
 * - size: at most {@link OVERRIDES_MAX_CHARS} characters of JSON, nesting at most
 *   {@link OVERRIDES_MAX_DEPTH} levels, at most {@link OVERRIDES_MAX_HEADERS} headers.
 *
 * Merge: written here rather than taken from a package (json-merge-patch and the like mutate the
 * target in place, and the gateway's targets share nested objects with the decoded request); the
 * RFC 7396 algorithm is ten lines.
 */
import type { ChannelOverrides } from '../db/types';

/** Largest overrides value, characters of its JSON text. */
export const OVERRIDES_MAX_CHARS = 16 * 1024;
/** Deepest nesting of an overrides value (the value itself is level 1). */
export const OVERRIDES_MAX_DEPTH = 16;
/** Most header entries in one overrides value. */
export const OVERRIDES_MAX_HEADERS = 50;

/** Top-level body members a patch may not touch, with why. */
export const FORBIDDEN_BODY_KEYS: Readonly<Record<string, string>> = {
  model: 'the upstream model is the member\'s `upstreamModel`, and usage is priced by it',
  stream: 'the gateway streams exactly when the client asked to',
  stream_options: 'the gateway sets it so a stream reports usage for accounting',
};

/** Header names an override may neither set nor remove: the channel key's and the wire's own. */
export const FORBIDDEN_OVERRIDE_HEADERS: ReadonlySet<string> = new Set([
  'authorization', 'x-api-key', 'x-goog-api-key',
  'host', 'content-length', 'content-type', 'accept', 'accept-encoding', 'connection', 'transfer-encoding',
]);

/** An HTTP field name (token, RFC 9110 §5.6.2). */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * RFC 7396 JSON merge patch, without changing `target` or `patch`: a patch that is not an object
 * replaces the target; in an object patch, `null` removes the member, an object merges into the
 * target's member (an absent or non-object member counts as `{}`), anything else replaces it.
 * Objects on the patched paths are copied; untouched members are shared with `target`.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete out[name];
    // defineProperty: a member named `__proto__` (JSON allows it) stays a plain member.
    else Object.defineProperty(out, name, { value: applyMergePatch(out[name], value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Nesting depth of a JSON value: 0 for a scalar, 1 for an object or array of scalars. */
function depthOf(v: unknown, limit: number): number {
  if (typeof v !== 'object' || v === null) return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(v)) deepest = Math.max(deepest, depthOf(child, limit - 1));
  return 1 + deepest;
}

/** A problem with an overrides value: where (`['body', 'stream']`, empty for the value itself) and what. */
export interface OverridesIssue {
  path: string[];
  message: string;
}

/**
 * What is wrong with an overrides value, or null when it is valid. `null` (no overrides) is valid.
 * Checks shape, size and depth first, then the guard rails (see the module comment).
 */
export function overridesIssue(value: unknown): OverridesIssue | null {
  const at = (path: string[], message: string): OverridesIssue => ({ path, message });
  if (value === null) return null;
  if (!isObject(value)) return at([], 'must be an object with `body` and/or `headers`, or null');
  for (const k of Object.keys(value)) if (k !== 'body' && k !== 'headers') return at([k], 'unknown field (expected `body` or `headers`)');
  const text = JSON.stringify(value);
  if (text.length > OVERRIDES_MAX_CHARS) return at([], `must be at most ${OVERRIDES_MAX_CHARS} characters of JSON (is ${text.length})`);
  if (depthOf(value, OVERRIDES_MAX_DEPTH + 1) > OVERRIDES_MAX_DEPTH) return at([], `must nest at most ${OVERRIDES_MAX_DEPTH} levels deep`);
  const { body, headers } = value;
  if (body !== undefined) {
    if (!isObject(body)) return at(['body'], 'must be a JSON object (a merge patch of the upstream body)');
    for (const k of Object.keys(body)) {
      if (Object.hasOwn(FORBIDDEN_BODY_KEYS, k)) return at(['body', k], `cannot be overridden (${FORBIDDEN_BODY_KEYS[k]})`);
    }
  }
  if (headers !== undefined) {
    if (!isObject(headers)) return at(['headers'], 'must be an object of header name → value (or null to remove)');
    const names = Object.keys(headers);
    if (names.length > OVERRIDES_MAX_HEADERS) return at(['headers'], `at most ${OVERRIDES_MAX_HEADERS} headers`);
    const seen = new Set<string>();
    for (const name of names) {
      const here = ['headers', name];
      if (!HTTP_TOKEN.test(name) || name.length > 100) return at(here, 'must be a header name (letters, digits and !#$%&\'*+-.^_`|~, at most 100)');
      const lower = name.toLowerCase();
      if (FORBIDDEN_OVERRIDE_HEADERS.has(lower)) return at(here, 'cannot be set or removed by an override (the gateway owns it)');
      if (seen.has(lower)) return at(here, 'named twice');
      seen.add(lower);
      const v = headers[name];
      if (v === null) continue;
      if (typeof v !== 'string') return at(here, 'must be a string, or null to remove the header');
      if (v.length > 4096) return at(here, 'at most 4096 characters');
      if (/[\r\n\0]/.test(v)) return at(here, 'must not contain line breaks or NUL');
    }
  }
  return null;
}

/** {@link overridesIssue} in words, the field first (`body.stream: cannot be overridden (…)`), or null. */
export function overridesProblem(value: unknown): string | null {
  const issue = overridesIssue(value);
  if (!issue) return null;
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/**
 * A valid overrides value in its stored form: header names lower-case, empty parts dropped;
 * null when nothing is left (no overrides).
 */
export function normalizeOverrides(value: ChannelOverrides | null | undefined): ChannelOverrides | null {
  if (!value) return null;
  const out: ChannelOverrides = {};
  if (value.body && Object.keys(value.body).length > 0) out.body = value.body;
  if (value.headers && Object.keys(value.headers).length > 0) {
    out.headers = Object.fromEntries(Object.entries(value.headers).map(([n, v]) => [n.toLowerCase(), v]));
  }
  return out.body || out.headers ? out : null;
}

/** A channel's and a member's overrides, combined once per configuration snapshot. */
export interface CompiledOverrides {
  /** Body patches in the order they apply (the channel's, then the member's); empty for none. */
  body: Record<string, unknown>[];
  /**
   * Header edits in the order they apply (lower-case name, value or null to remove), values as
   * stored (credential values sealed: open them with lib/channel-headers.ts openHeaders).
   */
  headers: [string, string | null][];
}

/** The overrides of a member of a channel, combined (channel first); null when neither has any. */
export function compileOverrides(channel: ChannelOverrides | null | undefined, member?: ChannelOverrides | null): CompiledOverrides | null {
  if (!channel && !member) return null;
  const out: CompiledOverrides = { body: [], headers: [] };
  for (const o of [channel, member]) {
    if (!o) continue;
    if (o.body && Object.keys(o.body).length > 0) out.body.push(o.body);
    for (const [name, v] of Object.entries(o.headers ?? {})) out.headers.push([name.toLowerCase(), v]);
  }
  return out.body.length > 0 || out.headers.length > 0 ? out : null;
}

/** `body` with every patch applied in order (not changed itself). */
export function patchBody(body: Record<string, unknown>, patches: readonly Record<string, unknown>[]): Record<string, unknown> {
  let out: unknown = body;
  for (const p of patches) out = applyMergePatch(out, p);
  return out as Record<string, unknown>;
}

/**
 * `headers` with the edits applied in order: a name (any case in `headers`) is removed, then set
 * when the edit has a value. Returns a new object; `headers` is not changed.
 */
export function applyHeaderEdits(headers: Record<string, string>, edits: readonly [string, string | null][]): Record<string, string> {
  const out: Record<string, string> = {};
  const edited = new Set(edits.map(([n]) => n));
  for (const [name, v] of Object.entries(headers)) if (!edited.has(name.toLowerCase())) out[name] = v;
  for (const [name, v] of edits) {
    if (v === null) delete out[name];
    else out[name] = v;
  }
  return out;
}
