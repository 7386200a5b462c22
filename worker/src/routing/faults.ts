/**
 * Which upstream answers are the channel's fault (try the next candidate, count against the member)
 * and which are the request's own (return to the client, no retry, no penalty). See DESIGN.md
 * "Fault classes".
 */

/** Statuses below 500 that say the channel (its key, quota, model, capacity) failed, not the request. */
const CHANNEL_FAULT_4XX = new Set([401, 402, 403, 404, 408, 409, 425, 429]);

/**
 * Class of an upstream HTTP status. 0 stands for "no response" (network error, timeout); a 3xx
 * (redirects are not followed) means the channel's base URL is wrong: a channel fault.
 */
export function classifyStatus(status: number): 'ok' | 'channel' | 'client' {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 0 || status >= 500 || (status >= 300 && status < 400) || CHANNEL_FAULT_4XX.has(status)) return 'channel';
  return 'client';
}
