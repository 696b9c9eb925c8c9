import { PoolInvalidOptionError } from "./errors.ts";
import { durationError, unknownOption } from "./option-checks.ts";

/**
 * The per-call options of a pool method: how long it may wait and what can abort it.
 *
 * @example
 * ```ts
 * await pool.acquire({ timeoutMs: 1_000, signal: request.signal });
 * ```
 */
export interface CallOptions {
  /** How long the call may take; overrides the pool's default for this call. */
  timeoutMs?: number;
  /** Aborting it ends the call (with `POOL_ABORTED` in @pool/core). */
  signal?: AbortSignal;
}

/**
 * What a {@link callOptionsParser} returns for good options: every field filled in.
 *
 * @example
 * ```ts
 * const parsed = acquireOptions({ signal }, 30_000); // { timeoutMs: 30000, signal }
 * ```
 */
export interface ParsedCallOptions {
  /** The call's `timeoutMs`, or the fallback the parser was given. */
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/**
 * How one method's per-call options are checked.
 *
 * @example
 * ```ts
 * const spec: CallOptionsSpec = { keys: ["timeoutMs"], zeroTimeout: true }; // close()
 * ```
 */
export interface CallOptionsSpec {
  /** The keys the method accepts; any other own key is refused. @default ["timeoutMs", "signal"] */
  keys?: readonly (keyof CallOptions)[];
  /** Accept `timeoutMs: 0` (`close()`: "do not wait at all"); otherwise it must be positive. @default false */
  zeroTimeout?: boolean;
}

/**
 * Makes the checker of one method's per-call options (`{ timeoutMs, signal }`, or a subset).
 * The checker returns the error instead of throwing it, so a promise-returning method rejects
 * with it rather than throwing synchronously: a typo such as `{ timeout: 50 }` (which would
 * otherwise run with the default) or a bad value becomes `POOL_INVALID_OPTION` naming the key.
 * The signal is duck-typed, so signals from another realm pass; whether it is already aborted
 * is the caller's to decide.
 *
 * @param call the method, for messages ("acquire", "close", "transaction").
 * @example
 * ```ts
 * const acquireOptions = callOptionsParser("acquire");
 * const closeOptions = callOptionsParser("close", { keys: ["timeoutMs"], zeroTimeout: true });
 *
 * close(options?: { timeoutMs?: number }): Promise<void> {
 *   const parsed = closeOptions(options, this.closeTimeoutMs);
 *   if (parsed instanceof Error) return Promise.reject(parsed);
 *   return this.shutdown(parsed.timeoutMs);
 * }
 * ```
 */
export function callOptionsParser(
  call: string,
  spec: CallOptionsSpec = {},
): (options: unknown, fallbackMs?: number) => ParsedCallOptions | PoolInvalidOptionError {
  const known: ReadonlySet<string> = new Set(spec.keys ?? ["timeoutMs", "signal"]);
  const positive = spec.zeroTimeout !== true;
  return (options, fallbackMs = 0) => {
    if (options === undefined) return { timeoutMs: fallbackMs, signal: undefined };
    if (options === null || typeof options !== "object") {
      return new PoolInvalidOptionError("options", `${call} options must be an object`);
    }
    const unknown = unknownOption(options, known, call);
    if (unknown !== undefined) return unknown;
    // Own values only, as only own keys were checked: an inherited `timeoutMs` is not an option.
    const own = options as CallOptions;
    const timeoutMs = Object.hasOwn(own, "timeoutMs") ? own.timeoutMs : undefined;
    const signal = known.has("signal") && Object.hasOwn(own, "signal") ? own.signal : undefined;
    if (timeoutMs !== undefined) {
      const bad = durationError(timeoutMs, "timeoutMs", positive);
      if (bad !== undefined) return bad;
    }
    if (signal !== undefined && typeof (signal as AbortSignal)?.addEventListener !== "function") {
      return new PoolInvalidOptionError("signal", "must be an AbortSignal");
    }
    return { timeoutMs: timeoutMs ?? fallbackMs, signal };
  };
}
