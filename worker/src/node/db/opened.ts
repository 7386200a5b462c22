/** What opening a database gives the Node entry: the store, and how to let go of the connection. */
import type { Store } from '../../db/store';

export interface OpenedDatabase {
  store: Store;
  /** Closes the connection (pool); idempotent. Pending queries finish first where the driver allows. */
  close(): Promise<void>;
}
