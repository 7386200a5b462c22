import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, collectConsoleErrors, gatewayUrl, login } from './env';

test.use({ baseURL: gatewayUrl() });

test('the dashboard asks for a password, says when it is wrong, logs in and out', async ({ page }) => {
  // One wrong password: the login call answers 401 on purpose. The session check before logging in
  // answers 200 { authenticated: false }, so it must not show up as a console error.
  const errors = collectConsoleErrors(page, [/status of 401 .* @ .*\/api\/v1\/auth\/login$/]);
  await page.goto('/channels');
  await expect(page).toHaveURL(/\/login\?next=%2Fchannels$/);
  await expect(page.getByRole('heading', { name: 'Log in to octopus-edge' })).toBeVisible();

  await page.getByLabel('Admin password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText(/Wrong password/);

  await page.getByLabel('Admin password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  // Back where we wanted to go.
  await expect(page).toHaveURL(/\/channels$/);
  await page.getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  // The totals follow the range picked at the top.
  await expect(page.getByRole('heading', { name: 'Last 24 hours', level: 2 })).toBeVisible();
  await page.getByLabel('Time range').selectOption({ label: 'Today' });
  await expect(page.getByRole('heading', { name: /^Today · /, level: 2 })).toBeVisible();

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);

  await login(page);
  expect(errors).toEqual([]);
});

test('the login page loads only what it needs: no zod, no schemas, no page of the app behind it', async ({ page }) => {
  const scripts: { url: string; body: string }[] = [];
  page.on('response', async (res) => {
    if (res.request().resourceType() === 'script') scripts.push({ url: res.url(), body: await res.text().catch(() => '') });
  });
  await page.goto('/login');
  await expect(page.getByLabel('Admin password')).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(scripts.length).toBeGreaterThan(0);
  // zod's own English messages are in its chunk (the forms of the other pages use it).
  const withZod = scripts.filter((s) => s.body.includes('Too small: expected'));
  expect(withZod.map((s) => s.url)).toEqual([]);
  // Svelte's and SvelteKit's runtimes, the layout and the page: about 100 KB uncompressed today;
  // with the schemas chunk it was 205 KB (bench/dashboard-load.ts measures the phone load time).
  const bytes = scripts.reduce((n, s) => n + s.body.length, 0);
  console.log(`login page: ${scripts.length} scripts, ${(bytes / 1024).toFixed(1)} KiB uncompressed`);
  expect(bytes).toBeLessThan(150 * 1024);

  // The form still refuses an empty password before calling the API.
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter the admin password.');
});
