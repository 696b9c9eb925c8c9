import type { ConnectionCallback, TransactionCallback } from "./calls.ts";
import type { Connection, RunResult, SqlParams } from "./connection.ts";
import { migrateInsideError, runNow, type Scope } from "./scope.ts";
import type { Transaction } from "./transaction.ts";

/**
 * A transaction's scope: calls made inside `transaction(fn)` (on `db`, not on `tx`) run in the
 * transaction, on its connection. They wait for a nested transaction running on it (so they do
 * not land inside its savepoint), and once the transaction is over they reject with
 * `SQLITE_TX_REVOKED` instead of running in autocommit.
 */
export class TransactionScope implements Scope {
  readonly routesCalls = true;

  constructor(
    readonly tx: Transaction,
    readonly conn: Connection,
  ) {}

  get live(): boolean {
    return this.tx.active;
  }

  read<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return this.inTransaction((c) => fn(c.db), false);
  }

  write<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return this.inTransaction((c) => fn(c.db), false);
  }

  /** A savepoint: the outermost transaction's timeout applies, so `timeoutMs` does not. */
  transaction<R>(fn: TransactionCallback<R>): Promise<Awaited<R>> {
    return this.tx.transaction(fn);
  }

  query(op: "all" | "get", sql: string, params: SqlParams | undefined): Promise<unknown> {
    return this.inTransaction(
      (c) => (op === "all" ? c.all(sql, params) : c.get(sql, params)),
      true,
    );
  }

  run(sql: string, params: SqlParams | undefined): Promise<RunResult> {
    return this.inTransaction((c) => c.run(sql, params), true);
  }

  exec(sql: string): Promise<void> {
    return this.inTransaction((c) => {
      c.db.run(sql);
    }, true);
  }

  migrate(name: string): Promise<void> {
    return Promise.reject(migrateInsideError(name));
  }

  /** Runs `op` once no nested transaction runs on this one, if the transaction is still open. */
  private inTransaction<R>(
    op: (conn: Connection) => R | PromiseLike<R>,
    wrap: boolean,
  ): Promise<Awaited<R>> {
    const tx = this.tx;
    if (tx.suspended) return tx.idle().then(() => this.inTransaction(op, wrap));
    return runNow(
      this.conn,
      (c) => {
        tx.check();
        return op(c);
      },
      wrap,
    );
  }
}
