/** The real models.dev snapshot (shared/fixtures/modelsdev/api.json, 2026-06-13), read once per test file. */
import { readFileSync } from 'node:fs';
import { fixturesDir } from '../../upstream/recordings';

/** Raw catalogue as parsed JSON; typed loosely so tests can read expected numbers straight from it. */
export type RawCatalogue = Record<string, { models: Record<string, { cost?: Record<string, unknown> }> }>;

let cached: RawCatalogue | undefined;

/** The parsed api.json. Throws when the fixture is missing. */
export function loadSnapshot(): RawCatalogue {
  cached ??= JSON.parse(readFileSync(`${fixturesDir()}/modelsdev/api.json`, 'utf8')) as RawCatalogue;
  return cached;
}

/** `cost` of one model in the raw snapshot; throws when the model or its cost is absent. */
export function rawCost(provider: string, model: string): Record<string, unknown> {
  const cost = loadSnapshot()[provider]?.models[model]?.cost;
  if (!cost) throw new Error(`snapshot has no cost for ${provider}/${model}`);
  return cost;
}
