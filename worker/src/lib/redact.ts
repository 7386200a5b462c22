/**
 * Keeps secrets out of what the gateway repeats. Upstreams sometimes echo the key they were sent
 * ("Incorrect API key provided: sk-…"); every upstream text that reaches a client, the health view
 * or a log goes through a redactor for the key used on that attempt.
 */

export const REDACTED = '[redacted]';

/** A function that replaces every occurrence of each secret (at least 8 characters) in a text. */
export function redactor(...secrets: string[]): (text: string) => string {
  const list = secrets.filter((s) => s.length >= 8);
  return (text) => {
    let out = text;
    for (const s of list) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  };
}

/**
 * Drops the bound parameters a database driver appends to its error messages ("params: …"):
 * they may hold channel headers or other secrets being written.
 */
export function withoutQueryParams(message: string): string {
  const at = message.search(/\bparams:/i);
  return at === -1 ? message : `${message.slice(0, at)}params: [omitted]`;
}
