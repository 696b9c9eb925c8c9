import { backoffMs } from "@pool/core";
import { isBusy } from "./errors.ts";

/** Where `stats().busyRetries` is counted. */
export interface BusyCounters {
  busyRetries: number;
}

const FIRST_RETRY_DELAY_MS = 1;
const MAX_RETRY_DELAY_MS = 50;

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
  for (let attempt = 1; ; attempt++) {
    const left = startedAt + timeoutMs - performance.now();
    if (!isBusy(error) || left <= 0) throw error;
    counters.busyRetries++;
    // Jitter keeps several processes from retrying in lockstep.
    await Bun.sleep(Math.min(left, backoffMs(attempt, FIRST_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS)));
    try {
      return op();
    } catch (next) {
      error = next;
    }
  }
}
