/**
 * Assembles Vertex AI streamed function-call arguments (`streamFunctionCallArguments`):
 * a call opens with `functionCall {name, willContinue: true}`, then parts carry
 * `functionCall.partialArgs [{jsonPath, stringValue | numberValue | boolValue | nullValue, willContinue}]`
 * (a string value arrives in pieces while its `willContinue` is true), and an empty `functionCall {}`
 * closes it. Source: Vertex AI reference "FunctionCall.partialArgs / PartialArg"; recorded in
 * fixture gemini/vercel__google-stream-tool-call-arguments.chunks.txt.
 */
import { field, isObject, type Json } from './wire';

type PathSegment = string | number;

/**
 * Parses a JSONPath of the simple form the API emits: `$`, `.name`, `[0]`, `['name']`, `["name"]`.
 * Undefined for anything else.
 */
export function parseJsonPath(path: string): PathSegment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: PathSegment[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  let at = 1;
  while (at < path.length) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (!m) return undefined;
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'));
    at = re.lastIndex;
  }
  return segments;
}

function getAt(root: Json, path: PathSegment[]): unknown {
  let node: unknown = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

function setAt(root: Json, path: PathSegment[], value: unknown): void {
  if (path.length === 0) return;
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i] as PathSegment;
    const nextIsIndex = typeof path[i + 1] === 'number';
    let child = node[seg];
    if (child === null || typeof child !== 'object') {
      child = nextIsIndex ? [] : {};
      node[seg] = child;
    }
    node = child as Record<string | number, unknown>;
  }
  node[path[path.length - 1] as PathSegment] = value;
}

/** One function call whose arguments arrive in pieces. */
export class PartialArgs {
  readonly args: Json;
  /** Paths whose string value is still being continued. */
  private continuing = new Set<string>();

  constructor(initial?: unknown) {
    this.args = isObject(initial) ? structuredClone(initial) : {};
  }

  /** Applies a `partialArgs` list; malformed entries are skipped. */
  apply(list: unknown): void {
    if (!Array.isArray(list)) return;
    for (const entry of list) {
      if (!isObject(entry)) continue;
      const jsonPath = field(entry, 'jsonPath');
      if (typeof jsonPath !== 'string') continue;
      const path = parseJsonPath(jsonPath);
      if (!path) continue;
      this.applyOne(entry, jsonPath, path);
    }
  }

  private applyOne(entry: Json, key: string, path: PathSegment[]): void {
    const str = field(entry, 'stringValue');
    if (typeof str === 'string') {
      const prev = getAt(this.args, path);
      setAt(this.args, path, this.continuing.has(key) && typeof prev === 'string' ? prev + str : str);
      if (field(entry, 'willContinue') === true) this.continuing.add(key);
      else this.continuing.delete(key);
      return;
    }
    this.continuing.delete(key);
    const num = field(entry, 'numberValue');
    const bool = field(entry, 'boolValue');
    if (typeof num === 'number') setAt(this.args, path, num);
    else if (typeof bool === 'boolean') setAt(this.args, path, bool);
    else if (field(entry, 'nullValue') !== undefined) setAt(this.args, path, null);
  }
}
