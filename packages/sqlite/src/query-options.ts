import { callOptionsParser, PoolAbortedError, type PoolInvalidOptionError } from "@pool/core";

/**
 * Per-call options of {@link SqlitePool.all} and {@link SqlitePool.get}.
 *
 * @example
 * ```ts
 * // Off-thread (with `workers`), the query itself is stopped: its reader process is killed.
 * await db.all("select * from big order by random()", [], { signal: AbortSignal.timeout(500) });
 * ```
 */
export interface QueryOptions {
  /**
   * Aborting it rejects the call with `POOL_ABORTED` (`cause` is the signal's reason). With
   * `workers`, a query that is already running is stopped by killing its reader process. On the
   * main thread a read runs synchronously and cannot be stopped once started: the signal is
   * checked before it starts.
   */
  signal?: AbortSignal;
}

const queryOptions = callOptionsParser("query", { keys: ["signal"] });

/**
 * The `signal` of a call's {@link QueryOptions}.
 *
 * @returns the error to reject with (a bad option, or a signal already aborted), or the signal.
 */
export function querySignal(
  options: unknown,
  name: string,
): AbortSignal | undefined | PoolInvalidOptionError | PoolAbortedError {
  if (options === undefined) return undefined;
  const parsed = queryOptions(options);
  if (parsed instanceof Error) return parsed;
  const signal = parsed.signal;
  return signal?.aborted ? abortedBeforeStart(name, signal) : signal;
}

/** `POOL_ABORTED` for a query whose signal fired before it started. */
export function abortedBeforeStart(name: string, signal: AbortSignal): PoolAbortedError {
  const error = new PoolAbortedError(name, signal.reason);
  error.message = `${name}: query aborted before it started`;
  return error;
}
