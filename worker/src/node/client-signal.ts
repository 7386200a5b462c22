/**
 * The client's disconnect on Node, from the connection itself. @hono/node-server aborts the
 * Request's signal when the response closes before it finished (or the upload failed), but reading
 * `Request.signal` builds an AbortController (an EventTarget) for every request: this source fires
 * on the same condition at the price of one 'close' listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AbortFlag, type AbortSource } from '../lib/abort';

/**
 * Aborts when `outgoing` closes before its response was completely handed to the socket, or when
 * the upload failed; the reason is the adapter's (the upload's error text, or "Client connection
 * prematurely closed.").
 */
export function connectionSignal(incoming: IncomingMessage, outgoing: ServerResponse): AbortSource {
  const flag = new AbortFlag();
  const onClose = () => {
    if (incoming.errored) flag.abort(incoming.errored.toString());
    else if (!outgoing.writableFinished) flag.abort('Client connection prematurely closed.');
  };
  if (outgoing.closed) onClose();
  else outgoing.once('close', onClose);
  return flag;
}
