import type { DestroyReason } from "./events.ts";
import type { WaitStats } from "./histogram.ts";

/**
 * A plain snapshot of a pool: safe to log, serialize or compare.
 *
 * @example
 * ```ts
 * const { size, borrowed, pending, wait } = pool.stats();
 * console.log(`${borrowed}/${size} borrowed, ${pending} waiting, p99 wait ${wait.p99Ms} ms`);
 * ```
 */
export interface PoolStats {
  /** Resources that exist: idle + borrowed + validating. */
  size: number;
  idle: number;
  borrowed: number;
  /** Resources being validated before they are lent. */
  validating: number;
  /** `acquire()` calls waiting for a resource. */
  pending: number;
  /** Creates in flight. */
  creating: number;
  min: number;
  max: number;
  /** Resources created over the pool's life. */
  created: number;
  /** Resources a create returned after the pool gave up on it (timeout, close): destroyed unused. */
  discarded: number;
  /** Resources destroyed, by reason, and in total. `created - destroyed.total === size`. */
  destroyed: Record<DestroyReason, number> & { total: number };
  /** Successful acquires. */
  acquired: number;
  /** Acquires served by a resource that had been lent before. */
  reused: number;
  timedOut: number;
  aborted: number;
  /** Acquires refused because `maxWaiting` acquires were already queued, or by `failFast`. */
  rejected: number;
  createErrors: number;
  destroyErrors: number;
  validationFailures: number;
  leaksDetected: number;
  /** Time from `acquire()` to lease, over every successful acquire (immediate ones count as 0). */
  wait: WaitStats;
}

/** Monotonic counters the pool bumps; `stats()` copies them into a snapshot. */
export class Counters {
  created = 0;
  discarded = 0;
  acquired = 0;
  reused = 0;
  timedOut = 0;
  aborted = 0;
  rejected = 0;
  createErrors = 0;
  destroyErrors = 0;
  validationFailures = 0;
  leaksDetected = 0;
  destroyed: Record<DestroyReason, number> = {
    released: 0,
    validation: 0,
    idle: 0,
    lifetime: 0,
    maxUses: 0,
    evicted: 0,
    closed: 0,
  };
}
