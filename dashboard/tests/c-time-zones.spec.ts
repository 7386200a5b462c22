/**
 * One time rule (issue 15 item 7): the browser's zone everywhere, named on the page, UTC on hover.
 * The browser here is in Los Angeles (UTC−08:00 in December, −07:00 in summer); the requests were
 * sent by b-flow.spec.ts.
 */
import { expect, test } from '@playwright/test';
import { gatewayUrl, login } from './env';

test.use({ baseURL: gatewayUrl(), timezoneId: 'America/Los_Angeles' });

test('overview and logs show times in the browser’s zone, named, with UTC on hover', async ({ page }) => {
  await login(page);
  await expect(page.getByTestId('zone')).toHaveText(/^· America\/Los_Angeles \(UTC−0[78]:00\)$/);
  await page.getByLabel('Time range').selectOption({ label: 'Last 7 days' });
  await expect(page.getByRole('heading', { name: /^Last 7 days · America\/Los_Angeles/, level: 2 })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs', exact: true }).click();
  await expect(page.getByText(/Times in America\/Los_Angeles \(UTC−0[78]:00\); hover one for UTC\./)).toBeVisible();
  const first = page.getByRole('button', { name: /^Details of the request at / }).first();
  await expect(first).toBeVisible();
  const utc = await first.getAttribute('title');
  expect(utc).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  // The text shown is that same instant in Los Angeles time.
  const instant = Date.parse(utc!.replace(' ', 'T').replace(' UTC', 'Z'));
  const expected = new Date(instant).toLocaleString('en-US', { timeZone: 'America/Los_Angeles', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  await expect(first).toHaveText(expected);
});
