import type { Lease } from "@pool/core";
import type { Connection } from "./connection.ts";
import { toSqliteError } from "./errors.ts";
import type { Transaction } from "./transaction.ts";

/**
 * What the calling async context holds: a transaction, or a connection lent to `read()` /
 * `write()`. Calls on the pool made inside it run on that connection instead of queueing for
 * another, which is how they see uncommitted writes and never wait for themselves.
 */
export interface Scope {
  conn: Connection;
  /** The connection can write (the writer, or the only connection of `:memory:`). */
  writable: boolean;
  tx: Transaction | undefined;
  /** Set when the scope's call returned: later calls from stray callbacks must not use it. */
  ended: boolean;
  /**
   * Run when a `read()`/`write()` scope ends: transactions started in it and still running
   * give the connection up then, since the next caller gets it.
   */
  onEnd: Set<() => void> | undefined;
}

/** A scope for a connection lent to `read()` or `write()`. */
export function lentScope(conn: Connection, writable: boolean): Scope {
  return { conn, writable, tx: undefined, ended: false, onEnd: undefined };
}

/** Marks a `read()`/`write()` scope over and revokes what still runs in it. */
export function endScope(scope: Scope): void {
  scope.ended = true;
  const hooks = scope.onEnd;
  if (hooks === undefined) return;
  scope.onEnd = undefined;
  for (const hook of hooks) hook();
}

/**
 * Runs `op` on the scope's connection, after any nested transaction running on it (so it does
 * not land inside that savepoint). `wrap` turns bun:sqlite's errors into {@link SqliteError}s;
 * callbacks given to `read()`/`write()` keep theirs.
 */
export function onScope<R>(
  scope: Scope,
  op: (conn: Connection) => R | PromiseLike<R>,
  wrap = true,
): Promise<Awaited<R>> {
  const tx = scope.tx;
  if (tx?.suspended) return tx.idle().then(() => onScope(scope, op, wrap));
  try {
    tx?.check();
    return Promise.resolve(op(scope.conn)) as Promise<Awaited<R>>;
  } catch (error) {
    return Promise.reject(wrap ? toSqliteError(error) : error);
  }
}

export function runOn<R>(lease: Lease<Connection>, op: (conn: Connection) => R): R {
  try {
    return op(lease.resource);
  } catch (error) {
    throw toSqliteError(error);
  } finally {
    lease.release();
  }
}
