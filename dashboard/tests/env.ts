/** What global-setup.ts started, plus helpers shared by the specs. */
import { expect, type APIResponse, type Page } from '@playwright/test';
import { ADMIN_PASSWORD } from './harness';

export { ADMIN_PASSWORD };
export const gatewayUrl = () => process.env.UI_GATEWAY_URL!;
export const upstreamChat = () => process.env.UI_UPSTREAM_CHAT!;
export const upstreamFailing = () => process.env.UI_UPSTREAM_FAILING!;

/** Logs in through the login page and waits for the overview. */
export async function login(page: Page, password = ADMIN_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Admin password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
}

/**
 * Collects console errors and uncaught page errors; `allow` lists the ones a test provokes on
 * purpose (Chromium logs every 4xx answer, e.g. the 401 of a wrong password, as a console error).
 * Each error reads "<message> @ <url>", so an allowance can name the endpoint it is for.
 */
export function collectConsoleErrors(page: Page, allow: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    const text = `${msg.text()} @ ${msg.location().url}`;
    if (msg.type() === 'error' && !allow.some((re) => re.test(text))) errors.push(text);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/**
 * Asserts an admin API answer's status; on a mismatch the failure names the method, URL, status,
 * the headers that tell a gateway answer from wrangler's own (`content-type`, `retry-after`) and
 * the first 300 characters of the body, so a one-off failure in CI can be diagnosed from the log.
 */
export async function expectStatus(res: APIResponse, status: number, what = ''): Promise<void> {
  if (res.status() === status) return;
  const body = (await res.text().catch((e) => `<body unreadable: ${e}>`)).slice(0, 300);
  const h = res.headers();
  throw new Error(`${what || res.url()}: expected HTTP ${status}, got ${res.status()} (content-type: ${h['content-type'] ?? '-'}, retry-after: ${h['retry-after'] ?? '-'}): ${body}`);
}
