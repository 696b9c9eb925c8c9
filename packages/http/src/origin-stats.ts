import type { WaitStats } from "@pool/core";
import type { CloseReason } from "./connection.ts";

/**
 * Connection figures of one origin; socket transport only (the fetch transport cannot see
 * sockets).
 *
 * @example
 * ```ts
 * const c = http.stats().origins[origin]!.connections!;
 * console.log(`${c.busy}/${c.open} busy, ${c.reused} reuses`);
 * ```
 */
export interface ConnectionStats {
  /** Sockets open now: idle + busy. */
  open: number;
  idle: number;
  busy: number;
  /** Connects in flight. */
  connecting: number;
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
    /** Requests waiting for a connection now. */
    queued: number;
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

// Log-linear buckets over microseconds, like @pool/core's wait histogram (which it does not
// export): exact below 32 µs, then 16 buckets per power of two, so percentiles are within ~6%.
const LINEAR = 32;
const SUB = 16;
const MAX_US = 2 ** 31 - 1;
const BUCKETS = LINEAR + 27 * SUB;

/**
 * A fixed-size latency histogram, cheap enough to record every request.
 *
 * @example
 * ```ts
 * const ttfb = new LatencyHistogram();
 * ttfb.record(1.5);
 * ttfb.snapshot().p99Ms;
 * ```
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private count = 0;
  private totalMs = 0;
  private maxMs = 0;

  record(ms: number): void {
    const us = ms <= 0 ? 0 : Math.min(MAX_US, Math.round(ms * 1000));
    this.counts[bucketOf(us)]!++;
    this.count++;
    if (ms > 0) this.totalMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  snapshot(): WaitStats {
    return {
      count: this.count,
      meanMs: this.count === 0 ? 0 : this.totalMs / this.count,
      p50Ms: this.percentile(0.5),
      p99Ms: this.percentile(0.99),
      maxMs: this.maxMs,
    };
  }

  private percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(midpointOf(b) / 1000, this.maxMs);
    }
    return this.maxMs;
  }
}

function bucketOf(us: number): number {
  if (us < LINEAR) return us;
  const exp = 31 - Math.clz32(us);
  return LINEAR + (exp - 5) * SUB + ((us >>> (exp - 4)) & (SUB - 1));
}

function midpointOf(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  const exp = ((bucket - LINEAR) >> 4) + 5;
  const sub = (bucket - LINEAR) & (SUB - 1);
  const width = 1 << (exp - 4);
  return (SUB + sub) * width + width / 2;
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
  readonly ttfb = new LatencyHistogram();
}
