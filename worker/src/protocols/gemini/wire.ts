/**
 * Small helpers for reading Gemini wire JSON.
 *
 * The Gemini API is a proto3 service exposed as JSON, so every field may arrive in lowerCamelCase
 * (what the SDKs and Gemini CLI send) or in its original snake_case (proto3 JSON mapping: parsers
 * accept both; see https://protobuf.dev/programming-guides/json/). Readers here accept both.
 */

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `thoughtSignature` → `thought_signature`. */
export function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `thought_signature` → `thoughtSignature` (camelCase input is returned unchanged). */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Value of a field named in camelCase, accepting its snake_case spelling too. */
export function field(o: Json, camel: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snakeCase(camel)];
}

/** A string field, or undefined when absent or not a string. */
export function stringField(o: Json, camel: string): string | undefined {
  const v = field(o, camel);
  return typeof v === 'string' ? v : undefined;
}

/** A finite number field, or undefined when absent or not a number. */
export function numberField(o: Json, camel: string): number | undefined {
  const v = field(o, camel);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The entries of `o` whose (camelCased) names are not in `known`. */
export function unknownFields(o: Json, known: ReadonlySet<string>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (!known.has(camelCase(k))) out[k] = v;
  return out;
}

/** True when `o` has no own keys. */
export function isEmpty(o: Json): boolean {
  return Object.keys(o).length === 0;
}

/** Parses JSON text into an object; undefined when it is not valid JSON or not an object. */
export function parseObject(text: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Strips the `models/` resource prefix Gemini uses in URLs and model names. */
export function stripModelsPrefix(model: string): string {
  return model.startsWith('models/') ? model.slice('models/'.length) : model;
}

/** Makes a string safe for a tool call id (`[A-Za-z0-9_-]`, which every provider accepts). */
export function idSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A random id suffix (Web Crypto, available in Workers and Node 20). */
export function randomId(): string {
  return crypto.randomUUID().replace(/-/g, '').slice(0, 24);
}

/** Decodes base64 to UTF-8 text (invalid sequences become U+FFFD); undefined when not base64. */
export function base64ToText(b64: string): string | undefined {
  try {
    const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/').replace(/\s+/g, ''));
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return new TextDecoder('utf-8').decode(bytes);
  } catch {
    return undefined;
  }
}
