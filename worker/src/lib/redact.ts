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

/**
 * The secret parts of a credential value: the whole value, and the token after an auth scheme
 * (`Bearer sk-…` → also `sk-…`), since an upstream may echo just the token.
 */
export function secretParts(value: string): string[] {
  const m = /^\s*(?:bearer|basic|token|key)\s+(\S+)\s*$/i.exec(value);
  return m ? [value, m[1]!] : [value];
}

/**
 * Redacts secrets from a stream of text chunks whose boundaries may split a secret. Each push
 * returns the text that is safe to send now; a tail that could be the start of a secret is held
 * back until the next chunk (in practice never: SSE chunks end in a newline, which no key starts
 * with), and `end` returns what is left.
 */
export class StreamRedactor {
  private readonly secrets: string[];
  private readonly decoder = new TextDecoder();
  private carry = '';

  constructor(secrets: string[]) {
    this.secrets = [...new Set(secrets.filter((s) => s.length >= 8))];
  }

  /** Whether there is anything to redact at all (callers skip the decode/encode round trip when not). */
  get active(): boolean {
    return this.secrets.length > 0;
  }

  push(chunk: Uint8Array | string): string {
    let text = this.carry + (typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    for (const s of this.secrets) if (text.includes(s)) text = text.split(s).join(REDACTED);
    const hold = this.heldTail(text);
    this.carry = text.slice(text.length - hold);
    return text.slice(0, text.length - hold);
  }

  end(): string {
    const rest = this.carry + this.decoder.decode();
    this.carry = '';
    let text = rest;
    for (const s of this.secrets) if (text.includes(s)) text = text.split(s).join(REDACTED);
    return text;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of a secret. */
  private heldTail(text: string): number {
    let longest = 0;
    for (const s of this.secrets) {
      for (let n = Math.min(s.length - 1, text.length); n > longest; n--) {
        if (text.endsWith(s.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
