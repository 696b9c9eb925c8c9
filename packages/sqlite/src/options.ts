import { availableParallelism } from "node:os";
import {
  callOptionsParser,
  checkBoolean,
  checkCount,
  checkDurationMs,
  PoolInvalidOptionError,
  unknownOption,
} from "@pool/core";
import { checkExtensions } from "./extensions.ts";
import { checkMigrations, type Migration } from "./migrations.ts";
import { checkPragmas, type PragmaValue } from "./pragmas.ts";

/**
 * Options of a {@link SqlitePool}. Times are in milliseconds; only `path` is required.
 *
 * @example
 * ```ts
 * const db = new SqlitePool({
 *   path: "app.db",
 *   readers: 4,
 *   workers: 2,
 *   pragmas: { cache_size: -64_000 },
 *   migrations: ["create table users(id integer primary key, email text unique)"],
 * });
 * ```
 */
export interface SqlitePoolOptions {
  /** Database file. `":memory:"` (or `""`) is one private in-memory database on one connection. */
  path: string;
  /** Create the file when it does not exist. @default true */
  create?: boolean;
  /** Most read connections on the main thread. @default clamp(availableParallelism(), 2, 8) */
  readers?: number;
  /** Off-thread readers: child processes, each with its own read connection, that run `all()`/`get()` (stoppable by `workerQueryTimeoutMs` or a call's `signal`); `0` keeps reads on the main thread. @default 0 */
  workers?: number;
  /** How long a statement waits for another process's lock before failing with `SQLITE_BUSY`. @default 5000 */
  busyTimeoutMs?: number;
  /** A `transaction()` running longer is rolled back and rejected with `SQLITE_TX_TIMEOUT`; `0` is no limit. @default 30000 */
  transactionTimeoutMs?: number;
  /** How long a call waits for the writer, a reader or a reader process before `POOL_TIMEOUT`. @default 30000 */
  acquireTimeoutMs?: number;
  /** Prepared statements kept per connection (least recently used dropped first); `0` prepares every time. @default 128 */
  statementCacheSize?: number;
  /** Applied to every connection on open, after `busy_timeout`, `journal_mode=WAL`, `synchronous=NORMAL` and `foreign_keys=ON` (which they may override). @default {} */
  pragmas?: Record<string, PragmaValue>;
  /** Applied in order, once each, tracked in `user_version`. @default [] */
  migrations?: readonly Migration[];
  /** SQLite extensions (file paths, as for bun:sqlite's `loadExtension`) loaded into every connection the pool opens, the writer first, before migrations. @default [] */
  extensions?: readonly string[];
  /** bun:sqlite's `strict`: named parameters without their prefix, and a missing parameter is an error instead of NULL. @default true */
  strict?: boolean;
  /** bun:sqlite's `safeIntegers`: integers come back as `bigint`. @default false */
  safeIntegers?: boolean;
  /** Idle read connections are closed after this long; `0` keeps them. @default 60000 */
  idleTimeoutMs?: number;
  /** A connection idle this long is checked (`select 1`, no transaction left open) before it is lent. @default 10000 */
  validateAfterIdleMs?: number;
  /** Connections are closed and reopened after about this long; `0` is forever. Not `:memory:`'s, which reopening would empty. @default 0 */
  maxLifetimeMs?: number;
  /** How long `close()` waits for running work before closing connections anyway. @default 30000 */
  closeTimeoutMs?: number;
  /** An off-thread query running longer is stopped by killing its reader process (`SQLITE_WORKER_TIMEOUT`), which is then replaced; `0` is no limit. @default 0 */
  workerQueryTimeoutMs?: number;
  /** Used in error messages. @default "sqlite" */
  name?: string;
}

/** Options with every default filled in. */
export type ResolvedSqliteOptions = Required<SqlitePoolOptions> & { memory: boolean };

const DEFAULTS = {
  create: true,
  workers: 0,
  busyTimeoutMs: 5_000,
  transactionTimeoutMs: 30_000,
  acquireTimeoutMs: 30_000,
  statementCacheSize: 128,
  strict: true,
  safeIntegers: false,
  idleTimeoutMs: 60_000,
  validateAfterIdleMs: 10_000,
  maxLifetimeMs: 0,
  closeTimeoutMs: 30_000,
  workerQueryTimeoutMs: 0,
  name: "sqlite",
  pragmas: {},
  migrations: [],
  extensions: [],
} as const;

const KNOWN: ReadonlySet<string> = new Set(["path", "readers", ...Object.keys(DEFAULTS)]);

