/**
 * Runs last (hence z-): changing the password ends every other session, and the throttle locks this client
 * address out of logging in for 15 minutes.
 */
import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, collectConsoleErrors, gatewayUrl, login } from './env';

test.use({ baseURL: gatewayUrl() });

const NEW_PASSWORD = 'a-brand-new-admin-password';

test('password change in settings, then the login throttle', async ({ page }) => {
  const errors = collectConsoleErrors(page, [/status of (400|401|429) .* @ .*\/api\/v1\/auth\/(login|password)$/]);
  await login(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const form = page.getByRole('form', { name: 'Admin password' });

  await form.getByLabel('Current password').fill('wrong-current-password');
  await form.getByLabel('New password', { exact: true }).fill('short');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('must be at least 12 characters')).toBeVisible(); // the API's schema, checked in the browser

  await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await form.getByLabel('Repeat new password').fill(NEW_PASSWORD + 'x');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('does not match the new password')).toBeVisible();

  await form.getByLabel('Repeat new password').fill(NEW_PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('wrong password')).toBeVisible();

  await form.getByLabel('Current password').fill(ADMIN_PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();

  // This browser keeps its (new) session; log out and back in with the new password.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Admin password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText(/Wrong password/);
  await login(page, NEW_PASSWORD);
  await page.getByRole('button', { name: 'Log out' }).click();

  // 5 failed attempts per 15 minutes, then 429 with the wait in the message.
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Admin password').fill(`guess-${i}`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toHaveText(/Wrong password/);
    await expect(page.getByRole('button', { name: 'Log in' })).toBeEnabled();
  }
  await page.getByLabel('Admin password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText(/Too many failed logins\. Try again in \d+ seconds\./);
  await expect(page).toHaveURL(/\/login$/);
  expect(errors).toEqual([]);
});
