/** Deletes request logs older than the retention setting (run by the daily cron). */
import { loadSettings } from '../settings';
import type { Store } from '../db/store';

/** @returns how many log rows were deleted. */
export async function enforceLogRetention(store: Store, now: number): Promise<number> {
  const { logRetentionDays } = await loadSettings(store);
  const deleted = await store.deleteLogsBefore(now - logRetentionDays * 86_400_000);
  await store.putSyncState('log-retention', now, true, { deleted, logRetentionDays });
  return deleted;
}
