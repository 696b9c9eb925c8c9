import type { Database } from "bun:sqlite";
import type { RunResult, SqlParams } from "./connection.ts";
import type { Migration } from "./migrations.ts";
import type { Transaction } from "./transaction.ts";

/**
 * A callback given a raw bun:sqlite connection by `read(fn)` or `write(fn)`, held until it
 * settles.
 *
 * @example
 * ```ts
 * const count: ConnectionCallback<number> = (conn) =>
 *   (conn.query("select count(*) as n from users").get() as { n: number }).n;
 * const n = await db.read(count);
 * ```
 */
export type ConnectionCallback<R> = (db: Database) => R | PromiseLike<R>;

/**
 * The body of `transaction(fn)`: `COMMIT` when it resolves, `ROLLBACK` when it throws.
 *
 * @example
 * ```ts
 * const archive: TransactionCallback<void> = (tx) => {
 *   tx.run("insert into archive select * from orders where done");
 *   tx.run("delete from orders where done");
 * };
 * await db.transaction(archive);
 * ```
 */
export type TransactionCallback<R> = (tx: Transaction) => R | PromiseLike<R>;

/**
 * The pool's calls, as each place that can take them runs them. Every public method of
 * `SqlitePool` checks its arguments, then asks one routing step (`SqlitePool.route()`) where the
 * call goes, and hands it over:
 *
 * - the caller's scope ({@link TransactionScope} inside a transaction, {@link LentScope} inside
 *   `read()`/`write()`/a migration): the call runs on that connection, so it sees uncommitted
 *   writes and never waits for itself;
 * - the pool ({@link PoolCalls}): the writer's queue, the main-thread readers, the reader
 *   processes; counted while in flight so `close()` can wait for it;
 * - the gate ({@link GatedCalls}): while migrations run, the call waits for them and is routed
 *   again; once `close()` was called, a new call is refused with `POOL_CLOSED`.
 */
export interface Calls {
  read<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>>;
  write<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>>;
  /** `timeoutMs` applies to a top-level transaction only: a nested one lives inside its parent's. */
  transaction<R>(fn: TransactionCallback<R>, timeoutMs: number): Promise<Awaited<R>>;
  query(
    op: "all" | "get",
    sql: string,
    params: SqlParams | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown>;
  run(sql: string, params: SqlParams | undefined): Promise<RunResult>;
  exec(sql: string): Promise<void>;
  migrate(name: string, migrations: readonly Migration[]): Promise<void>;
}
