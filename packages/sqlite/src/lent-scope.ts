import { type Lease, PoolClosedError } from "@pool/core";
import type { ConnectionCallback, TransactionCallback } from "./calls.ts";
import type { Connection, RunResult, SqlParams } from "./connection.ts";
import { leftOpenError } from "./errors.ts";
import { migrateInsideError, runNow, type Scope } from "./scope.ts";
import type { ScopeContext } from "./scope-context.ts";
import { revokedError, Transaction } from "./transaction.ts";

/**
 * The scope of a connection lent to `read()`, `write()` or a migration function: calls made
 * inside run on that connection until the callback returns. On a read-only connection, writes
 * (`run`, `exec`, `write`, `transaction`) go to the pool's writer as usual. A transaction
 * started here lives no longer than the callback: the next caller gets the connection then.
 */
export class LentScope implements Scope {
  private ended = false;
  /** Revokes each transaction started here and still running, when the scope ends. */
  private revokers: Set<() => void> | undefined = undefined;

  constructor(
    readonly conn: Connection,
    /** The writer, or `:memory:`'s only connection. */
    readonly writable: boolean,
    private readonly context: ScopeContext,
  ) {}

  get live(): boolean {
    return !this.ended;
  }

  get routesCalls(): boolean {
    return !this.ended;
  }

  /** The lending call returned: stray callbacks get a connection of their own from now on. */
  end(): void {
    this.ended = true;
    const revokers = this.revokers;
    if (revokers === undefined) return;
    this.revokers = undefined;
    for (const revoke of revokers) revoke();
  }

  read<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return runNow(this.conn, (c) => fn(c.db), false);
  }

  query(op: "all" | "get", sql: string, params: SqlParams | undefined): Promise<unknown> {
    return runNow(this.conn, (c) => (op === "all" ? c.all(sql, params) : c.get(sql, params)), true);
  }

  write<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    if (!this.writable) return this.context.outside.write(fn);
    return runNow(this.conn, (c) => fn(c.db), false);
  }

  run(sql: string, params: SqlParams | undefined): Promise<RunResult> {
    if (!this.writable) return this.context.outside.run(sql, params);
    return runNow(this.conn, (c) => c.run(sql, params), true);
  }

  exec(sql: string): Promise<void> {
    if (!this.writable) return this.context.outside.exec(sql);
    return runNow(
      this.conn,
      (c) => {
        c.db.run(sql);
      },
      true,
    );
  }

  /**
   * On a writable connection: a savepoint if the callback opened a transaction of its own,
   * else `BEGIN IMMEDIATE`. Either way it is revoked when the scope ends.
   */
  transaction<R>(fn: TransactionCallback<R>, timeoutMs: number): Promise<Awaited<R>> {
    if (!this.writable) return this.context.outside.transaction(fn, timeoutMs);
    const conn = this.conn;
    this.revokers ??= new Set();
    const revokers = this.revokers;
    if (conn.db.inTransaction) {
      // The callback's own BEGIN: a stand-in for it, ended with the scope, holds the savepoint.
      const outer = new Transaction(conn, this.context);
      const end = () => outer.end();
      revokers.add(end);
      return outer.transaction(fn).finally(() => revokers.delete(end));
    }
    let revoke: (() => void) | undefined;
    return this.context.transactions.run(conn, fn, timeoutMs, {
      stillHeld: () => !this.ended,
      release: () => {
        if (revoke !== undefined) revokers.delete(revoke);
      },
      began: (rollback) => {
        revoke = () => rollback(revokedError(this.context.name));
        revokers.add(revoke);
      },
    });
  }

  migrate(name: string): Promise<void> {
    return Promise.reject(migrateInsideError(name));
  }
}

/** How {@link lendConnection} lends a connection. */
export interface LendOptions {
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
 * Lends `lease`'s raw connection to a `read()`/`write()` callback, inside a {@link LentScope}
 * so `db` calls made in it run on the same connection, and takes it back however `fn` ends (see
 * {@link giveBack}).
 */
export function lendConnection<R>(
  context: ScopeContext,
  lease: Lease<Connection>,
  fn: ConnectionCallback<R>,
  o: LendOptions,
): Promise<Awaited<R>> {
  const conn = lease.resource;
  const scope = new LentScope(conn, o.writable, context);
  if (o.fullBusyWait) conn.waitForLocks(true);
  let outcome: R | PromiseLike<R>;
  try {
    outcome = context.als.run(scope, fn, conn.db);
  } catch (error) {
    outcome = Promise.reject(error);
  }
  return giveBack(context, lease, scope, outcome, o);
}

/**
 * Waits for the outcome of a callback running in `scope` on `lease`'s connection, ends the scope
 * and gives the connection back. A transaction the callback left open is rolled back
 * (`SQLITE_TX_LEFT_OPEN`) so the next caller does not join it; if a forced `close()` took the
 * connection meanwhile, the caller gets `POOL_CLOSED`, not whatever the closed connection made
 * the callback throw.
 */
export async function giveBack<R>(
  context: ScopeContext,
  lease: Lease<Connection>,
  scope: LentScope,
  outcome: R | PromiseLike<R>,
  o: LendOptions,
): Promise<Awaited<R>> {
  const conn = lease.resource;
  let result: Awaited<R> | undefined;
  let failed = false;
  let failure: unknown;
  try {
    result = await outcome;
  } catch (error) {
    failed = true;
    failure = error;
  }
  scope.end();
  if (lease.released) throw new PoolClosedError(context.name);
  const leftOpen = conn.rollbackLeftover();
  if (o.fullBusyWait) conn.waitForLocks(false);
  if (conn.db.inTransaction) lease.destroy();
  else lease.release();
  if (failed) throw failure;
  if (leftOpen) throw leftOpenError(context.name, o.what);
  return result as Awaited<R>;
}

/**
 * Runs a migration function with the writer connection it is given lent to it: `db` calls
 * made inside join the migration's transaction.
 */
export async function withLentConnection(
  context: ScopeContext,
  conn: Connection,
  fn: ConnectionCallback<unknown>,
): Promise<unknown> {
  const scope = new LentScope(conn, true, context);
  try {
    return await context.als.run(scope, () => fn(conn.db));
  } finally {
    scope.end();
  }
}
