import type { ConnectionConfig, SqlParams } from "./connection.ts";
import { deserializeError, type SerializedError, serializeError } from "./errors.ts";
import { SqliteExtensionError } from "./extensions.ts";
import type { StatementCounters } from "./statement-cache.ts";

/**
 * Pool to reader process, over Bun's IPC channel with `serialization: "advanced"` (structured
 * clone: `Uint8Array`, `bigint`, `NaN` and `-0` arrive as they left).
 */
export type WorkerRequest =
  | { type: "init"; config: ConnectionConfig; maxLifetimeMs: number }
  | { type: "query"; id: number; op: "all" | "get"; sql: string; params: SqlParams | undefined }
  | { type: "close" };

/**
 * An error as data. `extension` is set when loading that extension failed, so the pool can
 * rebuild a `SqliteExtensionError` rather than a plain `SqliteOpenError`.
 */
export type WireError =
  | SerializedError
  | { kind: "extension"; path: string; extension: string; message: string };

/**
 * Reader process to pool: `ready` once it has read `init`, then one reply per query, `closed`
 * once its connection is closed. `cache` is what the query added to the reader's statement cache
 * counters (hits, misses, evictions), summed into the pool's `stats().statements`.
 */
export type WorkerReply =
  | { type: "result"; id: number; result: unknown; cache: StatementCounters }
  | { type: "error"; id: number; error: WireError; cache: StatementCounters }
  | { type: "ready" }
  | { type: "closed" };

/** An error thrown in a reader process, as data for the trip back. */
export function toWireError(error: unknown): WireError {
  if (error instanceof SqliteExtensionError) {
    return {
      kind: "extension",
      path: error.path,
      extension: error.extension,
      message: error.message,
    };
  }
  return serializeError(error);
}

/** The error a reader process reported, rebuilt with its class and code. */
export function fromWireError(e: WireError): Error {
  if (e.kind === "extension") return new SqliteExtensionError(e.path, e.extension, e.message);
  return deserializeError(e);
}
