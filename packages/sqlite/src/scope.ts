import type { Calls } from "./calls.ts";
import type { Connection } from "./connection.ts";
import { SqliteMigrationError, toSqliteError } from "./errors.ts";

/**
 * What the calling async context holds: a transaction ({@link TransactionScope}), or a
 * connection lent to `read()`, `write()` or a migration ({@link LentScope}). The pool's routing
 * step sends calls made inside it here, to run on that connection (see {@link Calls}).
 */
export interface Scope extends Calls {
  readonly conn: Connection;
  /**
   * Still running. A call made inside live work belongs to work `close()` already admitted, so
   * it goes on until `close()` stops waiting.
   */
  readonly live: boolean;
  /**
   * Calls made in this context go to this scope. A transaction's scope keeps taking them once
   * it is over, to refuse them (`SQLITE_TX_REVOKED`) rather than let a straggler slip into
   * autocommit; a lent connection's scope stops when its call returns.
   */
  readonly routesCalls: boolean;
}

/**
 * Runs `op` on `conn` now, as a promise. `wrap` turns bun:sqlite's errors into
 * {@link SqliteError}s, for the pool's own statements; callbacks given to `read()`/`write()`
 * keep their errors as they are.
 */
export function runNow<R>(
  conn: Connection,
  op: (conn: Connection) => R | PromiseLike<R>,
  wrap: boolean,
): Promise<Awaited<R>> {
  try {
    return Promise.resolve(op(conn)) as Promise<Awaited<R>>;
  } catch (error) {
    return Promise.reject(wrap ? toSqliteError(error) : error);
  }
}

/** The rejection of `migrate()` called inside a scope: it would queue for its own writer. */
export function migrateInsideError(name: string): Error {
  return new SqliteMigrationError(
    0,
    new Error("migrate() cannot be called inside a transaction, read() or write()"),
    name,
  );
}
