/**
 * Every page renders, with data from the flow before it, at desktop and phone widths: no console
 * errors, no horizontal scrolling of the page, no spinner left. Screenshots go to
 * screenshots/<page>-<width>.png at the repository root (README "Dashboard").
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import { collectConsoleErrors, gatewayUrl, login } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

const SHOTS = join(root, 'screenshots');
const PAGES = [
  { name: 'overview', path: '/', heading: 'Overview' },
  { name: 'channels', path: '/channels', heading: 'Channels' },
  { name: 'groups', path: '/groups', heading: 'Groups' },
  { name: 'prices', path: '/prices', heading: 'Prices' },
  { name: 'logs', path: '/logs', heading: 'Logs' },
  { name: 'keys', path: '/keys', heading: 'API keys' },
  { name: 'settings', path: '/settings', heading: 'Settings' },
];
const WIDTHS = [1280, 375];

let storageState: Awaited<ReturnType<import('@playwright/test').BrowserContext['storageState']>>;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  mkdirSync(SHOTS, { recursive: true });
  const ctx = await browser.newContext({ baseURL: gatewayUrl() });
  const page = await ctx.newPage();
  await login(page);
  storageState = await ctx.storageState();
  await ctx.close();
});

for (const width of WIDTHS) {
  for (const p of PAGES) {
    test(`${p.name} at ${width} px`, async ({ browser }) => {
      const ctx = await browser.newContext({ baseURL: gatewayUrl(), storageState, viewport: { width, height: width < 500 ? 812 : 900 }, colorScheme: 'light' });
      const page = await ctx.newPage();
      const errors = collectConsoleErrors(page);
      await page.goto(p.path);
      await expect(page.getByRole('heading', { name: p.heading, level: 1 })).toBeVisible();
      await expect(page.getByText(/Loading…|Checking your session…/)).toHaveCount(0);
      // The page itself never scrolls sideways (wide tables turn into cards on phones).
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      if (width < 1024) {
        await expect(page.getByRole('button', { name: 'Open menu' })).toBeVisible();
      } else {
        await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
      }
      await page.screenshot({ path: join(SHOTS, `${p.name}-${width}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }
}

test('dialogs at both widths: log detail, group edit, empty channel form', async ({ browser }) => {
  for (const width of WIDTHS) {
    const ctx = await browser.newContext({ baseURL: gatewayUrl(), storageState, viewport: { width, height: width < 500 ? 812 : 900 }, colorScheme: 'light' });
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto('/logs');
    await page.getByRole('button', { name: /Details of the request/ }).first().click();
    const detail = page.getByRole('dialog', { name: 'Request details' });
    await expect(detail.getByRole('heading', { name: /Response body/ })).toBeVisible();
    await page.screenshot({ path: join(SHOTS, `logdetail-${width}.png`) });
    await detail.getByRole('button', { name: 'Close' }).last().click();

    await page.goto('/groups');
    await page.getByRole('button', { name: 'Edit group ui-chat' }).click();
    const group = page.getByRole('dialog', { name: 'Edit ui-chat' });
    await expect(group.getByRole('switch', { name: 'Member 1 enabled' })).toBeChecked();
    await expect(group.getByText('Enabled', { exact: true }).first()).toBeVisible();
    await page.screenshot({ path: join(SHOTS, `group-edit-${width}.png`) });
    await group.getByRole('button', { name: 'Cancel' }).click();

    await page.goto('/channels');
    await page.getByRole('button', { name: 'New channel' }).click();
    const channel = page.getByRole('dialog', { name: 'New channel' });
    await channel.getByRole('button', { name: 'Create channel' }).click();
    // Each message under its field, without a "field: " prefix.
    await expect(channel.getByText('needs at least one key', { exact: true })).toBeVisible();
    await expect(channel.locator('.field-error').filter({ hasText: /^\w+: / })).toHaveCount(0);
    await page.screenshot({ path: join(SHOTS, `channel-empty-submit-${width}.png`) });
    expect(errors).toEqual([]);
    await ctx.close();
  }
});

test('login page, the phone menu and the dark theme', async ({ browser }) => {
  for (const width of WIDTHS) {
    const ctx = await browser.newContext({ baseURL: gatewayUrl(), viewport: { width, height: 812 }, colorScheme: 'light' });
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page); // the session check before logging in answers 200, not 401
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Log in to octopus-edge' })).toBeVisible();
    await page.screenshot({ path: join(SHOTS, `login-${width}.png`), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }

  const ctx = await browser.newContext({ baseURL: gatewayUrl(), storageState, viewport: { width: 375, height: 812 }, colorScheme: 'dark' });
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  // prefers-color-scheme: dark applies before the first paint…
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.getByRole('button', { name: 'Open menu' }).click();
  await page.screenshot({ path: join(SHOTS, 'menu-375-dark.png') });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Logs', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Close menu' })).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'logs-375-dark.png'), fullPage: true });
  // …and the toggle overrides it, remembered across reloads.
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Logs', level: 1 })).toBeVisible();
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await ctx.close();

  const desk = await browser.newContext({ baseURL: gatewayUrl(), storageState, viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
  const dp = await desk.newPage();
  const derr = collectConsoleErrors(dp);
  await dp.goto('/');
  await expect(dp.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await expect(dp.getByText('Loading…')).toHaveCount(0);
  await dp.screenshot({ path: join(SHOTS, 'overview-1280-dark.png'), fullPage: true });
  await desk.close();
  expect([...errors, ...derr]).toEqual([]);
});
