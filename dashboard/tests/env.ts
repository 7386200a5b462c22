/** What global-setup.ts started, plus helpers shared by the specs. */
import { expect, type Page } from '@playwright/test';
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
