/** The cron dispatcher: which job an expression runs, and the sync-interval settings that gate them. */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/db/store';
import type { KeyVault } from '../../../src/lib/crypto';
import { readFileSync } from 'node:fs';
import { CRON_EXPRESSIONS, CRON_HEALTH, CRON_MODELS, CRON_PRICES, CRON_RETENTION, runScheduledJobs } from '../../../src/sync/jobs';

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;

/** A store where the last price sync and channel 1's last model sync ran `ago` ms before NOW. */
function fakeStore(pricesAgo: number | null, channelAgo: number | null, settings: object = {}) {
  const calls: string[] = [];
  const state = [
    ...(pricesAgo === null ? [] : [{ key: 'prices', lastRunAt: NOW - pricesAgo, ok: true, detail: {} }]),
    ...(channelAgo === null ? [] : [{ key: 'channel:1', lastRunAt: NOW - channelAgo, ok: true, detail: {} }]),
  ];
  const store = {
    getSetting: async () => settings,
    listSyncState: async () => state,
    listChannels: async () => {
      calls.push('listChannels');
      return [{ id: 1, name: 'c', type: 'openai-chat', baseUrl: 'http://up.test/v1', keys: [], models: [], headers: {}, modelFilter: null, enabled: true, createdAt: 0, updatedAt: 0 }];
    },
    putSyncState: async (key: string) => void calls.push(`put:${key}`),
    replaceModelsDevPrices: async () => void calls.push('replacePrices'),
    deleteLogsBefore: async () => 0,
  } as unknown as Store;
  return { store, calls };
}

async function run(cron: string, s: ReturnType<typeof fakeStore>) {
  const fetched: string[] = [];
  const fetchFn = (async (url: string) => {
    fetched.push(String(url));
    return new Response('{}', { status: 500 });
  }) as unknown as typeof fetch;
  const logger = { info() {}, warn() {}, error() {} };
  await runScheduledJobs({ store: s.store, vault: {} as KeyVault, modelsDevUrl: 'http://models.test/api.json', logger }, cron, NOW, fetchFn);
  return fetched;
}

/** How many times the model-list sync of channel 1 ran (it records its state even when it fails). */
async function modelSyncs(cron: string, s: ReturnType<typeof fakeStore>) {
  await run(cron, s);
  return s.calls.filter((c) => c === 'put:channel:1').length;
}

describe('scheduled jobs', () => {
  it('syncs prices only when priceSyncIntervalHours have passed', async () => {
    expect(await run(CRON_PRICES, fakeStore(1 * HOUR, null))).toEqual([]);
    expect(await run(CRON_PRICES, fakeStore(6 * HOUR - 60_000, null))).toEqual(['http://models.test/api.json']);
    expect(await run(CRON_PRICES, fakeStore(null, null))).toEqual(['http://models.test/api.json']);
    expect(await run(CRON_PRICES, fakeStore(2 * HOUR, null, { priceSyncIntervalHours: 2 }))).toEqual(['http://models.test/api.json']);
  });

  it('syncs model lists when a channel was never synced or its sync is modelSyncIntervalHours old', async () => {
    expect(await modelSyncs(CRON_MODELS, fakeStore(null, 10 * 60_000))).toBe(0);
    expect(await modelSyncs(CRON_MODELS, fakeStore(null, HOUR))).toBe(1);
    expect(await modelSyncs(CRON_MODELS, fakeStore(null, null))).toBe(1);
    expect(await modelSyncs(CRON_MODELS, fakeStore(null, 2 * HOUR, { modelSyncIntervalHours: 3 }))).toBe(0);
  });

  it('runs only retention on its own expression, and every job on an unknown one', async () => {
    const retention = fakeStore(null, null);
    expect(await run(CRON_RETENTION, retention)).toEqual([]);
    expect(retention.calls).toEqual(['put:log-retention']);
    const manual = fakeStore(0, 0);
    expect(await run('1 2 3 4 5', manual)).toEqual(['http://models.test/api.json']);
    expect(manual.calls.filter((c) => c === 'put:channel:1')).toHaveLength(1);
  });

  it('runs only the health checks every minute (no sync, no retention)', async () => {
    const s = fakeStore(null, null);
    expect(await run(CRON_HEALTH, s)).toEqual([]);
    // The checks listed the channels (none has a check); nothing else ran.
    expect(s.calls).toEqual(['listChannels']);
  });

  it('lists the same expressions as wrangler.toml [triggers]', () => {
    const toml = readFileSync(new URL('../../../../wrangler.toml', import.meta.url), 'utf8');
    const crons = /\[triggers\]\s*crons\s*=\s*(\[[^\]]*\])/.exec(toml)?.[1];
    expect(JSON.parse(crons!)).toEqual([...CRON_EXPRESSIONS]);
  });
});
