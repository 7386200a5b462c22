/**
 * Outbound proxies (Node mode only, issue 14.7): a channel's own or the gateway-wide one in the
 * settings. A proxy is given as a URL, `http://`, `https://`, `socks5://`, `socks5h://` or
 * `socks4://`, with a host, an optional port and optional `user:password`, and nothing else.
 *
 * Stored form ({@link StoredProxy}): the URL without its credentials, and the credentials (the URL's
 * user-info, as written) sealed with the KeyVault like channel keys. The admin API shows the URL
 * with the password reduced to a hint ({@link shownProxy}); that exact text sent back keeps the
 * stored credentials, so a form saved unchanged does not overwrite a password with its mask.
 */
import * as z from 'zod';

/**
 * The part of lib/crypto.ts KeyVault used here. Structural, so the dashboard (which type-checks
 * settings.ts and this file) does not pull in the Web Crypto code.
 */
export interface ProxySealer {
  encrypt(plain: string): Promise<string>;
  decrypt(enc: string): Promise<string>;
}

/** Schemes a proxy URL may have (without the colon). */
export const PROXY_SCHEMES = ['http', 'https', 'socks5', 'socks5h', 'socks4'] as const;
export type ProxyScheme = (typeof PROXY_SCHEMES)[number];

/** The refusal on the Worker, for a channel's proxy or the global one. */
export const EDGE_PROXY_REFUSAL = 'Outbound proxies work only in Node mode; Cloudflare Workers cannot use one.';

/** A proxy as stored (channels.proxy JSON, the `proxy` field of the gateway settings). */
export interface StoredProxy {
  /** `scheme://host:port`, no credentials. */
  url: string;
  /** KeyVault ciphertext of the user-info (`user:password`, percent-encoded as in the URL); absent without credentials. */
  enc?: string;
  /** How the user-info is shown: the user name and a hint of the password (`bob:…t0p5`). */
  shown?: string;
}

/** Zod shape of a stored proxy (the settings row is re-validated when loaded). */
export const StoredProxySchema = z.object({ url: z.string().min(1), enc: z.string().optional(), shown: z.string().optional() });

/** A proxy URL taken apart. */
export interface ParsedProxy {
  scheme: ProxyScheme;
  /** `scheme://host:port` without credentials; the port always present. */
  url: string;
  /** `user:password` as written in the URL (percent-encoded), or null. */
  userinfo: string | null;
  /** The user name, decoded ('' when none). */
  user: string;
  /** The password, decoded ('' when none). */
  password: string;
}

const DEFAULT_PORTS: Record<ProxyScheme, number> = { http: 80, https: 443, socks5: 1080, socks5h: 1080, socks4: 1080 };

/**
 * Parses and checks a proxy URL.
 * @returns the parts, or a message saying what is wrong (no secret in it: the URL is not repeated).
 */
export function parseProxyUrl(text: string): ParsedProxy | string {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return 'not a URL; write it as scheme://[user:password@]host:port, e.g. http://proxy.lan:3128 or socks5://user:pass@10.0.0.2:1080';
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (!(PROXY_SCHEMES as readonly string[]).includes(scheme)) return `scheme "${scheme}" is not supported; use ${PROXY_SCHEMES.join(', ')}`;
  if (!u.hostname) return 'the proxy URL needs a host';
  if (u.pathname !== '' && u.pathname !== '/') return 'the proxy URL must not have a path';
  if (u.search || u.hash) return 'the proxy URL must not have a query or a fragment';
  const s = scheme as ProxyScheme;
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[s];
  const userinfo = u.username || u.password ? `${u.username}${u.password ? `:${u.password}` : ''}` : null;
  let user: string;
  let password: string;
  try {
    user = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  } catch {
    return 'the proxy credentials are not valid percent-encoding';
  }
  return { scheme: s, url: `${s}://${u.hostname}:${port}`, userinfo, user, password };
}

/** The hint of a password: `…` and its last 4 characters (nothing of a short one). */
function passwordHint(password: string): string {
  return password.length <= 8 ? '…' : `…${password.slice(-4)}`;
}

/** What the admin API shows for a stored proxy: its URL with the password reduced to a hint; null for none. */
export function shownProxy(stored: StoredProxy | null | undefined): string | null {
  if (!stored) return null;
  if (!stored.shown) return stored.url;
  const at = stored.url.indexOf('://') + 3;
  return `${stored.url.slice(0, at)}${stored.shown}@${stored.url.slice(at)}`;
}

/**
 * The proxy to store from admin input: null/'' for none; the text {@link shownProxy} gave for
 * `existing` keeps it; anything else is parsed and its credentials sealed.
 * @returns the stored form, or an error message.
 */
export async function sealProxy(vault: ProxySealer, input: string | null | undefined, existing: StoredProxy | null | undefined): Promise<StoredProxy | null | { error: string }> {
  if (input == null || input.trim() === '') return null;
  if (existing && input.trim() === shownProxy(existing)) return existing;
  const parsed = parseProxyUrl(input);
  if (typeof parsed === 'string') return { error: parsed };
  if (parsed.userinfo === null) return { url: parsed.url };
  const shownUser = encodeURIComponent(parsed.user);
  return { url: parsed.url, enc: await vault.encrypt(parsed.userinfo), shown: parsed.password ? `${shownUser}:${passwordHint(parsed.password)}` : shownUser };
}

/**
 * The full proxy URL, credentials decrypted: what the Node transport connects with (and its cache key).
 * @throws when the credentials cannot be decrypted (ENCRYPTION_KEY changed).
 */
export async function openProxy(vault: ProxySealer, stored: StoredProxy): Promise<string> {
  if (!stored.enc) return stored.url;
  const at = stored.url.indexOf('://') + 3;
  return `${stored.url.slice(0, at)}${await vault.decrypt(stored.enc)}@${stored.url.slice(at)}`;
}

/** The credentials in a full proxy URL (user-info as written, user and password decoded), for redaction. */
export function proxySecrets(url: string | null): string[] {
  if (!url) return [];
  const parsed = parseProxyUrl(url);
  if (typeof parsed === 'string' || parsed.userinfo === null) return [];
  return [parsed.userinfo, parsed.password].filter((s) => s !== '');
}

/** A stored proxy value read back from JSON (the channel column, the settings row); null when absent or malformed. */
export function asStoredProxy(value: unknown): StoredProxy | null {
  const v = StoredProxySchema.safeParse(value);
  return v.success ? v.data : null;
}
