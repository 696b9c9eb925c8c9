import type { ConnectionConfig, SqlParams } from "./connection.ts";
import type { SerializedError } from "./errors.ts";
import type { StatementCounters } from "./statement-cache.ts";

/** Main thread to reader Worker. */
export type WorkerRequest =
  | { type: "init"; config: ConnectionConfig; maxLifetimeMs: number }
  | { type: "query"; id: number; op: "all" | "get"; sql: string; params: SqlParams | undefined }
  | { type: "close" };

/**
 * Reader Worker to main thread. `cache` is what the query added to the Worker's statement cache
 * counters (hits, misses, evictions), summed into the pool's `stats().statements`.
 */
export type WorkerReply =
  | { type: "result"; id: number; result: unknown; cache: StatementCounters }
  | { type: "error"; id: number; error: SerializedError; cache: StatementCounters }
  | { type: "closed" };
