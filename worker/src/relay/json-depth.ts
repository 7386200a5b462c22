/**
 * Nesting depth of parsed JSON. Request bodies deeper than MAX_JSON_DEPTH are refused with a 400:
 * encoders walk bodies recursively, and a body nested 100,000 levels deep would overflow the stack
 * (a 500) instead of getting a clear answer. No real request comes close (tool schemas: ~10).
 */

/** Deepest nesting of arrays and objects accepted in a request body. */
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests arrays/objects deeper than `max` levels. Iterative: safe on any input. */
export function jsonDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
