/**
 * Recognising "the database is not answering" (down, unreachable, timed out, locked) among errors,
 * so callers answer 503 and retry later instead of 500, and logs never carry bound values.
 *
 * Sources of the codes: Node's system errors (ECONNREFUSED…); mysql2 (`PROTOCOL_CONNECTION_LOST`,
 * `ER_LOCK_WAIT_TIMEOUT` 1205, MariaDB `ER_STATEMENT_TIMEOUT` 1969, MySQL `ER_QUERY_TIMEOUT` 3024);
 * postgres.js (`CONNECTION_CLOSED`, `CONNECT_TIMEOUT`…) and PostgreSQL SQLSTATEs (class 08
 * connection exception, 57014 query_canceled by statement_timeout, 55P03 lock_not_available,
 * 57P01–57P03 shutdown, 53300 too_many_connections); better-sqlite3's SQLITE_BUSY/LOCKED/IOERR;
 * D1's "D1_ERROR … Network connection lost / overloaded / reset" messages.
 */
const CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_LOCK_WAIT_TIMEOUT', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT',
  'ER_QUERY_INTERRUPTED', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  '57014', '55P03', '57P01', '57P02', '57P03', '53300',
]);
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY)/;
const D1_UNAVAILABLE = /D1_ERROR|Network connection lost|overloaded|object to be reset|storage operation exceeded timeout/i;

/** Whether `err` (or an error in its `cause` chain, 5 deep) says the database is unavailable rather than the query wrong. */
export function isStoreUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const x = e as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    if (x.name === 'StoreUnavailableError') return true;
    const code = typeof x.code === 'string' ? x.code : typeof x.code === 'number' ? String(x.code) : '';
    if (CODES.has(code) || code.startsWith('08') || SQLITE_UNAVAILABLE.test(code)) return true;
    if (typeof x.message === 'string' && D1_UNAVAILABLE.test(x.message)) return true;
    e = x.cause;
  }
  return false;
}
