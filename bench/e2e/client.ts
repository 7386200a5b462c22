/**
 * The benchmark's own HTTP client, for what wrk cannot time: streams (time to first body byte and
 * total stream time, per stream) and a sequential latency probe with a timestamp per request (to
 * see what a stats flush does to the requests around it). undici with a keep-alive Agent, so the
 * client's own cost stays small and the same for every target.
 */
import { Agent, request } from 'undici';

/** What one load run sends: a POST with a JSON body built per request (its marker must be unique). */
export interface Load {
  /** Full URL, e.g. http://127.0.0.1:8080/v1/chat/completions. */
  url: string;
  headers: Record<string, string>;
  /** The body of request number `n` of worker `w`. */
  body(w: number, n: number): string;
  /** A complete answer ends with this (a stream's last frame, e.g. `[DONE]` or `message_stop`); checked on the last 256 bytes. */
  endsWith?: string;
  /** Text of the first content delta (e.g. `word0`): its arrival is the time to first token. */
  firstContent?: string;
}

/** One finished request. Times in ms from the start of the request. */
export interface Sample {
  /** performance.now() when it was sent. */
  at: number;
  /** Time to the first body byte. */
  ttfb: number;
  /** Time to the first content (Load.firstContent), or the first byte when there is none to look for. */
  ttft: number;
  /** Time to the end of the body. */
  total: number;
}

export interface LoadResult {
  samples: Sample[];
  /** Requests that failed: non-200 status, a network error, or a body that did not end as expected. */
  failures: number;
  /** The first few failure reasons. */
  errors: string[];
  /** Wall time of the run, ms. */
  wallMs: number;
}

const agent = new Agent({ connections: 256, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });

async function once(load: Load, w: number, n: number): Promise<Sample> {
  const at = performance.now();
  const { statusCode, body } = await request(load.url, { method: 'POST', headers: load.headers, body: load.body(w, n), dispatcher: agent });
  let ttfb = -1;
  let ttft = load.firstContent ? -1 : 0;
  let tail = '';
  for await (const chunk of body) {
    if (ttfb < 0) ttfb = performance.now() - at;
    const joined = tail + (chunk as Buffer).toString('latin1');
    if (ttft < 0 && joined.includes(load.firstContent!)) ttft = performance.now() - at;
    tail = joined.slice(-256);
  }
  const total = performance.now() - at;
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode}: ${tail.slice(0, 200)}`);
  if (load.endsWith && !tail.trimEnd().endsWith(load.endsWith)) throw new Error(`answer did not end with ${load.endsWith}: …${tail.slice(-120)}`);
  if (ttft < 0) throw new Error(`no ${load.firstContent} in the answer`);
  ttfb = ttfb < 0 ? total : ttfb;
  return { at, ttfb, ttft: load.firstContent ? ttft : ttfb, total };
}

/**
 * `concurrency` workers each send requests back to back until `durationMs` has passed; a request
 * started before the deadline is finished, so every request sent is accounted for.
 */
export async function runLoad(load: Load, concurrency: number, durationMs: number): Promise<LoadResult> {
  const samples: Sample[] = [];
  const errors: string[] = [];
  let failures = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    for (let n = 0; performance.now() < deadline; n++) {
      try {
        samples.push(await once(load, w, n));
      } catch (err) {
        failures++;
        if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  }));
  return { samples, failures, errors, wallMs: performance.now() - start };
}

/** Sequential requests until `until()` says stop (checked between requests) or `maxMs` passed. */
export async function runProbe(load: Load, until: () => boolean, maxMs: number): Promise<LoadResult> {
  const samples: Sample[] = [];
  const errors: string[] = [];
  let failures = 0;
  const start = performance.now();
  for (let n = 0; !until() && performance.now() - start < maxMs; n++) {
    try {
      samples.push(await once(load, 0, n));
    } catch (err) {
      failures++;
      if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { samples, failures, errors, wallMs: performance.now() - start };
}

/** Closes the client's connections (end of the run). */
export function closeClient(): Promise<void> {
  return agent.close();
}
