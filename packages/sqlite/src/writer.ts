import type { Database } from "bun:sqlite";
import { type Lease, Pool } from "@pool/core";
import { type BusyCounters, retryWhileBusy } from "./busy.ts";
import {
  type Connection,
  type ConnectionConfig,
  openConnection,
  type RunResult,
  type SqlParams,
} from "./connection.ts";
import {
  isBusy,
  SqliteTransactionError,
  SqliteTransactionTimeoutError,
  toSqliteError,
} from "./errors.ts";
import type { ResolvedSqliteOptions } from "./options.ts";
import type { Scope } from "./scope.ts";
import type { StatementCounters } from "./statement-cache.ts";
import { Transaction, type TransactionOwner } from "./transaction.ts";

/** Counters the writer bumps; `stats()` copies them. */
export interface WriterCounters extends BusyCounters {
  committed: number;
  rolledBack: number;
  timedOut: number;
}

/**
 * The one connection that writes, behind a `Pool` of size 1: its FIFO queue serializes this
 * process's writes, so they never compete with each other for SQLite's lock; only other
 * processes can make them wait, and that wait is async (see {@link retryWhileBusy}).
 */
export class Writer {
  readonly pool: Pool<Connection>;
  private readonly o: ResolvedSqliteOptions;
  private readonly owner: TransactionOwner;
  private readonly counters: WriterCounters;
  /** Settles each running transaction's caller; used when a forced close() took the writer. */
  private readonly running = new Set<(error: unknown) => void>();

