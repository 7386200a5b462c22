/**
 * Outbound proxies on Node (issue 14.7): one undici dispatcher per distinct proxy URL, made on first
 * use and kept (its keep-alive pool through the proxy is the point), so no request pays for an agent.
 *
 * - `http://` and `https://` proxies: undici's ProxyAgent, which tunnels every call with CONNECT
 *   (credentials in the URL become Proxy-Authorization: Basic).
 * - `socks5://`, `socks5h://`, `socks4://`: an undici Agent whose connector opens the socket through
 *   the proxy with the `socks` package, then hands it to undici's own connector for TLS when the
 *   upstream is https. `socks5h` lets the proxy resolve the host name; `socks5` and `socks4`
 *   resolve it here first (what curl means by these schemes).
 *
 * A dispatcher unused for {@link IDLE_CLOSE_MS} is closed when another one is made: a proxy changed
 * in the configuration leaves its old dispatcher behind, and this bounds how many linger.
 */
import { lookup } from 'node:dns/promises';
import type { Socket } from 'node:net';
import { Agent, ProxyAgent, buildConnector, fetch as undiciFetch, type Dispatcher } from 'undici';
import { SocksClient, type SocksProxy } from 'socks';
import { parseProxyUrl, type ParsedProxy } from '../lib/proxy';

/** A dispatcher not used for this long is closed when the next new one is made, ms. */
export const IDLE_CLOSE_MS = 10 * 60_000;

/** Longest wait for the SOCKS proxy to open the tunnel, ms (the relay's first-byte timer usually fires first). */
const SOCKS_CONNECT_TIMEOUT_MS = 30_000;

interface Entry {
  dispatcher: Dispatcher;
  lastUsed: number;
}

/** Options of {@link ProxyDispatchers}. */
export interface ProxyDispatcherOptions {
  /** Idle keep-alive sockets are closed after this many ms (as the direct agent). */
  keepAliveTimeoutMs: number;
  /** ms since epoch; Date.now by default. */
  now?: () => number;
}

/** The process-wide set of proxy dispatchers, keyed by the full proxy URL (credentials included). */
export class ProxyDispatchers {
  private readonly byUrl = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: ProxyDispatcherOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** How many dispatchers are open (tests). */
  get size(): number {
    return this.byUrl.size;
  }

  /**
   * The dispatcher for a proxy URL (full, credentials included), made on first use.
   * @throws Error for a URL lib/proxy.ts refuses (the admin API stores only valid ones).
   */
  get(url: string): Dispatcher {
    const hit = this.byUrl.get(url);
    const at = this.now();
    if (hit) {
      hit.lastUsed = at;
      return hit.dispatcher;
    }
    this.closeIdle(at);
    const parsed = parseProxyUrl(url);
    if (typeof parsed === 'string') throw new Error(`invalid proxy URL: ${parsed}`);
    const dispatcher = parsed.scheme === 'http' || parsed.scheme === 'https'
      ? new ProxyAgent({ uri: url, keepAliveTimeout: this.opts.keepAliveTimeoutMs })
      : new Agent({ keepAliveTimeout: this.opts.keepAliveTimeoutMs, connect: socksConnector(parsed) });
    this.byUrl.set(url, { dispatcher, lastUsed: at });
    return dispatcher;
  }

  /** A web-standard fetch through the proxy at `url`, or the global fetch for null (model-list and price syncs). */
  fetchVia(url: string | null): typeof fetch {
    if (url === null) return fetch;
    const viaProxy = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
      undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: this.get(url) });
    return viaProxy as unknown as typeof fetch;
  }

  /** Closes every dispatcher, cutting calls still in flight (shutdown, after the server drained). */
  async destroy(): Promise<void> {
    const all = [...this.byUrl.values()];
    this.byUrl.clear();
    await Promise.allSettled(all.map((e) => e.dispatcher.destroy()));
  }

  /** Closes (gracefully: calls in flight finish) the dispatchers unused for IDLE_CLOSE_MS. */
  private closeIdle(at: number): void {
    for (const [url, e] of this.byUrl) {
      if (at - e.lastUsed < IDLE_CLOSE_MS) continue;
      this.byUrl.delete(url);
      e.dispatcher.close().catch(() => {});
    }
  }
}

/**
 * An undici connector that reaches the upstream through a SOCKS proxy, then lets undici's default
 * connector add TLS over that socket for an https upstream.
 */
function socksConnector(proxy: ParsedProxy): buildConnector.connector {
  const tls = buildConnector({});
  const { hostname, port } = new URL(proxy.url);
  const socks: SocksProxy = {
    host: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    port: Number(port),
    type: proxy.scheme === 'socks4' ? 4 : 5,
    ...(proxy.user && { userId: proxy.user }),
    ...(proxy.password && { password: proxy.password }),
  };
  const remoteDns = proxy.scheme === 'socks5h';
  return (opts, callback) => {
    const target = opts.hostname.startsWith('[') ? opts.hostname.slice(1, -1) : opts.hostname;
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    const open = async (): Promise<Socket> => {
      const host = remoteDns ? target : (await lookup(target, { family: proxy.scheme === 'socks4' ? 4 : 0 })).address;
      const { socket } = await SocksClient.createConnection({
        proxy: socks, command: 'connect', destination: { host, port }, timeout: SOCKS_CONNECT_TIMEOUT_MS,
      });
      return socket;
    };
    open().then((socket) => {
      if (opts.protocol !== 'https:') {
        callback(null, socket);
        return;
      }
      tls({ ...opts, httpSocket: socket } as Parameters<typeof tls>[0], callback);
    }, (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null));
  };
}
