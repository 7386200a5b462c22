/**
 * A member's last error in plain words for the health view: "upstream returned 401: invalid key",
 * "timed out after 30 s", "paused after 5 failures in a row, retrying at 14:05". Pure and free of
 * runtime imports, so the dashboard uses it too (with the browser's clock). The raw error (already
 * redacted by the relay: relay/dispatch.ts) stays available as the detail behind a tooltip.
 */
import type { MemberHealth } from './types';

/** What HTTP statuses mean for a gateway user (the upstream's own message follows when it has one). */
const STATUS_WORDS: Record<number, string> = {
  400: 'bad request', 401: 'invalid key', 402: 'payment required (out of credit?)', 403: 'access denied', 404: 'model or endpoint not found',
  408: 'request timeout', 413: 'request too large', 422: 'request not accepted', 429: 'rate limited', 500: 'server error', 502: 'bad gateway',
  503: 'unavailable', 504: 'gateway timeout', 520: 'unknown error', 521: 'server down', 522: 'connection timed out', 524: 'timeout', 529: 'overloaded',
};

/** A plain summary of a member's last error, and the upstream's own words when it had some. */
export interface PlainError {
  /** Short phrase for the label. */
  text: string;
  /** The upstream's message, extracted from its JSON error body when there was one (else the raw text), for the tooltip. */
  detail: string | null;
}

/** The "message" of an upstream JSON error body (OpenAI, Anthropic and Gemini all nest one), even when the body was cut short. */
export function upstreamMessage(raw: string): string | null {
  const m = /"message"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(raw);
  if (!m) return null;
  let text = m[1]!;
  try {
    text = JSON.parse(`"${text}"`) as string;
  } catch {
    text = text.replace(/\\(.)/g, '$1');
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > 0 ? text : null;
}

/** `ms` as seconds for a phrase: "30 s", "1.5 s". */
function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 || Number.isInteger(s) ? Math.round(s) : s.toFixed(1)} s`;
}

/**
 * The phrase for one error: `status` from the upstream (0 for no answer) and the raw error text as
 * the relay stored it. Never returns the raw text as the label unless nothing better is known.
 */
export function describeError(status: number, raw: string | null): PlainError {
  const text = raw ?? '';
  const message = upstreamMessage(text);
  if (status > 0) {
    const words = STATUS_WORDS[status] ?? (status >= 500 ? 'server error' : status >= 400 ? 'request refused' : 'unexpected answer');
    if (status >= 200 && status < 300) return { text: `upstream answered ${status} with an unusable body`, detail: text || null };
    return { text: `upstream returned ${status}: ${words}`, detail: message ?? (text || null) };
  }
  let m: RegExpExecArray | null;
  if ((m = /no response within (\d+) ms/.exec(text))) return { text: `timed out after ${seconds(Number(m[1]))}`, detail: text };
  if ((m = /no data from the upstream for (\d+) ms/.exec(text))) return { text: `stream stalled for ${seconds(Number(m[1]))}`, detail: text };
  if (/stream failed before any content/.test(text)) return { text: 'stream broke before any content', detail: message ?? text };
  if (/cannot be decrypted/.test(text)) return { text: 'stored credentials cannot be decrypted (was ENCRYPTION_KEY changed?)', detail: text };
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|DNS/i.test(text)) return { text: 'could not resolve the upstream host', detail: text };
  if (/ECONNREFUSED|connection refused/i.test(text)) return { text: 'connection refused by the upstream', detail: text };
  if (/ECONNRESET|socket hang up|connection (was )?(lost|reset|closed)/i.test(text)) return { text: 'connection to the upstream was lost', detail: text };
  if (/certificate|TLS|SSL/i.test(text)) return { text: 'TLS error talking to the upstream', detail: text };
  if (/timed? ?out|timeout/i.test(text)) return { text: 'timed out', detail: text };
  if (text) return { text: text.length > 80 ? `${text.slice(0, 79)}…` : text, detail: text.length > 80 ? text : null };
  return { text: 'no answer from the upstream', detail: null };
}

/**
 * The member's last problem in plain words, or null when its last attempt succeeded. An open breaker
 * is said as a pause with its retry time (`clock` formats ms since epoch, e.g. as the browser's HH:MM);
 * the breaker's own terms are left to the tooltip.
 */
export function describeMemberProblem(h: Pick<MemberHealth, 'phase' | 'consecutiveFailures' | 'cooldownUntil' | 'lastStatus' | 'lastError'> | undefined, now: number, clock: (ms: number) => string): PlainError | null {
  if (!h) return null;
  const failed = h.lastError !== null || (h.lastStatus >= 400 && h.lastStatus !== 0);
  const last = failed ? describeError(h.lastStatus, h.lastError) : null;
  if (h.phase === 'open' && h.cooldownUntil > now) {
    const n = h.consecutiveFailures;
    const why = n > 1 ? `${n} failures in a row` : n === 1 ? '1 failure' : 'the upstream asked to wait';
    return { text: `paused: ${why}, retrying at ${clock(h.cooldownUntil)}`, detail: [`breaker open until ${new Date(h.cooldownUntil).toISOString()}`, last && `last error: ${last.text}`, last?.detail].filter(Boolean).join('\n') };
  }
  return last;
}
