/**
 * A relay request's body read straight from Node's IncomingMessage, with the same cap and errors as
 * relay/body.ts `readCappedText`. Reading `Request.body` instead makes @hono/node-server build a
 * full fetch Request (headers, AbortSignal, a web ReadableStream over the socket) for every relay
 * request: about 6% of the Node gateway's CPU per request in a profile under load (issue 11).
 */
import type { IncomingMessage } from 'node:http';
import { BodyError } from '../relay/body';

/** Largest unread request body read and discarded after an early reply, bytes; a longer one cuts the connection. */
export const DISCARD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The body as UTF-8 text (a leading BOM dropped, as TextDecoder does). A declared `content-length`
 * over the cap is refused before reading; otherwise reading stops as soon as the cap is passed, and
 * what is left is drained (up to DISCARD_MAX_BYTES) so the client still reads the 413.
 * @param maxBytes largest accepted body, bytes.
 * @throws BodyError ('too_large', or 'read_failed' when the client's upload breaks off)
 */
export function readIncomingText(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new BodyError({ kind: 'too_large', maxBytes }));
  if (incoming.readableEnded) return Promise.resolve('');
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        stop();
        discardIncoming(incoming);
        reject(new BodyError({ kind: 'too_large', maxBytes }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8');
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onError = (err: Error) => {
      stop();
      reject(new BodyError({ kind: 'read_failed', message: err.message }));
    };
    // 'close' before 'end': the client went away mid-upload.
    const onClose = () => onError(new Error('the client closed the connection during the upload'));
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('close', onClose);
    if (incoming.errored) onError(incoming.errored);
  });
}

/**
 * Reads and drops what is left of a body the app answered without reading (413 on an oversize
 * body, 401 before the body). Without this the adapter cuts the socket after 500 ms, and a client
 * still sending saw a reset instead of the reply. Past DISCARD_MAX_BYTES the connection is closed.
 */
export function discardIncoming(incoming: IncomingMessage): void {
  let bytes = 0;
  incoming.on('data', (chunk: Buffer) => {
    bytes += chunk.byteLength;
    if (bytes > DISCARD_MAX_BYTES) incoming.destroy();
  });
  incoming.on('error', () => {});
  incoming.resume();
}
