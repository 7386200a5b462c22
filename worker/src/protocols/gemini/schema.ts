/**
 * Tool and response schemas between Gemini and JSON Schema.
 *
 * Gemini has two schema fields (Gemini API reference, "Function calling: FunctionDeclaration" and
 * "GenerationConfig"):
 * - `parameters` / `responseSchema`: a `Schema` object, a select subset of OpenAPI 3.0 with
 *   upper-case `type` enums (`OBJECT`, `STRING`, …), `nullable`, and the Gemini-only `propertyOrdering`.
 * - `parametersJsonSchema` / `responseJsonSchema`: plain JSON Schema (mutually exclusive with the above).
 *
 * The canonical form holds JSON Schema, so decoding normalizes the OpenAPI subset, and encoding always
 * uses the `*JsonSchema` fields, which take JSON Schema as is (no keyword stripping needed, so no
 * constraint is lost the way the OpenAPI subset would lose `additionalProperties`, `$ref`, …).
 */
import { isObject, type Json } from './wire';

/** Keys whose value is a map of name → schema. */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'patternProperties']);
/** Keys whose value is one schema. */
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else']);
/** Keys whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);

/** Applies `fn` to every sub-schema of `schema` (one level), returning a new object. */
function mapSubSchemas(schema: Json, fn: (s: unknown) => unknown): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(k) && isObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, fn(sub)]));
    } else if (SCHEMA_VALUES.has(k) && (isObject(v) || Array.isArray(v))) {
      out[k] = Array.isArray(v) ? v.map(fn) : fn(v); // `items` may be a tuple list in older drafts
    } else if (SCHEMA_LISTS.has(k) && Array.isArray(v)) {
      out[k] = v.map(fn);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Lower-cases a `type` value (`"OBJECT"` → `"object"`, `["STRING","NULL"]` → `["string","null"]`). */
function lowerType(t: unknown): unknown {
  if (typeof t === 'string') return t.toLowerCase();
  if (Array.isArray(t)) return t.map((x) => (typeof x === 'string' ? x.toLowerCase() : x));
  return t;
}

/**
 * Lower-cases `type` values throughout a JSON Schema. Gemini CLI sends upper-case OpenAPI types even
 * in `responseJsonSchema`; JSON Schema types are lower-case only, so this is always safe.
 */
export function lowercaseSchemaTypes(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out = mapSubSchemas(schema, lowercaseSchemaTypes);
  if ('type' in out) out.type = lowerType(out.type);
  return out;
}

/**
 * Converts a Gemini `Schema` (OpenAPI 3.0 subset) to JSON Schema: lower-case types, `nullable: true`
 * → a `"null"` type alternative, Gemini-only `propertyOrdering` dropped. Other keywords
 * (format, enum, required, min/max…, anyOf, description, title, default) are already JSON Schema.
 */
export function openApiToJsonSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out = mapSubSchemas(schema, openApiToJsonSchema);
  delete out.propertyOrdering;
  if ('type' in out) out.type = lowerType(out.type);
  if (out.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
  }
  delete out.nullable;
  return out;
}

/** The canonical parameters schema of a tool that takes no arguments. */
export function emptyObjectSchema(): Json {
  return { type: 'object', properties: {} };
}

/** True for a schema that describes an object with no properties and nothing else of note. */
function isEmptyObjectSchema(s: Json): boolean {
  const allowed = new Set(['type', 'properties', 'additionalProperties', 'required', '$schema']);
  if (!Object.keys(s).every((k) => allowed.has(k))) return false;
  if (s.type !== undefined && s.type !== 'object') return false;
  const props = s.properties;
  if (props !== undefined && !(isObject(props) && Object.keys(props).length === 0)) return false;
  return !(Array.isArray(s.required) && s.required.length > 0);
}

/**
 * `parametersJsonSchema` for a canonical tool schema: the schema as is (Gemini CLI itself sends
 * JSON Schema with `$schema` and `additionalProperties` there), or undefined for a tool without
 * arguments (the reference: "For function with no parameters, this can be left unset").
 */
export function toParametersJsonSchema(schema: Json): Json | undefined {
  return isEmptyObjectSchema(schema) ? undefined : schema;
}
