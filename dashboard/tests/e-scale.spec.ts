/**
 * Long lists stay usable (issue 15 item 5): 500 client keys, 30 groups and a dozen more channels
 * get a search box, a sort and pages. Runs after the c- specs (they expect the few keys
 * and groups of b-flow) and before z-auth.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, expectStatus, gatewayUrl, login } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });
const SHOTS = join(root, 'screenshots');

test('500 keys, 30 groups, 12 more channels: search, sort and pages', async ({ page }) => {
  test.setTimeout(180_000);
  mkdirSync(SHOTS, { recursive: true });
  const errors = collectConsoleErrors(page);
  await login(page);
  // Created through the admin API, 10 at a time.
  for (let i = 0; i < 500; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, j) => page.request.post('/api/v1/keys', { data: { name: `scale-${String(i + j).padStart(3, '0')}` } }).then((r) => expectStatus(r, 201, `POST /api/v1/keys scale-${String(i + j).padStart(3, '0')}`))));
  }
  for (let i = 0; i < 30; i++) {
    await expectStatus(await page.request.post('/api/v1/groups', { data: { name: `scale-group-${String(i).padStart(2, '0')}`, mode: 'round-robin', members: [] } }), 201, `POST /api/v1/groups scale-group-${i}`);
  }

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  const controls = page.getByTestId('list-controls');
  await expect(controls).toContainText(/\d+ keys/);
  // 50 a page (the earlier specs' keys are among them, sorted by name).
  await expect(page.locator('table.rtable tbody tr')).toHaveCount(50);
  await expect(controls.getByText(/^1 \/ \d+$/)).toBeVisible();
  await controls.getByRole('button', { name: 'Next' }).click();
  await expect(controls.getByText(/^2 \/ \d+$/)).toBeVisible();
  // Searching goes back to the first page and narrows the list.
  await controls.getByLabel('Search keys').fill('scale-49');
  await expect(controls).toContainText('10 of');
  await expect(page.getByRole('row').filter({ hasText: /scale-49\d/ })).toHaveCount(10);
  await controls.getByLabel('Sort keys by').selectOption({ label: 'Name ↓' });
  await expect(page.getByRole('row').filter({ hasText: /scale-49\d/ }).first()).toContainText('scale-499');
  await page.screenshot({ path: join(SHOTS, 'keys-500-1280.png') });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
  const gc = page.getByTestId('list-controls');
  await gc.getByLabel('Search groups').fill('scale-group-2');
  await expect(gc).toContainText('10 of');
  await expect(page.getByRole('heading', { level: 2, name: /^scale-group-2\d$/ })).toHaveCount(10);

  for (let i = 0; i < 12; i++) {
    const res = await page.request.post('/api/v1/channels', { data: { name: `scale-ch-${String(i).padStart(2, '0')}`, type: 'openai-chat', baseUrl: 'https://api.example.com/v1', keys: ['sk-scale-0123456789'], models: i % 2 ? ['m-odd'] : ['m-even'] } });
    await expectStatus(res, 201, `POST /api/v1/channels scale-ch-${i}`);
  }
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
  const cc = page.getByTestId('list-controls');
  await cc.getByLabel('Search channels').fill('scale-ch m-odd');
  await expect(cc).toContainText('6 of');
  await expect(page.getByRole('row').filter({ hasText: /scale-ch-\d\d/ })).toHaveCount(6);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
  await page.getByTestId('list-controls').getByLabel('Search groups').fill('scale-group-2');
  await page.setViewportSize({ width: 375, height: 812 });
  await page.screenshot({ path: join(SHOTS, 'groups-search-375.png') });
  expect(errors).toEqual([]);
});
