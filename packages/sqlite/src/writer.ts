import { type Lease, Pool, PoolClosedError } from "@pool/core";
import { retryWhileBusy } from "./busy.ts";
import type { ConnectionCallback, TransactionCallback } from "./calls.ts";
import {
  type Connection,
  type ConnectionConfig,
  openConnection,
  type RunResult,
  type SqlParams,
} from "./connection.ts";
import { isBusy, leftOpenError, toSqliteError } from "./errors.ts";
import { lendConnection } from "./lent-scope.ts";
import type { ResolvedSqliteOptions } from "./options.ts";
import type { ScopeContext } from "./scope-context.ts";
import type { StatementCounters } from "./statement-cache.ts";
import type { TransactionCounters } from "./transaction-runner.ts";

/** Counters the writer bumps; `stats()` copies them. */
export type WriterCounters = TransactionCounters;

/**
 * The one connection that writes, behind a `Pool` of size 1: its FIFO queue serializes this
 * process's writes, so they never compete with each other for SQLite's lock; only other
 * processes can make them wait, and that wait is async (see {@link retryWhileBusy}).
 */
export class Writer {
  readonly pool: Pool<Connection>;
  private readonly o: ResolvedSqliteOptions;
  private readonly context: ScopeContext;
  private readonly counters: WriterCounters;

  constructor(
    o: ResolvedSqliteOptions,
    config: ConnectionConfig,
    first: Connection,
    context: ScopeContext,
    statements: StatementCounters,
    counters: WriterCounters,
  ) {
    this.o = o;
    this.context = context;
    this.counters = counters;
    let opened: Connection | undefined = first;
    this.pool = new Pool<Connection>({
      name: `${o.name} writer`,
      min: 1,
      max: 1,
      // The constructor opened the first connection itself, to fail fast on a bad path.
      create: () => {
        const conn = opened ?? openConnection(config, "writer", statements);
        opened = undefined;
        return conn;
      },
      destroy: (conn) => conn.close(),
      // An in-memory database is its one connection: replacing it (worn out, or failing a
      // check) would silently swap the data for an empty database.
      ...(o.memory ? {} : { validate: (conn: Connection) => conn.healthy() }),
      validateAfterIdleMs: o.validateAfterIdleMs,
      idleTimeoutMs: 0,
      maxLifetimeMs: o.memory ? 0 : o.maxLifetimeMs,
      acquireTimeoutMs: o.acquireTimeoutMs,
      closeTimeoutMs: o.closeTimeoutMs,
    });
  }

  /**
   * Closes the writer: `PRAGMA optimize` and a truncating WAL checkpoint first (best effort,
   * within `timeoutMs`), then the pool, taking the connection back from whatever still holds it
   * after `timeoutMs`; transactions cut short that way fail with `POOL_CLOSED`.
   */
  async close(timeoutMs: number): Promise<void> {
    await this.finalize(timeoutMs);
    await this.pool.close({ timeoutMs });
    this.context.transactions.abortAll(new PoolClosedError(this.o.name));
  }

  /** One autocommit statement; retried while another process holds the lock. */
  run(sql: string, params: SqlParams | undefined): Promise<RunResult> {
    const lease = this.pool.tryAcquire();
    if (lease === undefined) return this.pool.acquire().then((l) => this.runOn(l, sql, params));
    return this.runOn(lease, sql, params);
  }

  /** A script of several statements, run as they come (wrap it in a transaction to make it atomic). */
  exec(sql: string): Promise<void> {
    return this.pool.use((conn) => {
      conn.waitForLocks(true);
      let failure: unknown;
      try {
        conn.db.run(sql);
      } catch (error) {
        failure = toSqliteError(error);
      }
      conn.waitForLocks(false);
      const left = conn.rollbackLeftover();
      if (failure !== undefined) throw failure;
      if (left) throw leftOpenError(this.o.name, "exec()");
    });
  }

  /**
   * Lends the raw writer connection to `fn` for as long as it runs (across awaits). SQLite's own
   * busy wait applies to it, since its statements cannot be retried behind its back.
   */
  async write<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    const lease = await this.pool.acquire();
    return lendConnection(this.context, lease, fn, {
      what: "write()",
      writable: true,
      fullBusyWait: true,
    });
  }

  /** `BEGIN IMMEDIATE` on the writer, `fn`, then `COMMIT`, or `ROLLBACK` if it throws. */
  async transaction<R>(fn: TransactionCallback<R>, timeoutMs: number): Promise<Awaited<R>> {
    const lease = await this.pool.acquire();
    return this.context.transactions.run(lease.resource, fn, timeoutMs, {
      // Not held any more once a forced close() took it back.
      stillHeld: () => !lease.released,
      release: (broken) => {
        if (lease.released) return;
        if (broken) lease.destroy();
        else lease.release();
      },
    });
  }

  private runOn(
    lease: Lease<Connection>,
    sql: string,
    params: SqlParams | undefined,
  ): Promise<RunResult> {
    const conn = lease.resource;
    const startedAt = performance.now();
    try {
      const result = conn.run(sql, params);
      // `db.run("BEGIN")` would leave the shared writer inside a transaction that every later
      // caller's statements would join.
      if (conn.db.inTransaction) {
        conn.rollbackLeftover();
        lease.release();
        return Promise.reject(leftOpenError(this.o.name, "run()"));
      }
      lease.release();
      return Promise.resolve(result);
    } catch (error) {
      if (!isBusy(error) || conn.db.inTransaction) {
        lease.release();
        return Promise.reject(toSqliteError(error));
      }
      return retryWhileBusy(
        () => conn.run(sql, params),
        error,
        startedAt,
        this.o.busyTimeoutMs,
        this.counters,
      ).then(
        (result) => {
          lease.release();
          return result;
        },
        (last) => {
          lease.release();
          throw toSqliteError(last);
        },
      );
    }
  }

  /** `PRAGMA optimize` and a truncating checkpoint, best effort: another process may be busy. */
  private async finalize(timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0) return;
    let lease: Lease<Connection>;
    try {
      lease = await this.pool.acquire({ timeoutMs: Math.min(timeoutMs, 1_000) });
    } catch {
      return;
    }
    try {
      lease.resource.db.run("PRAGMA optimize");
      if (!this.o.memory) lease.resource.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // Locked by another process: its own close, or a later one, will do it.
    } finally {
      lease.release();
    }
  }
}
