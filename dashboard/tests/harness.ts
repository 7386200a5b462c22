/**
 * Browser-test harness: starts the fake upstream provider (worker/test/upstream) and the gateway
 * the way `npm start` does (scripts/dev.mjs → wrangler dev, with the dashboard build in [assets]),
 * on the first free port of 8790-8799, with its own state folder and secrets.
 */
import { freePort, launchDevGateway, repoRoot, type DevGateway } from '../../worker/test/dev-gateway';

export { freePort };
export const root = repoRoot;
export const ADMIN_PASSWORD = 'ui-test-admin-password';

export type Gateway = DevGateway;

/** The gateway on the first free port of 8790-8799 (other suites use other ports). */
export async function startGateway(extraVars: Record<string, string>, timeoutMs = 120_000): Promise<Gateway> {
  const vars = { ADMIN_PASSWORD, ENCRYPTION_KEY: 'ui-test-encryption-key-0123456789', ...extraVars };
  return launchDevGateway(vars, { port: await freePort(8790, 8799), timeoutMs, tmpPrefix: 'oe-ui-' });
}
