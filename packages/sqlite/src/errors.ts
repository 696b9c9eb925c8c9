import { SQLiteError } from "bun:sqlite";
import { brandErrorClass, PoolError } from "@pool/core";

/**
 * Codes @pool/sqlite adds to @pool/core's. Errors from SQLite itself keep SQLite's own code
 * (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, ...) on a {@link SqliteError}.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof PoolError && e.code === "SQLITE_TX_TIMEOUT") retryLater(); }
 * ```
 */
export type SqlitePoolErrorCode =
  | "SQLITE_TX_REVOKED"
  | "SQLITE_TX_TIMEOUT"
  | "SQLITE_TX_SUSPENDED"
  | "SQLITE_TX_LEFT_OPEN"
  | "SQLITE_TX_ENDED"
  | "SQLITE_MIGRATION_FAILED"
  | "SQLITE_EXTENSION_FAILED"
  | "SQLITE_WORKER_FAILED"
  | "SQLITE_WORKER_TIMEOUT"
  | "SQLITE_MULTIPLE_STATEMENTS";

/**
 * An error SQLite reported. `code` is SQLite's extended code as a string
 * (`"SQLITE_CONSTRAINT_UNIQUE"`, `"SQLITE_BUSY"`), `errno` the number (2067, 5). It looks the
 * same whether the statement ran on the main thread or on a reader process; on the main thread `cause`
 * is bun:sqlite's original `SQLiteError`.
 *
 * @example
 * ```ts
 * try {
 *   await db.run("insert into users(email) values (?)", [email]);
 * } catch (e) {
 *   if (e instanceof SqliteError && e.code === "SQLITE_CONSTRAINT_UNIQUE") return "taken";
 *   throw e;
 * }
 * ```
 */
export class SqliteError extends PoolError {
  /** SQLite's extended result code, e.g. 2067 for `SQLITE_CONSTRAINT_UNIQUE`. */
  readonly errno: number;
  /** Offset in the SQL of the token that failed, or -1. */
  readonly byteOffset: number;

  constructor(
    code: string,
    message: string,
    errno: number,
    byteOffset = -1,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.errno = errno;
    this.byteOffset = byteOffset;
  }
}

/**
 * The database file could not be opened or set up (missing directory, not a database, no
 * permission). `code` is SQLite's (`SQLITE_CANTOPEN`, `SQLITE_NOTADB`, ...), `path` the file.
 *
 * @example
 * ```ts
 * try { new SqlitePool({ path: "/no/such/dir/app.db" }); }
 * catch (e) { if (e instanceof SqliteOpenError) console.error(e.code, e.path); }
 * ```
 */
export class SqliteOpenError extends SqliteError {
  readonly path: string;

  constructor(path: string, code: string, errno: number, message: string, options?: ErrorOptions) {
    super(code, message, errno, -1, options);
    this.path = path;
  }

