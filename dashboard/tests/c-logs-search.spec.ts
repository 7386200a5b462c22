/**
 * Logs you can search (issue 15 item 4): free text, errors only, the filters and page in the URL
 * (reload keeps them), a CSV link with the same filters. The requests were sent by b-flow.spec.ts
 * (groups `ui-chat` and `ui-broken`; the latter's requests fail).
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { gatewayUrl, login } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

test('a search is kept in the URL across a reload, with its results and a CSV link', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Logs', level: 1 })).toBeVisible();

  await page.getByLabel('Search').fill('UI-BROKEN');
  await page.getByRole('switch', { name: 'Errors only' }).check({ force: true });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/[?&]q=UI-BROKEN(&|$)/);
  await expect(page).toHaveURL(/[?&]errors=1(&|$)/);
  const rows = page.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  // Every row is the failing group's (the search is case-insensitive), none from ui-chat.
  await expect(rows.filter({ hasNotText: 'ui-broken' })).toHaveCount(0);
  await expect(rows.filter({ hasText: 'ui-chat' })).toHaveCount(0);
  const shown = await rows.count();

  await page.reload();
  await expect(page.getByLabel('Search')).toHaveValue('UI-BROKEN');
  await expect(page.getByRole('switch', { name: 'Errors only' })).toBeChecked();
  await expect(rows).toHaveCount(shown);
  await expect(rows.filter({ hasNotText: 'ui-broken' })).toHaveCount(0);
  const csv = page.getByRole('link', { name: 'Download CSV' });
  await expect(csv).toHaveAttribute('href', /^\/api\/v1\/logs\.csv\?.*q=UI-BROKEN.*errors=1|^\/api\/v1\/logs\.csv\?.*errors=1.*q=UI-BROKEN/);
  const res = await page.request.get(await csv.getAttribute('href') as string);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-disposition']).toMatch(/^attachment;/);
  const lines = (await res.text()).trim().split('\r\n');
  expect(lines[0]).toMatch(/^id,time,time_ms,group,/);
  expect(lines.length - 1).toBeGreaterThanOrEqual(shown);
  await page.screenshot({ path: join(root, 'screenshots', 'logs-search-1280.png') });

  // A search that matches nothing says so, and going back restores the previous search.
  await page.getByLabel('Search').fill('no-such-thing-anywhere');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('Nothing matches these filters.')).toBeVisible();
  await page.goBack();
  await expect(page.getByLabel('Search')).toHaveValue('UI-BROKEN');
  await expect(rows).toHaveCount(shown);

  await page.setViewportSize({ width: 375, height: 812 });
  await expect(page.getByLabel('Search')).toBeVisible();
  await page.screenshot({ path: join(root, 'screenshots', 'logs-search-375.png'), fullPage: true });
});
