import { backoffMs } from "@pool/core";
import { HttpConnectError, HttpSocketError, HttpTimeoutError } from "./errors.ts";
import { isIdempotent } from "./request.ts";

/**
 * The retry options of a pool.
 */
export interface RetryPolicy {
  retries: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
}

/** Gateway statuses: the upstream behind a proxy failed, the same request may well succeed. */
const RETRY_STATUSES = new Set([502, 503, 504]);

/**
 * True for an error that happened before the request could reach the server.
 *
 * @example
 * ```ts
 * isConnectFailure(new HttpConnectError(origin, cause)); // true: safe to send elsewhere
 * ```
 */
export function isConnectFailure(error: unknown): boolean {
  return (
    error instanceof HttpConnectError ||
    (error instanceof HttpTimeoutError && error.code === "HTTP_CONNECT_TIMEOUT")
  );
}

/**
 * Whether an attempt that failed with `error` may be sent again: always when it never reached
 * the server; after a dropped connection only when the method is idempotent and the body can be
 * sent again (a written POST may have been acted on).
 *
 * @example
 * ```ts
 * mayRetryError(new HttpSocketError(origin, false), "POST", true); // false
 * ```
 */
export function mayRetryError(error: unknown, method: string, replayable: boolean): boolean {
  if (isConnectFailure(error)) return true;
  return error instanceof HttpSocketError && isIdempotent(method) && replayable;
}

/**
 * Whether a response with this status may be retried for this request.
 *
 * @example
 * ```ts
 * mayRetryStatus(503, "GET", true); // true
 * ```
 */
export function mayRetryStatus(status: number, method: string, replayable: boolean): boolean {
  return RETRY_STATUSES.has(status) && isIdempotent(method) && replayable;
}

/**
 * Delay before retry number `attempt` (1-based): core's capped exponential backoff with
 * jitter, unless a `Retry-After` asks for a wait that fits under the cap.
 *
 * @returns milliseconds, or `undefined` when the server asks for a longer wait than the cap
 *   (then its response is returned instead of waiting).
 *
 * @example
 * ```ts
 * retryDelay(2, policy, response.headers.get("retry-after")); // ms, or undefined to give up
 * ```
 */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfter: string | null,
): number | undefined {
  if (retryAfter !== null) {
    const asked = parseRetryAfter(retryAfter);
    if (asked !== undefined) return asked <= policy.retryMaxDelayMs ? asked : undefined;
  }
  return backoffMs(attempt, policy.retryDelayMs, policy.retryMaxDelayMs);
}

function parseRetryAfter(value: string): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts.
 *
 * @example
 * ```ts
 * await sleep(100, signal); // rejects with signal.reason if aborted
 * ```
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
