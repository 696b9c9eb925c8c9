import { PoolAbortedError, PoolInvalidOptionError, unknownOption } from "@pool/core";

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

const KNOWN: ReadonlySet<string> = new Set(["signal"]);

/**
 * The `signal` of a call's {@link QueryOptions}.
 *
 * @returns the error to reject with (a bad option, or a signal already aborted), or the signal.
 * @example
 * ```ts
 * const signal = querySignal(options, "db");
 * if (signal instanceof Error) return Promise.reject(signal);
 * ```
 */
export function querySignal(
  options: unknown,
  name: string,
): AbortSignal | undefined | PoolInvalidOptionError | PoolAbortedError {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object") {
    return new PoolInvalidOptionError("options", "query options must be an object");
  }
  const unknown = unknownOption(options, KNOWN, "query");
  if (unknown !== undefined) return unknown;
  const { signal } = options as QueryOptions;
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    return new PoolInvalidOptionError("signal", "must be an AbortSignal");
  }
  return signal.aborted ? abortedBeforeStart(name, signal) : signal;
}

/** `POOL_ABORTED` for a query whose signal fired before it started. */
export function abortedBeforeStart(name: string, signal: AbortSignal): PoolAbortedError {
  const error = new PoolAbortedError(name, signal.reason);
  error.message = `${name}: query aborted before it started`;
  return error;
}
