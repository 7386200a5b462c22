/**
 * An expired session in the middle of an edit (issue 15 item 8): the page stays, a dialog asks for
 * the password, and the edit is sent once logged in again; cancelling keeps what was typed.
 * The session is ended by dropping the browser's cookie, as an expiry would.
 */
import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, collectConsoleErrors, gatewayUrl, login } from './env';

test.use({ baseURL: gatewayUrl() });

test('an expired session keeps the unsaved edit, asks to log in again, then saves it', async ({ page }) => {
  const errors = collectConsoleErrors(page, [/status of 401 .* @ .*\/api\/v1\/(keys|auth\/login)$/]);
  await login(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();

  // Cancelled: the form is still there with what was typed, and says why it was not saved.
  await page.getByRole('button', { name: 'New key' }).first().click();
  let form = page.getByRole('dialog', { name: 'New API key' });
  await form.getByLabel('Name', { exact: true }).fill('typed-before-expiry');
  await page.context().clearCookies();
  await form.getByRole('button', { name: 'Create key' }).click();
  let again = page.getByRole('dialog', { name: 'Your session has expired' });
  await expect(again).toBeVisible();
  await again.getByRole('button', { name: 'Cancel' }).click();
  await expect(again).toHaveCount(0);
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('typed-before-expiry');
  await expect(page).toHaveURL(/\/keys$/);

  // Logged in again: a wrong password is said so, the right one sends the same form.
  await form.getByRole('button', { name: 'Create key' }).click();
  again = page.getByRole('dialog', { name: 'Your session has expired' });
  await again.getByLabel('Admin password').fill('not-the-password');
  await again.getByRole('button', { name: 'Log in' }).click();
  await expect(again.getByRole('alert')).toHaveText('Wrong password. Try again.');
  await again.getByLabel('Admin password').fill(ADMIN_PASSWORD);
  await again.getByRole('button', { name: 'Log in' }).click();
  await expect(again).toHaveCount(0);
  const created = page.getByRole('dialog', { name: 'Key created' });
  await expect(created.getByText('typed-before-expiry')).toBeVisible();
  await created.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('row', { name: /typed-before-expiry/ })).toHaveCount(1);
  form = page.getByRole('dialog', { name: 'New API key' });
  await expect(form).toHaveCount(0);
  expect(errors).toEqual([]);
});
