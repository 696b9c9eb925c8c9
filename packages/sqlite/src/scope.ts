import type { Database } from "bun:sqlite";
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
}

/** Runs a statement on the scope's connection, after any nested transaction running on it. */
export function onScope<R>(scope: Scope, op: (conn: Connection) => R): Promise<R> {
  const tx = scope.tx;
  if (tx?.suspended) return tx.settled().then(() => onScope(scope, op));
  try {
    tx?.check();
    return Promise.resolve(op(scope.conn));
  } catch (error) {
    return Promise.reject(toSqliteError(error));
  }
}

export function callNow<R>(
  fn: (db: Database) => R | PromiseLike<R>,
  db: Database,
): Promise<Awaited<R>> {
  try {
    return Promise.resolve(fn(db)) as Promise<Awaited<R>>;
  } catch (error) {
    return Promise.reject(error);
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
