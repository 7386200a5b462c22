/** Defaults for per-group routing settings (db/types.ts GroupSettings). Durations in ms, sizes in bytes or characters. */
import type { GroupSettings } from '../db/types';

export type ResolvedGroupSettings = Required<GroupSettings>;

/**
 * Reasoning models can think for minutes before the first token, hence the generous first-byte
 * timeout; the deadline bounds the whole request including every retry. The size caps bound what
 * one attempt may make the gateway hold or inflate: 16 Mi characters per stream event (an image
 * sent inline as base64 in one event still fits), 64 MiB per decoded reply (an embeddings batch
 * can be tens of MB); past them the attempt is a channel fault.
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
  maxEventChars: 16 * 1024 * 1024,
  maxInflatedBytes: 64 * 1024 * 1024,
};

/** The group's settings with every absent field filled from the defaults. */
export function resolveGroupSettings(s: GroupSettings | undefined): ResolvedGroupSettings {
  const out = { ...DEFAULT_GROUP_SETTINGS };
  for (const [k, v] of Object.entries(s ?? {})) {
    if (typeof v === 'number' && Number.isFinite(v) && k in out) out[k as keyof ResolvedGroupSettings] = v;
  }
  return out;
}