  /** @internal wraps what opening or setting up `path` threw. */
  static from(path: string, cause: unknown): SqliteOpenError {
    const sqlite = cause instanceof SQLiteError;
    return new SqliteOpenError(
      path,
      sqlite && cause.code ? cause.code : "SQLITE_CANTOPEN",
      sqlite ? cause.errno : 14,
      `cannot open database "${path}": ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * A transaction was used wrongly or ended early: `SQLITE_TX_REVOKED` (used after it ended),
 * `SQLITE_TX_SUSPENDED` (used while a nested transaction runs), `SQLITE_TX_LEFT_OPEN`
 * (`read()`, `write()`, `exec()` or `run()` left a transaction open; it was rolled back), `SQLITE_TX_ENDED`
 * (a statement inside it, or SQLite itself, ended it).
 *
 * @example
 * ```ts
 * let saved;
 * await db.transaction((tx) => { saved = tx; });
 * saved.run("delete from t"); // throws SqliteTransactionError, code "SQLITE_TX_REVOKED"
 * ```
 */
export class SqliteTransactionError extends PoolError {}

/** `what` (`"write()"`, ...) returned with a transaction still open; it was rolled back. */
export function leftOpenError(name: string, what: string): SqliteTransactionError {
  return new SqliteTransactionError(
    "SQLITE_TX_LEFT_OPEN",
    `${name}: ${what} returned with a transaction still open; it was rolled back`,
  );
}

/**
 * A transaction outlived `transactionTimeoutMs`: it was rolled back, the writer moved on, and
 * its handle is revoked.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx) => { await slowCall(); }, { timeoutMs: 1_000 });
 * // rejects with SqliteTransactionTimeoutError (code "SQLITE_TX_TIMEOUT") if slowCall takes longer
 * ```
 */
export class SqliteTransactionTimeoutError extends SqliteTransactionError {
  readonly timeoutMs: number;

  constructor(name: string, timeoutMs: number) {
    super(
      "SQLITE_TX_TIMEOUT",
      `${name}: transaction did not finish within ${timeoutMs} ms and was rolled back`,
    );
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Migration number `version` (1-based: the `user_version` it would have set, or its number in
 * the named `set`) failed and was rolled back; `cause` is what it threw. A failure of the
 * `migrations` option rejects every call on the pool; one of `db.migrate()` rejects that call.
 *
 * @example
 * ```ts
 * try { await db.ready; } catch (e) { if (e instanceof SqliteMigrationError) console.error(e.version, e.cause); }
 * ```
 */
export class SqliteMigrationError extends PoolError {
  readonly version: number;
  /** The named set of `db.migrate(name, ...)`; `undefined` for the `migrations` option. */
  readonly set: string | undefined;

  constructor(version: number, cause: unknown, set?: string) {
    const which = set === undefined ? `migration ${version}` : `migration ${set}#${version}`;
    super(
      "SQLITE_MIGRATION_FAILED",
      `${which} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.version = version;
    this.set = set;
  }
}

/**
 * A reader process died while running the query (`SQLITE_WORKER_FAILED`) or was stopped
 * because the query ran past `workerQueryTimeoutMs` (`SQLITE_WORKER_TIMEOUT`). The process is
 * replaced; other queries are unaffected.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof SqliteWorkerError && e.code === "SQLITE_WORKER_TIMEOUT") narrowTheQuery(); }
 * ```
 */
export class SqliteWorkerError extends PoolError {}

/**
 * The SQL given to `all`/`get`/`run` holds more than one statement; only the first would run.
 * Use `exec()` for scripts.
 *
 * @example
 * ```ts
 * await db.run("insert into a values (1); insert into b values (2)"); // throws, nothing runs
 * await db.exec("insert into a values (1); insert into b values (2)"); // runs both
 * ```
 */
export class SqliteMultipleStatementsError extends PoolError {
  constructor(sql: string) {
    super(
      "SQLITE_MULTIPLE_STATEMENTS",
      `more than one statement in ${JSON.stringify(sql.length > 80 ? `${sql.slice(0, 77)}...` : sql)}; use exec() for scripts`,
    );
  }
}

/** bun:sqlite's errors become {@link SqliteError}; anything else (a bad binding's TypeError) is left as is. */
export function toSqliteError(error: unknown): unknown {
  if (!(error instanceof SQLiteError)) return error;
  return new SqliteError(
    error.code ?? "SQLITE_ERROR",
    error.message,
    error.errno,
    error.byteOffset,
    {
      cause: error,
    },
  );
}

/** True for SQLITE_BUSY and its extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT). */
export function isBusy(error: unknown): boolean {
  return error instanceof SQLiteError && (error.errno & 0xff) === 5;
}

/** What crosses `postMessage`: it keeps neither an error's class nor its extra fields. */
export type SerializedError =
  | {
      kind: "sqlite";
      code: string;
      errno: number;
      byteOffset: number;
      message: string;
      path?: string;
    }
  | { kind: "pool"; code: string; message: string }
  | { kind: "js"; name: string; message: string; stack: string | undefined };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof SqliteError) {
    return {
      kind: "sqlite",
      code: error.code,
      errno: error.errno,
      byteOffset: error.byteOffset,
      message: error.message,
      ...(error instanceof SqliteOpenError ? { path: error.path } : {}),
    };
  }
  if (error instanceof SQLiteError) {
    return {
      kind: "sqlite",
      code: error.code ?? "SQLITE_ERROR",
      errno: error.errno,
      byteOffset: error.byteOffset,
      message: error.message,
    };
  }
  if (error instanceof SqliteMultipleStatementsError) {
    return { kind: "pool", code: error.code, message: error.message };
  }
  if (error instanceof Error) {
    return { kind: "js", name: error.name, message: error.message, stack: error.stack };
  }
  return { kind: "js", name: "Error", message: String(error), stack: undefined };
}

const JS_ERRORS: Record<string, ErrorConstructor> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
};

export function deserializeError(e: SerializedError): Error {
  if (e.kind === "sqlite") {
    if (e.path !== undefined) return new SqliteOpenError(e.path, e.code, e.errno, e.message);
    return new SqliteError(e.code, e.message, e.errno, e.byteOffset);
  }
  if (e.kind === "pool") {
    const error = new SqliteMultipleStatementsError("");
    error.message = e.message;
    return error;
  }
  const error = new (JS_ERRORS[e.name] ?? Error)(e.message);
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}

// `instanceof` holds across two copies of this package (an app whose dependencies bring their
// own, or the source next to the build output): each class is recognised by a brand that is the
// same in every copy. The ids are spelled out, not read from `.name`, which a minifier may change.
brandErrorClass(SqliteError, "@pool/sqlite.SqliteError");
brandErrorClass(SqliteOpenError, "@pool/sqlite.SqliteOpenError");
brandErrorClass(SqliteTransactionError, "@pool/sqlite.SqliteTransactionError");
brandErrorClass(SqliteTransactionTimeoutError, "@pool/sqlite.SqliteTransactionTimeoutError");
brandErrorClass(SqliteMigrationError, "@pool/sqlite.SqliteMigrationError");
brandErrorClass(SqliteWorkerError, "@pool/sqlite.SqliteWorkerError");
brandErrorClass(SqliteMultipleStatementsError, "@pool/sqlite.SqliteMultipleStatementsError");