/** Names from other libraries and from @pool/core, so a migrating user gets a hint. */
const RENAMED: Record<string, string> = {
  filename: "path",
  file: "path",
  busyTimeout: "busyTimeoutMs",
  timeout: "busyTimeoutMs",
  max: "readers",
  maxReaders: "readers",
  maxConnections: "readers",
  transactionTimeout: "transactionTimeoutMs",
  statementCacheCapacity: "statementCacheSize",
  idleTimeout: "idleTimeoutMs",
  maxLifetime: "maxLifetimeMs",
  journalMode: "pragmas",
  journal_mode: "pragmas",
};

/** True for a database that lives in one connection's memory: it cannot be shared. */
export function isMemoryPath(path: string): boolean {
  return path === "" || path === ":memory:" || /^file:.*([?&]mode=memory\b|:memory:)/.test(path);
}

function defaultReaders(): number {
  return Math.min(8, Math.max(2, availableParallelism()));
}

/**
 * Fills in defaults and checks every field, naming the bad one.
 *
 * @throws {PoolInvalidOptionError} on an unknown key, a wrong type, a value out of range, or
 * `workers` with an in-memory database.
 */
export function resolveSqliteOptions(options: SqlitePoolOptions): ResolvedSqliteOptions {
  if (options === null || typeof options !== "object") {
    throw new PoolInvalidOptionError("options", "expected an object with at least `path`");
  }
  const unknown = unknownOption(options, KNOWN, "", RENAMED);
  if (unknown !== undefined) throw unknown;
  const given = options as Partial<SqlitePoolOptions>;
  // Only known keys are read, so nothing here reaches Object.prototype.
  const pick = <K extends keyof typeof DEFAULTS>(key: K) =>
    given[key] === undefined ? DEFAULTS[key] : given[key];
  const path: unknown = given.path;
  if (typeof path !== "string") {
    throw new PoolInvalidOptionError("path", 'must be a file path string or ":memory:"');
  }
  const name: unknown = pick("name");
  if (typeof name !== "string") throw new PoolInvalidOptionError("name", "must be a string");
  const pragmas = pick("pragmas");
  checkPragmas(pragmas);
  const migrations = pick("migrations");
  checkMigrations(migrations, "migrations");
  const extensions = pick("extensions");
  checkExtensions(extensions);
  const memory = isMemoryPath(path);
  const workers = checkCount(pick("workers"), "workers");
  if (memory && workers > 0) {
    throw new PoolInvalidOptionError(
      "workers",
      "an in-memory database lives in one connection and cannot be read from other processes; use a file",
    );
  }
  return {
    path,
    memory,
    name,
    create: checkBoolean(pick("create"), "create"),
    strict: checkBoolean(pick("strict"), "strict"),
    safeIntegers: checkBoolean(pick("safeIntegers"), "safeIntegers"),
    readers:
      given.readers === undefined
        ? defaultReaders()
        : checkCount(given.readers, "readers", { positive: true }),
    workers,
    statementCacheSize: checkCount(pick("statementCacheSize"), "statementCacheSize"),
    busyTimeoutMs: checkDurationMs(pick("busyTimeoutMs"), "busyTimeoutMs"),
    transactionTimeoutMs: checkDurationMs(pick("transactionTimeoutMs"), "transactionTimeoutMs"),
    // A call must not wait forever: 0 is refused.
    acquireTimeoutMs: checkDurationMs(pick("acquireTimeoutMs"), "acquireTimeoutMs", {
      positive: true,
    }),
    idleTimeoutMs: checkDurationMs(pick("idleTimeoutMs"), "idleTimeoutMs"),
    validateAfterIdleMs: checkDurationMs(pick("validateAfterIdleMs"), "validateAfterIdleMs"),
    maxLifetimeMs: checkDurationMs(pick("maxLifetimeMs"), "maxLifetimeMs"),
    closeTimeoutMs: checkDurationMs(pick("closeTimeoutMs"), "closeTimeoutMs"),
    workerQueryTimeoutMs: checkDurationMs(pick("workerQueryTimeoutMs"), "workerQueryTimeoutMs"),
    pragmas,
    migrations,
    // A copy: the caller's array may change, and every connection must agree.
    extensions: [...extensions],
  };
}

/** Checks `transaction(fn, options)`'s options: `{ timeoutMs }`, where `0` is no limit. */
export const transactionOptions = callOptionsParser("transaction", {
  keys: ["timeoutMs"],
  zeroTimeout: true,
});

/** Checks `close(options)`'s options: `{ timeoutMs }`, where `0` forces at once. */
export const closeOptions = callOptionsParser("close", { keys: ["timeoutMs"], zeroTimeout: true });
