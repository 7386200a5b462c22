/**
 * Browser tests of the dashboard against the real gateway (`npm start` path: wrangler dev with the
 * built dashboard in [assets]) and the fake upstream. Debian's chromium; never `playwright install`.
 * Run from the repository root: `npm run test:ui`.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/global-setup.ts',
  // One gateway, one database: files run in order, one at a time (login → flow → pages → auth).
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: '../.test-artifacts/playwright',
  use: {
    baseURL: process.env.UI_GATEWAY_URL,
    viewport: { width: 1280, height: 800 },
    // The specs read English: an English browser gets the English dashboard (c-i18n switches).
    locale: 'en-US',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
