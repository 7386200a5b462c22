/** The client's disconnect for a relay handler: the runtime's own source when it has one, else the Request's signal. */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { AbortSource } from '../lib/abort';

/** Aborted when the client goes away (see Platform.clientSignal for why Node has its own). */
export function clientSignalOf(c: Context<AppEnv>): AbortSource {
  return c.get('platform').clientSignal?.() ?? c.req.raw.signal;
}
