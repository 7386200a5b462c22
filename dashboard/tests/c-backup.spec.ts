/**
 * Settings → Backup: a backup downloaded with a passphrase (no secret in plain text in it), then
 * imported back: a wrong passphrase refused in plain words, the dry-run summary shown before
 * anything is written, the import confirmed; an octopus export read with its warnings. Merge only,
 * so the other specs' configuration is untouched. Screenshots at 1280 and 375 px.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, gatewayUrl, login, upstreamChat } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

const SHOTS = join(root, 'screenshots');
const PASSPHRASE = 'ui backup passphrase 42';

test('export a backup, import it back after a dry run, import an octopus export', async ({ page, request }) => {
  const errors = collectConsoleErrors(page, [/status of 400/]);
  await login(page);
  // Something with a secret to back up.
  const secret = 'sk-upstream-backup-ui-0001';
  const created = await page.request.post('/api/v1/channels', { data: { name: 'backup-ui', type: 'openai-chat', baseUrl: `${upstreamChat()}/v1`, keys: [secret] } });
  expect(created.status()).toBe(201);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Backup', exact: true });
  await panel.getByLabel('Passphrase', { exact: true }).first().fill('short');
  await panel.getByLabel('Repeat passphrase').fill('short');
  await panel.getByRole('button', { name: 'Download backup' }).click();
  await expect(panel.getByText('The passphrase must be at least 12 characters.')).toBeVisible();
  await panel.getByLabel('Passphrase', { exact: true }).first().fill(PASSPHRASE);
  await panel.getByLabel('Repeat passphrase').fill(PASSPHRASE);
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download backup' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^octopus-edge-backup-.*\.json$/);
  const dir = mkdtempSync(join(tmpdir(), 'oe-backup-ui-'));
  const file = join(dir, 'backup.json');
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  expect(JSON.parse(text).format).toBe('octopus-edge-backup');
  expect(text).not.toContain(secret);
  await page.setViewportSize({ width: 1280, height: 900 });
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: join(SHOTS, 'settings-backup-1280.png') });

  // Import it back: the wrong passphrase first.
  await panel.getByLabel('Backup file').setInputFiles(file);
  await expect(panel.getByText('backup.json: a backup of this gateway.')).toBeVisible();
  const importPass = page.locator('#bk-imp-pass');
  await importPass.fill('not the passphrase');
  await panel.getByRole('button', { name: 'Check what would change' }).click();
  await expect(panel.getByText('The passphrase does not open this backup. Nothing was changed.')).toBeVisible();
  await importPass.fill(PASSPHRASE);
  await panel.getByRole('button', { name: 'Check what would change' }).click();
  const summary = page.getByRole('region', { name: 'What the import would change' });
  await expect(summary.getByText('Nothing has been changed yet. Importing would:')).toBeVisible();
  await expect(summary.getByRole('row', { name: /^Channels 0 0 0 \d+$/ })).toBeVisible();
  await expect(summary.getByText('The configuration already matches this file.')).toBeVisible();
  await summary.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(panel.getByRole('status')).toHaveText('Imported: 0 added, 0 updated, 0 deleted.');

  // An octopus export: no passphrase, warnings before anything is written.
  const octopus = {
    version: 2,
    channels: [{ id: 1, name: 'octo-ui', type: 0, enabled: true, base_urls: [{ url: `${upstreamChat()}/v1`, delay: 0 }], keys: [{ id: 1, channel_id: 1, enabled: true, channel_key: 'sk-octo-ui-0001' }], model: 'gpt-4.1-nano', custom_model: '' },
      { id: 2, name: 'octo-ui-rerank', type: 42, enabled: true, base_urls: [{ url: 'https://rerank.example.com', delay: 0 }], keys: [] }],
    groups: [{ id: 1, name: 'octo-ui-model', mode: 1, match_regex: '' }],
    group_items: [{ id: 1, group_id: 1, channel_id: 1, model_name: 'gpt-4.1-nano', priority: 0, weight: 1 }],
    api_keys: [], llm_infos: [], settings: [],
  };
  const octoFile = join(dir, 'octopus.json');
  writeFileSync(octoFile, JSON.stringify(octopus));
  await panel.getByLabel('Backup file').setInputFiles(octoFile);
  await expect(panel.getByText(/octopus\.json: read as an octopus export/)).toBeVisible();
  await expect(page.locator('#bk-imp-pass')).toHaveCount(0);
  await panel.getByRole('button', { name: 'Check what would change' }).click();
  await expect(summary.getByRole('row', { name: /^Channels 1 0 0 \d+$/ })).toBeVisible();
  await expect(summary.getByText(/octopus channel type 42 has no counterpart here/)).toBeVisible();
  const channelsBefore = (await (await page.request.get('/api/v1/channels')).json()).data.length;
  await page.setViewportSize({ width: 375, height: 800 });
  await summary.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'settings-backup-375.png'), fullPage: true });
  expect((await (await page.request.get('/api/v1/channels')).json()).data.length).toBe(channelsBefore);
  await summary.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(panel.getByRole('status')).toHaveText('Imported: 2 added, 0 updated, 0 deleted.');
  const after = (await (await page.request.get('/api/v1/channels')).json()).data;
  expect(after.some((c: { name: string }) => c.name === 'octo-ui')).toBe(true);
  void request;
  expect(errors).toEqual([]);
});
