import { availableParallelism } from "node:os";
import { PoolInvalidOptionError, unknownOption } from "@pool/core";
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
  /** Create the file when it does not exist. [create=true] */
  create?: boolean;
  /** Most read connections on the main thread. [readers=clamp(availableParallelism(), 2, 8)] */
  readers?: number;
  /** Off-thread readers: child processes, each with its own read connection, that run `all()`/`get()` (stoppable by `workerQueryTimeoutMs` or a call's `signal`); `0` keeps reads on the main thread. [workers=0] */
  workers?: number;
  /** How long a statement waits for another process's lock before failing with `SQLITE_BUSY`. [busyTimeoutMs=5000] */
  busyTimeoutMs?: number;
  /** A `transaction()` running longer is rolled back and rejected with `SQLITE_TX_TIMEOUT`; `0` is no limit. [transactionTimeoutMs=30000] */
  transactionTimeoutMs?: number;
  /** How long a call waits for the writer, a reader or a reader process before `POOL_TIMEOUT`. [acquireTimeoutMs=30000] */
  acquireTimeoutMs?: number;
  /** Prepared statements kept per connection (least recently used dropped first); `0` prepares every time. [statementCacheSize=128] */
  statementCacheSize?: number;
  /** Applied to every connection on open, after `busy_timeout`, `journal_mode=WAL`, `synchronous=NORMAL` and `foreign_keys=ON` (which they may override). [pragmas={}] */
  pragmas?: Record<string, PragmaValue>;
  /** Applied in order, once each, tracked in `user_version`. [migrations=[]] */
  migrations?: readonly Migration[];
  /** SQLite extensions (file paths, as for bun:sqlite's `loadExtension`) loaded into every connection the pool opens, the writer first, before migrations. [extensions=[]] */
  extensions?: readonly string[];
  /** bun:sqlite's `strict`: named parameters without their prefix, and a missing parameter is an error instead of NULL. [strict=true] */
  strict?: boolean;
  /** bun:sqlite's `safeIntegers`: integers come back as `bigint`. [safeIntegers=false] */
  safeIntegers?: boolean;
  /** Idle read connections are closed after this long; `0` keeps them. [idleTimeoutMs=60000] */
  idleTimeoutMs?: number;
  /** A connection idle this long is checked (`select 1`, no transaction left open) before it is lent. [validateAfterIdleMs=10000] */
  validateAfterIdleMs?: number;
  /** Connections are closed and reopened after about this long; `0` is forever. Not `:memory:`'s, which reopening would empty. [maxLifetimeMs=0] */
  maxLifetimeMs?: number;
  /** How long `close()` waits for running work before closing connections anyway. [closeTimeoutMs=30000] */
  closeTimeoutMs?: number;
  /** An off-thread query running longer is stopped by killing its reader process (`SQLITE_WORKER_TIMEOUT`), which is then replaced; `0` is no limit. [workerQueryTimeoutMs=0] */
  workerQueryTimeoutMs?: number;
  /** Used in error messages. [name="sqlite"] */
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
} as const;

const TIMEOUT_KEYS: ReadonlySet<string> = new Set(["timeoutMs"]);
const KNOWN: ReadonlySet<string> = new Set([
  "path",
  "readers",
  "pragmas",
  "migrations",
  "extensions",
  ...Object.keys(DEFAULTS),
]);

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

const DURATIONS = [
  "busyTimeoutMs",
  "transactionTimeoutMs",
  "acquireTimeoutMs",
  "idleTimeoutMs",
  "validateAfterIdleMs",
  "maxLifetimeMs",
  "closeTimeoutMs",
  "workerQueryTimeoutMs",
] as const;
const BOOLEANS = ["create", "strict", "safeIntegers"] as const;
const MAX_DELAY_MS = 2 ** 31 - 1;

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
  const o = options as unknown as Record<string, unknown>;
  if (typeof o.path !== "string") {
    throw new PoolInvalidOptionError("path", 'must be a file path string or ":memory:"');
  }
  const resolved: Record<string, unknown> = {
    ...DEFAULTS,
    readers: 0,
    pragmas: {},
    migrations: [],
    extensions: [],
  };
  for (const key of Object.keys(o)) if (o[key] !== undefined) resolved[key] = o[key];
  const r = resolved as unknown as ResolvedSqliteOptions;
  for (const key of DURATIONS) {
    const value = r[key];
    if (typeof value !== "number" || !(value >= 0 && value <= MAX_DELAY_MS)) {
      throw new PoolInvalidOptionError(
        key,
        `must be a number of milliseconds in [0, ${MAX_DELAY_MS}]`,
      );
    }
  }
  if (r.acquireTimeoutMs === 0) {
    throw new PoolInvalidOptionError(
      "acquireTimeoutMs",
      "must be positive: a call must not wait forever",
    );
  }
  for (const key of BOOLEANS) {
    if (typeof r[key] !== "boolean") throw new PoolInvalidOptionError(key, "must be a boolean");
  }
  if (o.readers === undefined) r.readers = defaultReaders();
  else if (!Number.isSafeInteger(r.readers) || r.readers < 1) {
    throw new PoolInvalidOptionError("readers", "must be a positive integer");
  }
  if (!Number.isSafeInteger(r.workers) || r.workers < 0) {
    throw new PoolInvalidOptionError("workers", "must be a non-negative integer");
  }
  if (!Number.isSafeInteger(r.statementCacheSize) || r.statementCacheSize < 0) {
    throw new PoolInvalidOptionError("statementCacheSize", "must be a non-negative integer");
  }
  if (typeof r.name !== "string") throw new PoolInvalidOptionError("name", "must be a string");
  checkPragmas(r.pragmas);
  checkMigrations(r.migrations, "migrations");
  checkExtensions(r.extensions);
  r.extensions = [...r.extensions]; // a copy: the caller's array may change, every connection must agree
  r.memory = isMemoryPath(r.path);
  if (r.memory && r.workers > 0) {
    throw new PoolInvalidOptionError(
      "workers",
      "an in-memory database lives in one connection and cannot be read from other processes; use a file",
    );
  }
  return r;
}

/**
 * The `timeoutMs` of per-call options (`transaction()`, `close()`), or `fallbackMs`. Unknown
 * keys are refused like @pool/core's `acquire()`/`close()` do: a typo such as `{ timeout: 50 }`
 * would otherwise run with the default.
 *
 * @returns the error to reject with, or the timeout.
 */
export function timeoutOption(
  options: unknown,
  fallbackMs: number,
  call: string,
): number | PoolInvalidOptionError {
  if (options === undefined) return fallbackMs;
  if (options === null || typeof options !== "object") {
    return new PoolInvalidOptionError("options", `${call} options must be an object`);
  }
  const unknown = unknownOption(options, TIMEOUT_KEYS, call);
  if (unknown !== undefined) return unknown;
  const timeoutMs = (options as { timeoutMs?: unknown }).timeoutMs ?? fallbackMs;
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0 && timeoutMs <= MAX_DELAY_MS)) {
    return new PoolInvalidOptionError(
      "timeoutMs",
      `must be a number of milliseconds in [0, ${MAX_DELAY_MS}]`,
    );
  }
  return timeoutMs;
}
