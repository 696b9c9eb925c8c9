export type { ConnectionCallback, TransactionCallback } from "./calls.ts";
export type { RunResult, SqlParams } from "./connection.ts";
export type { SqlitePoolErrorCode } from "./errors.ts";
export {
  SqliteError,
  SqliteMigrationError,
  SqliteMultipleStatementsError,
  SqliteOpenError,
  SqliteTransactionError,
  SqliteTransactionTimeoutError,
  SqliteWorkerError,
} from "./errors.ts";
export { SqliteExtensionError } from "./extensions.ts";
export type { Migration } from "./migrations.ts";
export type { WorkerStats } from "./off-thread-readers.ts";
export type { SqlitePoolOptions } from "./options.ts";
export type { PragmaValue } from "./pragmas.ts";
export type { QueryOptions } from "./query-options.ts";
export type { SqliteCloseOptions, TransactionOptions } from "./sqlite-pool.ts";
export { SqlitePool } from "./sqlite-pool.ts";
export type { StatementCounters } from "./statement-cache.ts";
export type { SqlitePoolStats } from "./stats.ts";
export { Transaction } from "./transaction.ts";
