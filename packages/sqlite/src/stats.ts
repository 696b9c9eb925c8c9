import type { PoolStats } from "@pool/core";
import type { WorkerStats } from "./off-thread-readers.ts";
import type { StatementCounters } from "./statement-cache.ts";

/**
 * A plain snapshot of a {@link SqlitePool}: safe to log, serialize or compare.
 *
 * @example
 * ```ts
 * const s = db.stats();
 * console.log(`writer queue ${s.writer.pending}, p99 wait ${s.writer.wait.p99Ms} ms, ` +
 *   `cache ${s.statements.hits}/${s.statements.hits + s.statements.misses}`);
 * ```
 */
export interface SqlitePoolStats {
  /** The writer's pool (size 1): `pending` is the write queue, `wait` its wait times. */
  writer: PoolStats;
  /** The main-thread readers; `undefined` on `:memory:`, where reads share the writer. */
  readers: PoolStats | undefined;
  /** The off-thread reader processes; `undefined` without `workers`. */
  workers: WorkerStats | undefined;
  /** Prepared-statement cache, summed over every connection (reader processes included). */
  statements: StatementCounters;
  transactions: {
    committed: number;
    rolledBack: number;
    /** Rolled back because they outlived `transactionTimeoutMs` (also counted in `rolledBack`). */
    timedOut: number;
  };
  /** Times a write waited, asynchronously, for another process's lock and tried again. */
  busyRetries: number;
}
