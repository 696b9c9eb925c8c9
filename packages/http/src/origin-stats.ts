import { Histogram, type PoolStats, type WaitStats } from "@pool/core";
import type { CloseReason } from "./connection.ts";

/**
 * Connection figures of one origin; socket transport only (the fetch transport cannot see
 * sockets). `size`, `idle`, `borrowed` and `creating` are @pool/core's stats names, with
 * core's meanings.
 *
 * @example
 * ```ts
 * const c = http.stats().origins[origin]!.connections!;
 * console.log(`${c.borrowed}/${c.size} borrowed, ${c.reused} reuses`);
 * ```
 */
export interface ConnectionStats {
  /** Sockets open now: idle + borrowed. */
  size: number;
  /** Sockets open and waiting for a request. */
  idle: number;
  /** Sockets carrying a request now. */
  borrowed: number;
  /** Connects in flight. */
  creating: number;
  /** Sockets opened over the pool's life. */
  created: number;
  /** Requests sent on a socket that had served a request before. */
  reused: number;
  /** Sockets closed, by reason, and in total. */
  closed: Record<CloseReason, number> & { total: number };
  /** Failed connects. */
  connectErrors: number;
}

/**
 * A plain snapshot of one origin.
 *
 * @example
 * ```ts
 * const s = http.stats().origins["http://127.0.0.1:11434"]!;
 * console.log(s.requests.total, s.connections?.reused, s.ttfb.p99Ms);
 * ```
 */
export interface OriginStats {
  origin: string;
  /** False while a balanced pool has taken it out of rotation. */
  healthy: boolean;
  /** `undefined` on the fetch transport. */
  connections: ConnectionStats | undefined;
  requests: {
    /** Attempts sent to this origin, retries included. */
    total: number;
    /** Attempts holding a connection (or, on fetch, a slot) now. */
    inFlight: number;
    /** Requests waiting for a connection (or, on fetch, a slot) now. */
    pending: number;
    /** Attempts that failed with an error (not an HTTP status). */
    failed: number;
    /** Attempts that were retries: stale keep-alive resends and `retries`. */
    retries: number;
    redirects: number;
  };
  /** Time from request to connection, over every attempt. */
  wait: WaitStats;
  /** Time from the request going out to the first response byte (fetch: to the head). */
  ttfb: WaitStats;
}

/**
 * A snapshot of a whole pool.
 *
 * @example
 * ```ts
 * for (const s of Object.values(http.stats().origins)) console.log(s.origin, s.requests.inFlight);
 * ```
 */
export interface HttpPoolStats {
  transport: "socket" | "fetch";
  origins: Record<string, OriginStats>;
}

/**
 * Counters one origin bumps; `stats()` copies them.
 *
 * @example
 * ```ts
 * const counters = new OriginCounters();
 * counters.requests++;
 * ```
 */
export class OriginCounters {
  requests = 0;
  inFlight = 0;
  failed = 0;
  retries = 0;
  redirects = 0;
  connectErrors = 0;
  readonly closed: Record<CloseReason, number> = {
    connectionClose: 0,
    remoteClosed: 0,
    keepAliveTimeout: 0,
    lifetime: 0,
    maxRequests: 0,
    timeout: 0,
    aborted: 0,
    error: 0,
    closed: 0,
  };
  readonly ttfb = new Histogram();
}

/**
 * One origin's snapshot from its pool's stats and its counters: the part both transports share.
 *
 * @param connections the socket figures, `undefined` on the fetch transport.
 *
 * @example
 * ```ts
 * return originStats(this.origin, this.pool.stats(), this.counters, undefined);
 * ```
 */
export function originStats(
  origin: string,
  pool: PoolStats,
  counters: OriginCounters,
  connections: ConnectionStats | undefined,
): Omit<OriginStats, "healthy"> {
  return {
    origin,
    connections,
    requests: {
      total: counters.requests,
      inFlight: pool.borrowed,
      pending: pool.pending,
      failed: counters.failed,
      retries: counters.retries,
      redirects: counters.redirects,
    },
    wait: pool.wait,
    ttfb: counters.ttfb.snapshot(),
  };
}
