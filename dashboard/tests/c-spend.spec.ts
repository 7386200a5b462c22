/**
 * The Spend page (issue 15 item 6): per key spent, the period before, burn rate and budget left
 * with a progress bar; per group the same comparison; one key's cost by model over time. Uses the
 * group `ui-chat` b-flow.spec.ts made, with a key of its own so its numbers are known.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, expectStatus, gatewayUrl, login } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

test('spend per key and group, budget left and burn rate, a key cost by model, at 1280 and 375 px', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page);
  const created = await page.request.post('/api/v1/keys', { data: { name: 'spend-ui', budgetUsd: 5 } });
  await expectStatus(created, 201, 'key');
  const { key, id } = (await created.json()) as { key: string; id: number };
  for (let i = 0; i < 2; i++) {
    const res = await page.request.post('/v1/chat/completions', {
      headers: { authorization: `Bearer ${key}` }, data: { model: 'ui-chat', messages: [{ role: 'user', content: `spend ${i}` }] },
    });
    await expectStatus(res, 200, 'chat');
  }

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Spend', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Spend', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Time range')).toHaveValue('7d');
  const card = page.getByRole('listitem', { name: 'Key spend-ui' });
  // The stats save runs every few seconds: refresh until the key's requests are counted.
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(card.getByTestId('spent')).not.toHaveText('$0.00', { timeout: 2000 });
  }).toPass({ timeout: 45_000 });

  // Nothing in the 7 days before: "new"; a budget of $5 barely touched, lasting a long time.
  await expect(card.getByTestId('compare')).toContainText('$0.00 the period before');
  await expect(card.getByTestId('change')).toHaveText('new');
  await expect(card.getByTestId('rate')).toHaveText(/^Burn rate: \$0\.\d+ per day$/);
  await expect(card.getByTestId('remaining')).toHaveText(/^\$\d\.\d\d left of \$5\.00$/);
  const bar = card.getByRole('progressbar', { name: 'Budget used by spend-ui' });
  await expect(bar).toHaveAttribute('aria-valuenow', /^\d+$/);
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(5);
  await expect(card.getByTestId('lasts')).toHaveText('Budget lasts more than a year at this rate.');
  // ui-key has no budget.
  await expect(page.getByRole('listitem', { name: 'Key ui-key' })).toContainText('No budget set.');

  const uiChat = page.getByTestId('spend-group').filter({ hasText: 'ui-chat' });
  await expect(uiChat).toHaveCount(1);
  await expect(uiChat.locator('td').nth(1)).not.toHaveText('$0.00');

  // The chart of one key: only its own requests, by model.
  const answer = page.waitForResponse((r) => r.url().includes(`keyId=${id}`) && r.url().includes('by=model'));
  await page.getByLabel('Show the cost of').selectOption({ label: 'ui-key' });
  await page.getByLabel('Show the cost of').selectOption({ label: 'spend-ui' });
  const rows = ((await (await answer).json()) as { data: { key: string; requests: number }[] }).data;
  expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(2);
  expect(new Set(rows.map((r) => r.key))).toEqual(new Set(['gpt-4.1-nano']));
  await expect(page.getByRole('heading', { name: 'Cost by model · key spend-ui' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Cost over time by model' })).toBeVisible();
  // Drawn: axes, legend and bars leave painted pixels on the canvas.
  await expect.poll(() => page.getByRole('img', { name: 'Cost over time by model' }).locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
    return n;
  })).toBeGreaterThan(500);
  await page.screenshot({ path: join(root, 'screenshots', 'spend-1280.png'), fullPage: true });

  // A shorter range asks again and keeps the selection.
  await page.getByLabel('Time range').selectOption('24h');
  await expect(card.getByTestId('compare')).toContainText('$0.00 the period before');
  await expect(page.getByRole('heading', { name: 'Cost by model · key spend-ui' })).toBeVisible();

  await page.setViewportSize({ width: 375, height: 812 });
  await expect(card).toBeVisible();
  // Nothing wider than the phone's screen (polled: the chart redraws its canvas a frame after the resize).
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  // The groups table fits too (Before folds under Spent), rather than scrolling inside its card.
  await expect.poll(() => page.getByRole('region', { name: 'Groups' }).evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  await expect(uiChat.locator('td').nth(1)).toContainText('before $0.00');
  await page.screenshot({ path: join(root, 'screenshots', 'spend-375.png'), fullPage: true });
  expect(errors).toEqual([]);
});
