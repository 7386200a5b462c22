/**
 * KeyLimits held in this process (Node mode, and tests): one KeyLimitState per client key in a
 * map. JavaScript runs one admission at a time, and the only await (seeding a key's spend from the
 * stats, once) happens before the state is read, so admissions of one key never interleave.
 */
import { PriceCache, spendOf } from '../accounting/price-cache';
import type { RequestRecord } from '../accounting/records';
import type { Store } from '../db/store';
import type { Admission, KeyLimitSpec, KeyLimits } from '../platform';
import { admit, emptyKeyLimitState, settle, type KeyLimitState } from './key-limiter';

interface Holder {
  state: KeyLimitState;
  /** The limits seen at the last admission: settle tracks tokens only for a key with a TPM limit. */
  spec: KeyLimitSpec | null;
}

export class InProcessKeyLimits implements KeyLimits {
  private readonly holders = new Map<number, Promise<Holder>>();
  private readonly prices = new PriceCache();

  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  async admit(spec: KeyLimitSpec): Promise<Admission> {
    const h = await this.holder(spec.keyId);
    h.spec = spec;
    return admit(h.state, spec, this.now());
  }

  async settle(keyId: number, record: RequestRecord): Promise<void> {
    const h = await this.holder(keyId);
    const { costNanoUsd, tokens } = spendOf(record, await this.prices.get(this.store, this.now()));
    settle(h.state, costNanoUsd, tokens, this.now(), h.spec?.tpmLimit != null);
  }

  async refresh(keyId: number): Promise<void> {
    const h = this.holders.get(keyId);
    if (!h) return;
    const [holder, usage] = await Promise.all([h, this.store.keyUsage(keyId, 0, Number.MAX_SAFE_INTEGER)]);
    holder.state.spentNanoUsd = Math.max(holder.state.spentNanoUsd, usage.costNanoUsd);
  }

  /**
   * The key's holder, created on first use with the spend already in the stats. Requests settled
   * here but not yet flushed are counted by the holder itself, not by the stats, so nothing counts
   * twice; a process restart flushes first (graceful shutdown) and then seeds from complete stats.
   */
  private holder(keyId: number): Promise<Holder> {
    let h = this.holders.get(keyId);
    if (!h) {
      h = this.store.keyUsage(keyId, 0, Number.MAX_SAFE_INTEGER).then((u) => ({ state: emptyKeyLimitState(u.costNanoUsd), spec: null }));
      h.catch(() => this.holders.delete(keyId));
      this.holders.set(keyId, h);
    }
    return h;
  }
}
