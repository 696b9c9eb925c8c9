import type { ConnectionConfig, SqlParams } from "./connection.ts";
import type { SerializedError } from "./errors.ts";

/** Main thread to reader Worker. */
export type WorkerRequest =
  | { type: "init"; config: ConnectionConfig; maxLifetimeMs: number }
  | { type: "query"; id: number; op: "all" | "get"; sql: string; params: SqlParams | undefined }
  | { type: "close" };

/** Reader Worker to main thread. `hit` says whether the statement came from its cache. */
export type WorkerReply =
  | { type: "result"; id: number; result: unknown; hit: boolean }
  | { type: "error"; id: number; error: SerializedError; hit: boolean }
  | { type: "closed" };
