/**
 * Encoded forms of a secret, and a leak detector that decodes them, written independently of
 * worker/src/lib (regular expressions and the platform's atob): the tests build the forms an
 * upstream could echo with one, and check the gateway's output with the other.
 *
 * Shared by the unit tests and the integration suites (no Node-only import).
 */

const hex4 = (c: number) => c.toString(16).padStart(4, '0');
const pct = (c: number) => `%${c.toString(16).padStart(2, '0')}`;

/** base64 of `prefix` bytes + the secret + a few bytes after it (so no padding hides the end). */
function base64Around(secret: string, prefix: number, urlSafe: boolean): string {
  let bin = 'x'.repeat(prefix);
  for (const b of new TextEncoder().encode(secret)) bin += String.fromCharCode(b);
  const b64 = btoa(`${bin}!?>`);
  return urlSafe ? b64.replace(/\+/g, '-').replace(/\//g, '_') : b64;
}

/** The forms an upstream may echo a secret in, by name. */
export function forms(secret: string): Record<string, string> {
  const chars = [...secret];
  return {
    plain: secret,
    'json \\u lower': chars.map((c) => `\\u${hex4(c.charCodeAt(0))}`).join(''),
    'json \\u upper': chars.map((c) => `\\u${hex4(c.charCodeAt(0)).toUpperCase()}`).join(''),
    'json first char only': `\\u${hex4(secret.charCodeAt(0))}${secret.slice(1)}`,
    'json mixed + \\/': chars.map((c, i) => (c === '/' ? '\\/' : i % 3 === 0 ? `\\u${hex4(c.charCodeAt(0))}` : i % 3 === 1 ? `\\u${hex4(c.charCodeAt(0)).toUpperCase()}` : c)).join(''),
    'nested json': chars.map((c, i) => (c === '/' ? '\\\\\\/' : i % 2 ? `\\\\u${hex4(c.charCodeAt(0))}` : c)).join(''),
    'url lower': chars.map((c) => pct(c.charCodeAt(0))).join(''),
    'url mixed case': chars.map((c, i) => (i % 2 ? pct(c.charCodeAt(0)).toUpperCase() : i % 3 ? c : pct(c.charCodeAt(0)))).join(''),
    'url + json mixed': chars.map((c, i) => (i % 2 ? pct(c.charCodeAt(0)) : `\\u${hex4(c.charCodeAt(0))}`)).join(''),
    'base64 align 0': base64Around(secret, 0, false),
    'base64 align 1': base64Around(secret, 1, false),
    'base64 align 2': base64Around(secret, 2, false),
    'base64url align 0': base64Around(secret, 0, true),
    'base64url align 1': base64Around(secret, 1, true),
    'base64url align 2': base64Around(secret, 2, true),
    'base64 in json with \\/': base64Around(secret, 1, false).replace(/\//g, '\\/'),
    'base64 percent-encoded': base64Around(secret, 2, false).replace(/[+/=]/g, (c) => pct(c.charCodeAt(0)).toUpperCase()),
  };
}

/** One round of JSON and percent unescaping (as a client, a browser or a log viewer would do). */
function unescapeOnce(text: string): string {
  return text
    .replace(/\\+u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\+([/"])/g, '$1')
    .replace(/%([0-7][0-9a-fA-F])/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Every base64 run (either alphabet, escapes undone) decoded at each of its 4 character offsets. */
function base64Decodings(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9+/_-]{8,}/g)) {
    const run = m[0].replace(/-/g, '+').replace(/_/g, '/');
    for (let off = 0; off < 4; off++) {
      const body = run.slice(off);
      try {
        out.push(atob(body.slice(0, body.length - (body.length % 4))));
      } catch {
        // not base64 at this offset
      }
    }
  }
  return out;
}

/** Whether `text` shows `secret` plainly or in any form of {@link forms} (nested escapes included). */
export function leaks(text: string, secret: string): boolean {
  let t = text;
  for (let round = 0; round < 4; round++) {
    if (t.includes(secret)) return true;
    if (base64Decodings(t).some((d) => d.includes(secret))) return true;
    const next = unescapeOnce(t);
    if (next === t) break;
    t = next;
  }
  return false;
}
