// Types of dev-proxy.mjs (the front proxy of `npm start`), for the TypeScript tests that import it.

/** Header proving to the Worker that a request came through the proxy. */
export declare const DEV_PROXY_HEADER: 'x-octopus-dev-proxy';
/** A fresh random secret for one run. */
export declare function newDevProxySecret(): string;
/** Writes DEV_PROXY_SECRET to a new 0600 env file for wrangler's --env-file. */
export declare function writeSecretEnvFile(secret: string): { file: string; remove(): void };
/** A free TCP port on 127.0.0.1. */
export declare function freeLoopbackPort(): Promise<number>;
/** Starts the proxy on host:port (port 0: any), forwarding to target. @throws when the port cannot be bound. */
export declare function startDevProxy(opts: { host: string; port: number; target: { host: string; port: number }; secret: string }): Promise<{ port: number; close(): Promise<void> }>;
/** Request bodies up to this many bytes are kept so a request lost in wrangler's keep-alive race can be sent again. */
export declare const RESEND_BODY_LIMIT: number;
