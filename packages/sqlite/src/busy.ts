import { isBusy } from "./errors.ts";

/** Where `stats().busyRetries` is counted. */
export interface BusyCounters {
  busyRetries: number;
}

const FIRST_DELAY_MS = 1;
const MAX_DELAY_MS = 50;

/**
 * Runs `op` until it stops failing with SQLITE_BUSY or `timeoutMs` has passed since `startedAt`,
 * sleeping between attempts without blocking the event loop. Only for operations that ran none
 * of the caller's code (`BEGIN IMMEDIATE`, `COMMIT`, one autocommit statement): a busy error
 * means SQLite changed nothing, so trying again is safe.
 *
 * @returns `op`'s result; rejects with the last busy error (code and errno kept) when time runs out.
 */
export async function retryWhileBusy<R>(
  op: () => R,
  firstError: unknown,
  startedAt: number,
  timeoutMs: number,
  counters: BusyCounters,
): Promise<R> {
  let error = firstError;
  let delay = FIRST_DELAY_MS;
  for (;;) {
    const left = startedAt + timeoutMs - performance.now();
    if (!isBusy(error) || left <= 0) throw error;
    counters.busyRetries++;
    // Jitter keeps several processes from retrying in lockstep.
    await Bun.sleep(Math.min(left, delay / 2 + Math.random() * (delay / 2)));
    delay = Math.min(MAX_DELAY_MS, delay * 2);
    try {
      return op();
    } catch (next) {
      error = next;
    }
  }
}
