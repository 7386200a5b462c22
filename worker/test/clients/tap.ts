/**
 * A transparent HTTP proxy between a CLI and its base URL that records every exchange (request
 * body, response status, headers and body as streamed), so a failing run can show exactly what
 * the gateway answered. Streams pass through chunk by chunk, unbuffered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** Response body as received (capped at {@link CAP} bytes). */
  responseBody: string;
  error?: string;
  ms?: number;
}

const CAP = 512 * 1024;

export interface Tap {
  /** Root URL to give the CLI, e.g. `http://127.0.0.1:41234`. */
  url: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** Starts a recording proxy forwarding to `target` (an origin such as `http://127.0.0.1:8787`). */
export async function startTap(target: string): Promise<Tap> {
  const t = new URL(target);
  const exchanges: Exchange[] = [];
  const server = http.createServer((req, res) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const ex: Exchange = {
        method: req.method ?? 'GET', url: req.url ?? '/', requestHeaders: flatHeaders(req.headers),
        requestBody: body.toString('utf8'), responseBody: '',
      };
      exchanges.push(ex);
      const headers = { ...req.headers, host: t.host };
      delete headers['content-length'];
      const up = http.request(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...headers, 'content-length': String(body.length) } },
        (upRes) => {
          ex.status = upRes.statusCode;
          ex.responseHeaders = flatHeaders(upRes.headers);
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          let size = 0;
          upRes.on('data', (c: Buffer) => {
            if (size < CAP) ex.responseBody += c.toString('utf8');
            size += c.length;
            res.write(c);
          });
          upRes.on('end', () => {
            ex.ms = Date.now() - started;
            res.end();
          });
          upRes.on('error', (e) => {
            ex.error = `upstream response error: ${e.message}`;
            res.destroy();
          });
        },
      );
      up.on('error', (e) => {
        ex.error = `proxy could not reach ${target}: ${e.message}`;
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: ex.error } }));
        } else res.destroy();
      });
      res.on('close', () => {
        if (!res.writableFinished) {
          ex.error ??= 'client closed the connection before the response ended';
          up.destroy();
        }
      });
      up.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
