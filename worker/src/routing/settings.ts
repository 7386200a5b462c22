/** Defaults for per-group routing settings (db/types.ts GroupSettings). Durations in ms. */
import type { GroupSettings } from '../db/types';

export type ResolvedGroupSettings = Required<GroupSettings>;

/**
 * Reasoning models can think for minutes before the first token, hence the generous first-byte
 * timeout; the deadline bounds the whole request including every retry.
 */
export const DEFAULT_GROUP_SETTINGS: ResolvedGroupSettings = {
  firstByteTimeoutMs: 120_000,
  idleTimeoutMs: 120_000,
  maxAttempts: 5,
  deadlineMs: 600_000,
  breakerThreshold: 3,
  breakerBaseMs: 30_000,
  breakerCapMs: 600_000,
  stickyTtlMs: 0,
};

/** The group's settings with every absent field filled from the defaults. */
export function resolveGroupSettings(s: GroupSettings | undefined): ResolvedGroupSettings {
  const out = { ...DEFAULT_GROUP_SETTINGS };
  for (const [k, v] of Object.entries(s ?? {})) {
    if (typeof v === 'number' && Number.isFinite(v) && k in out) out[k as keyof ResolvedGroupSettings] = v;
  }
  return out;
}
