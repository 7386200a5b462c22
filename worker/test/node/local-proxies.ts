/**
 * Tiny outbound proxies for the tests (no network beyond 127.0.0.1): an HTTP CONNECT proxy and a
 * SOCKS5 proxy, each requiring credentials when given some, counting the tunnels it opened and
 * the attempts it refused, and remembering where each tunnel went.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface LocalProxy {
  /** `scheme://[user:pass@]127.0.0.1:port`. */
  url: string;
  /** The URL without credentials. */
  bareUrl: string;
  /** Tunnels opened (credentials accepted, target reached). */
  tunnels: number;
  /** Attempts refused for missing or wrong credentials. */
  refused: number;
  /** `host:port` of every tunnel, in order. */
  targets: string[];
  close(): Promise<void>;
}

/** Reads a socket's bytes on demand (a client may send its request in any chunks). */
class ByteReader {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended = false;

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.once('end', () => this.finish());
    socket.once('error', () => this.finish());
  }

  private readonly onData = (chunk: Buffer) => {
    this.buf = Buffer.concat([this.buf, chunk]);
    this.wake?.();
  };

  private finish(): void {
    this.ended = true;
    this.wake?.();
  }

  /** The next `n` bytes. @throws when the socket ends first. */
  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new Error('the client went away');
      await new Promise<void>((ok) => (this.wake = ok));
      this.wake = null;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Bytes up to and including `marker`. */
  async until(marker: string): Promise<Buffer> {
    for (;;) {
      const at = this.buf.indexOf(marker);
      if (at >= 0) return this.take(at + marker.length);
      if (this.ended) throw new Error('the client went away');
      await new Promise<void>((ok) => (this.wake = ok));
      this.wake = null;
    }
  }

  /** Stops reading and returns what was read ahead (the start of the tunnelled bytes). */
  release(): Buffer {
    this.socket.off('data', this.onData);
    return this.buf;
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as { port: number }).port)));
}

/** Connects the client to `host:port` and pipes both ways; `greet` is written to the client once connected. */
function tunnel(client: Socket, reader: ByteReader, host: string, port: number, greet: Buffer, onOpen: () => void): void {
  const up = createConnection({ host, port }, () => {
    onOpen();
    client.write(greet);
    const ahead = reader.release();
    if (ahead.length > 0) up.write(ahead);
    client.pipe(up);
    up.pipe(client);
  });
  up.on('error', () => client.destroy());
  client.on('error', () => up.destroy());
  client.on('close', () => up.destroy());
}

function tracked(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () => new Promise((ok) => {
    for (const s of sockets) s.destroy();
    server.close(() => ok());
  });
}

/** An HTTP proxy that only tunnels (CONNECT); with `auth` ("user:pass") it wants Proxy-Authorization: Basic. */
export async function startConnectProxy(auth?: { user: string; pass: string }): Promise<LocalProxy> {
  const expected = auth ? `Basic ${Buffer.from(`${auth.user}:${auth.pass}`).toString('base64')}` : null;
  const state = { tunnels: 0, refused: 0, targets: [] as string[] };
  const server = createServer((client) => {
    const reader = new ByteReader(client);
    void (async () => {
      const head = (await reader.until('\r\n\r\n')).toString('latin1');
      const [line, ...headerLines] = head.split('\r\n');
      const [method, target] = (line ?? '').split(' ');
      const headers = new Map(headerLines.filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      if (method !== 'CONNECT' || !target) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\n\r\n');
        return;
      }
      if (expected && headers.get('proxy-authorization') !== expected) {
        state.refused++;
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="test"\r\nconnection: close\r\n\r\n');
        return;
      }
      const colon = target.lastIndexOf(':');
      const host = target.slice(0, colon);
      const port = Number(target.slice(colon + 1));
      tunnel(client, reader, host, port, Buffer.from('HTTP/1.1 200 Connection Established\r\n\r\n'), () => {
        state.tunnels++;
        state.targets.push(target);
      });
    })().catch(() => client.destroy());
  });
  const close = tracked(server);
  const port = await listen(server);
  const bareUrl = `http://127.0.0.1:${port}`;
  return proxyView(state, auth ? `http://${auth.user}:${auth.pass}@127.0.0.1:${port}` : bareUrl, bareUrl, close);
}

/** A SOCKS5 proxy (CONNECT only); with `auth` it wants username/password authentication (RFC 1929). */
export async function startSocks5Proxy(auth?: { user: string; pass: string }): Promise<LocalProxy> {
  const state = { tunnels: 0, refused: 0, targets: [] as string[] };
  const server = createServer((client) => {
    const reader = new ByteReader(client);
    void (async () => {
      const [ver, count] = await reader.take(2);
      const methods = [...(await reader.take(count!))];
      if (ver !== 5) return client.destroy();
      const want = auth ? 0x02 : 0x00;
      if (!methods.includes(want)) {
        state.refused++;
        client.end(Buffer.from([5, 0xff]));
        return;
      }
      client.write(Buffer.from([5, want]));
      if (auth) {
        const [, ulen] = await reader.take(2);
        const user = (await reader.take(ulen!)).toString('utf8');
        const [plen] = await reader.take(1);
        const pass = (await reader.take(plen!)).toString('utf8');
        if (user !== auth.user || pass !== auth.pass) {
          state.refused++;
          client.end(Buffer.from([1, 1]));
          return;
        }
        client.write(Buffer.from([1, 0]));
      }
      const [, cmd, , atyp] = await reader.take(4);
      let host: string;
      if (atyp === 1) host = [...(await reader.take(4))].join('.');
      else if (atyp === 3) host = (await reader.take((await reader.take(1))[0]!)).toString('utf8');
      else host = (await reader.take(16)).toString('hex').match(/.{4}/g)!.join(':');
      const port = (await reader.take(2)).readUInt16BE(0);
      if (cmd !== 1) {
        client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
        return;
      }
      tunnel(client, reader, host, port, Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]), () => {
        state.tunnels++;
        state.targets.push(`${host}:${port}`);
      });
    })().catch(() => client.destroy());
  });
  const close = tracked(server);
  const port = await listen(server);
  const bareUrl = `socks5://127.0.0.1:${port}`;
  return proxyView(state, auth ? `socks5://${auth.user}:${auth.pass}@127.0.0.1:${port}` : bareUrl, bareUrl, close);
}

function proxyView(state: { tunnels: number; refused: number; targets: string[] }, url: string, bareUrl: string, close: () => Promise<void>): LocalProxy {
  return {
    url, bareUrl, close,
    get tunnels() { return state.tunnels; },
    get refused() { return state.refused; },
    get targets() { return state.targets; },
  };
}
