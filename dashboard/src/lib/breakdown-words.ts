/**
 * The overview's sentences (lib/breakdown.ts) in the dashboard's language. A module of its own,
 * imported by the overview page only: its messages then load with that page and not with the
 * layout every page (the login page among them, which has a size budget: tests/a-login.spec.ts) loads.
 */
import { m } from '$lib/paraglide/messages';
import { setBreakdownWords } from './breakdown';

/** Installs the overview's words; called once by the overview page before it draws. */
export function installBreakdownWords(): void {
  setBreakdownWords({
    requests: (n, one) => (one ? m.bd_requests_one({ n }) : m.bd_requests_many({ n })),
    succeeded: (n) => m.bd_succeeded({ n }),
    rescued: (n) => m.bd_rescued({ n }),
    failedSplit: (n, clientErrors, upstream) => m.bd_failed_split({ n, clientErrors, upstream }),
    noneFailed: () => m.bd_none_failed(),
    clientErrors: (n, one) => (one ? m.bd_client_errors_one({ n }) : m.bd_client_errors_many({ n })),
    closed: (n) => m.bd_closed({ n }),
    untracked: (n) => m.bd_untracked({ n }),
    attempts: (n, one) => (one ? m.bd_attempts_one({ n }) : m.bd_attempts_many({ n })),
    attemptsFailed: (attempts, n) => m.bd_attempts_failed({ attempts, n }),
    absorbed: (n) => m.bd_absorbed({ n }),
    onlyAttemptFailed: () => m.bd_only_attempt_failed(),
    allAttemptsFailed: (n) => m.bd_all_attempts_failed({ n }),
    movedAll: () => m.bd_moved_all(),
    failedHere: (requests) => m.bd_failed_here({ requests }),
    movedMore: (n) => m.bd_moved_more({ n }),
    end: () => m.bd_end(),
  });
}
