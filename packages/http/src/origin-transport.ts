import { type Lease, type Pool, PoolAbortedError, PoolCreateError } from "@pool/core";
import { HttpConnectError, HttpTimeoutError } from "./errors.ts";
import type { OriginCounters, OriginStats } from "./origin-stats.ts";
import type { PreparedBody } from "./request.ts";
import type { RequestHeaders } from "./request-headers.ts";

/**
 * One attempt of a request, as a transport sends it to its origin.
 */
export interface AttemptRequest {
  method: string;
  /** Path and query. */
  target: string;
  headers: RequestHeaders;
  body: PreparedBody;
  signal: AbortSignal | undefined;
}

/**
 * What the request layer (redirects, retries, balancing) needs from one origin, whichever
 * transport carries it.
 */
export interface OriginTransport {
  readonly origin: string;
  /** Requests holding or waiting for a connection: what the balancer compares. */
  load(): number;
  /** Sends one attempt; resolves at the response head, like fetch. */
  send(request: AttemptRequest): Promise<Response>;
  stats(): Omit<OriginStats, "healthy">;
  /** What `stats()` reports; the request layer counts its redirects and retries here. */
  readonly counters: OriginCounters;
  /** Opens a connection ahead of a first request when none is open; failures are ignored. */
  preconnect(): void;
  close(timeoutMs: number): Promise<void>;
}

/**
 * Acquires from an origin's pool, turning the pool's errors into what a fetch caller expects:
 * an abort rejects with the signal's reason, a failed connect with a fresh HTTP error of its
 * own (the pool hands one create error to every waiter it rejects).
 *
 * @example
 * ```ts
 * const lease = await acquireFrom(pool, origin, signal); // rejects with signal.reason on abort
 * ```
 */
export async function acquireFrom<T>(
  pool: Pool<T>,
  origin: string,
  signal: AbortSignal | undefined,
): Promise<Lease<T>> {
  try {
    return await pool.acquire(signal === undefined ? undefined : { signal });
  } catch (error) {
    throw translateAcquireError(error, origin, signal);
  }
}

/**
 * The error a fetch caller should see for a failed acquire: `signal.reason` for an abort, a
 * fresh {@link HttpConnectError} or connect {@link HttpTimeoutError} for a failed create (the
 * pool shares one create error among the waiters it rejects), anything else unchanged.
 *
 * @example
 * ```ts
 * pool.acquire({ signal }).catch((e) => { throw translateAcquireError(e, origin, signal); });
 * ```
 */
export function translateAcquireError(
  error: unknown,
  origin: string,
  signal: AbortSignal | undefined,
): unknown {
  if (error instanceof PoolAbortedError && signal?.aborted) return signal.reason;
  if (error instanceof PoolCreateError) {
    const cause = error.cause;
    if (cause instanceof HttpTimeoutError)
      return new HttpTimeoutError("HTTP_CONNECT_TIMEOUT", origin, cause.timeoutMs);
    if (cause instanceof HttpConnectError) return new HttpConnectError(origin, cause.cause);
    if (error.code === "POOL_CREATE_TIMEOUT")
      return new HttpTimeoutError("HTTP_CONNECT_TIMEOUT", origin, 0);
    return new HttpConnectError(origin, cause);
  }
  return error;
}
