import type { Database } from "bun:sqlite";
import type { AsyncLocalStorage } from "node:async_hooks";
import { type Lease, PoolClosedError } from "@pool/core";
import type { Connection } from "./connection.ts";
import { leftOpenError } from "./errors.ts";
import { endScope, lentScope, type Scope } from "./scope.ts";

/** How {@link lendConnection} lends a connection. */
export interface LendOptions {
  /** The pool's name, for errors. */
  name: string;
  /** The call, for errors: `"read()"` or `"write()"`. */
  what: string;
  /** `db` calls made inside may write on it (the writer, or `:memory:`'s only connection). */
  writable: boolean;
  /**
   * Let SQLite itself wait the whole `busy_timeout` while lent (the writer): `fn`'s statements
   * cannot be retried behind its back, so a busy error would go straight to it.
   */
  fullBusyWait: boolean;
}

/**
 * Lends `lease`'s raw connection to a `read()`/`write()` callback, inside a scope so `db` calls
 * made in it run on the same connection, and takes it back however `fn` ends. A transaction `fn`
 * left open is rolled back (`SQLITE_TX_LEFT_OPEN`) so the next caller does not join it; if a
 * forced `close()` took the connection meanwhile, the caller gets `POOL_CLOSED`, not whatever
 * the closed connection made `fn` throw.
 */
export async function lendConnection<R>(
  als: AsyncLocalStorage<Scope>,
  lease: Lease<Connection>,
  fn: (db: Database) => R | PromiseLike<R>,
  o: LendOptions,
): Promise<Awaited<R>> {
  const conn = lease.resource;
  const scope = lentScope(conn, o.writable);
  if (o.fullBusyWait) conn.waitForLocks(true);
  let result: Awaited<R> | undefined;
  let failed = false;
  let failure: unknown;
  try {
    result = await als.run(scope, () => fn(conn.db));
  } catch (error) {
    failed = true;
    failure = error;
  }
  endScope(scope);
  if (lease.released) throw new PoolClosedError(o.name);
  const leftOpen = conn.rollbackLeftover();
  if (o.fullBusyWait) conn.waitForLocks(false);
  if (conn.db.inTransaction) lease.destroy();
  else lease.release();
  if (failed) throw failure;
  if (leftOpen) throw leftOpenError(o.name, o.what);
  return result as Awaited<R>;
}
