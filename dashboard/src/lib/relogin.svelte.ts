/**
 * An expired admin session, met in the middle of work: instead of leaving the page (and the edit
 * the user was about to save), the layout asks for the password in a dialog (ReloginDialog.svelte)
 * and every admin call that got the 401 waits for it, then runs again. Cancelling fails those calls
 * with their 401 and leaves the page as it is, so nothing typed is lost.
 */

/** What the dialog shows: open while at least one call waits. */
export const relogin = $state<{ open: boolean }>({ open: false });

let waiting: { promise: Promise<boolean>; settle: (ok: boolean) => void } | null = null;

/**
 * Called by the API client on a 401 outside `/auth/`: opens the dialog (once for any number of
 * calls) and resolves true after a successful login, false when the user cancels.
 */
export function awaitRelogin(): Promise<boolean> {
  if (!waiting) {
    let settle!: (ok: boolean) => void;
    const promise = new Promise<boolean>((ok) => (settle = ok));
    waiting = { promise, settle };
    relogin.open = true;
  }
  return waiting.promise;
}

/** The dialog's outcome: `true` logged in again (the waiting calls run again), `false` cancelled. */
export function endRelogin(ok: boolean): void {
  const w = waiting;
  waiting = null;
  relogin.open = false;
  w?.settle(ok);
}