  constructor(
    o: ResolvedSqliteOptions,
    config: ConnectionConfig,
    first: Connection,
    owner: TransactionOwner,
    statements: StatementCounters,
    counters: WriterCounters,
  ) {
    this.o = o;
    this.owner = owner;
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
      validate: (conn) => conn.healthy(),
      validateAfterIdleMs: o.validateAfterIdleMs,
      idleTimeoutMs: 0,
      maxLifetimeMs: o.maxLifetimeMs,
      acquireTimeoutMs: o.acquireTimeoutMs,
      closeTimeoutMs: o.closeTimeoutMs,
    });
  }

  /**
   * Fails every transaction still running with `error` (their timers cleared, their handles
   * revoked): after a forced close() destroyed the connection under them.
   */
  abortRunning(error: unknown): void {
    for (const rollback of [...this.running]) rollback(error);
  }

  /** One autocommit statement; retried while another process holds the lock. */
  run(sql: string, params: SqlParams | undefined): Promise<RunResult> {
    let lease: Lease<Connection> | undefined;
    try {
      lease = this.pool.tryAcquire();
    } catch (error) {
      return Promise.reject(error);
    }
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
      if (left) throw leftOpen(this.o.name, "exec()");
    });
  }

  /**
   * Lends the raw writer connection to `fn` for as long as it runs (across awaits). SQLite's own
   * busy wait applies to it, since its statements cannot be retried behind its back.
   */
  async write<R>(fn: (db: Database) => R | PromiseLike<R>): Promise<Awaited<R>> {
    const lease = await this.pool.acquire();
    const conn = lease.resource;
    const scope: Scope = { conn, writable: true, tx: undefined, ended: false };
    conn.waitForLocks(true);
    let result: Awaited<R>;
    try {
      result = await this.owner.als.run(scope, () => fn(conn.db));
    } catch (error) {
      this.finishWrite(lease, scope);
      throw error;
    }
    if (this.finishWrite(lease, scope)) throw leftOpen(this.o.name, "write()");
    return result;
  }

  /** `BEGIN IMMEDIATE` on the writer, `fn`, then `COMMIT`, or `ROLLBACK` if it throws. */
  async transaction<R>(
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
  ): Promise<Awaited<R>> {
    const lease = await this.pool.acquire();
    return this.runTransaction(lease.resource, fn, timeoutMs, (destroy) => {
      if (lease.released) return; // a forced close() took it back already
      if (destroy) lease.destroy();
      else lease.release();
    });
  }

  /**
   * A transaction on a connection the caller already holds (inside `write()`, or `read()` on
   * `:memory:`): a savepoint if user code opened a transaction on it, else `BEGIN IMMEDIATE`.
   */
  transactionOn<R>(
    conn: Connection,
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
  ): Promise<Awaited<R>> {
    if (conn.db.inTransaction) {
      return new Transaction(conn, this.owner).transaction(fn);
    }
    return this.runTransaction(conn, fn, timeoutMs, () => {});
  }

  private runTransaction<R>(
    conn: Connection,
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
    done: (destroy: boolean) => void,
  ): Promise<Awaited<R>> {
    const began = this.begin(conn);
    if (began !== undefined) {
      return began.then(
        () => this.runBody(conn, fn, timeoutMs, done),
        (error) => {
          done(false);
          throw toSqliteError(error);
        },
      );
    }
    return this.runBody(conn, fn, timeoutMs, done);
  }

  /** `BEGIN IMMEDIATE` now, or a promise when another process holds the lock. */
  private begin(conn: Connection): Promise<void> | undefined {
    const startedAt = performance.now();
    const begin = () => void conn.run("BEGIN IMMEDIATE", undefined);
    try {
      begin();
      return undefined;
    } catch (error) {
      return retryWhileBusy(begin, error, startedAt, this.o.busyTimeoutMs, this.counters);
    }
  }

  private runBody<R>(
    conn: Connection,
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
    done: (destroy: boolean) => void,
  ): Promise<Awaited<R>> {
    const tx = new Transaction(conn, this.owner);
    return new Promise<Awaited<R>>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const rollback = (error: unknown) => {
        settled = true;
        this.running.delete(rollback);
        if (timer !== undefined) clearTimeout(timer);
        tx.end();
        this.counters.rolledBack++;
        done(!conn.rollbackQuietly());
        reject(error);
      };
      this.running.add(rollback);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          if (settled) return;
          this.counters.timedOut++;
          rollback(new SqliteTransactionTimeoutError(this.o.name, timeoutMs));
        }, timeoutMs);
      }
      const body = async (): Promise<Awaited<R>> => {
        const result = await this.owner.als.run(tx.scope, () => fn(tx));
        // A nested transaction the body started but did not await must finish before COMMIT.
        await tx.settled();
        return result;
      };
      body().then(
        (result) => {
          if (settled) return;
          if (!conn.db.inTransaction) {
            return rollback(
              new SqliteTransactionError(
                "SQLITE_TX_ENDED",
                `${this.o.name}: the transaction was ended by a statement inside it or by SQLite; nothing to commit`,
              ),
            );
          }
          settled = true;
          this.running.delete(rollback);
          if (timer !== undefined) clearTimeout(timer);
          tx.end();
          this.commit(conn).then(
            () => {
              this.counters.committed++;
              done(false);
              resolve(result);
            },
            (error) => {
              this.counters.rolledBack++;
              done(!conn.rollbackQuietly());
              reject(toSqliteError(error));
            },
          );
        },
        (error) => {
          if (!settled) rollback(error);
        },
      );
    });
  }

  private commit(conn: Connection): Promise<void> {
    const startedAt = performance.now();
    const commit = () => void conn.run("COMMIT", undefined);
    try {
      commit();
      return Promise.resolve();
    } catch (error) {
      if (!isBusy(error)) return Promise.reject(error);
      return retryWhileBusy(commit, error, startedAt, this.o.busyTimeoutMs, this.counters);
    }
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
        return Promise.reject(leftOpen(this.o.name, "run()"));
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

  /** Ends a `write()`: true if user code left a transaction open (now rolled back). */
  private finishWrite(lease: Lease<Connection>, scope: Scope): boolean {
    scope.ended = true;
    const conn = lease.resource;
    const leftOpen = conn.rollbackLeftover();
    if (lease.released) return leftOpen;
    conn.waitForLocks(false);
    if (conn.db.inTransaction) lease.destroy();
    else lease.release();
    return leftOpen;
  }
}

/** `what` returned with a transaction still open; it was rolled back. */
export function leftOpen(name: string, what: string): SqliteTransactionError {
  return new SqliteTransactionError(
    "SQLITE_TX_LEFT_OPEN",
    `${name}: ${what} returned with a transaction still open; it was rolled back`,
  );
}
