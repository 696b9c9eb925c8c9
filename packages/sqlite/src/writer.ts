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
  leftOpenError,
  SqliteTransactionError,
  SqliteTransactionTimeoutError,
  toSqliteError,
} from "./errors.ts";
import { lendConnection } from "./lend.ts";
import type { ResolvedSqliteOptions } from "./options.ts";
import type { Scope } from "./scope.ts";
import type { StatementCounters } from "./statement-cache.ts";
import { revokedError, Transaction, type TransactionOwner } from "./transaction.ts";

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
      if (left) throw leftOpenError(this.o.name, "exec()");
    });
  }

  /**
   * Lends the raw writer connection to `fn` for as long as it runs (across awaits). SQLite's own
   * busy wait applies to it, since its statements cannot be retried behind its back.
   */
  async write<R>(fn: (db: Database) => R | PromiseLike<R>): Promise<Awaited<R>> {
    const lease = await this.pool.acquire();
    return lendConnection(this.owner.als, lease, fn, {
      name: this.o.name,
      what: "write()",
      writable: true,
      fullBusyWait: true,
    });
  }

  /** `BEGIN IMMEDIATE` on the writer, `fn`, then `COMMIT`, or `ROLLBACK` if it throws. */
  async transaction<R>(
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
  ): Promise<Awaited<R>> {
    const lease = await this.pool.acquire();
    return this.runTransaction(lease.resource, fn, timeoutMs, {
      // Not ours any more once a forced close() took it back.
      owned: () => !lease.released,
      release: (broken) => {
        if (lease.released) return;
        if (broken) lease.destroy();
        else lease.release();
      },
    });
  }

  /**
   * A transaction on a connection the caller's `host` scope holds (inside `write()`, or `read()`
   * on `:memory:`): a savepoint if user code opened a transaction on it, else `BEGIN IMMEDIATE`.
   * It lives no longer than the host: when the host returns, the connection goes to the next
   * caller, so a transaction still running is revoked then and never touches it again.
   */
  transactionOn<R>(
    host: Scope,
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
  ): Promise<Awaited<R>> {
    const conn = host.conn;
    host.onEnd ??= new Set();
    const hooks = host.onEnd;
    if (conn.db.inTransaction) {
      // The user's own BEGIN: its stand-in ends with the host, which revokes the savepoint.
      const outer = new Transaction(conn, this.owner);
      const end = () => outer.end();
      hooks.add(end);
      return outer.transaction(fn).finally(() => hooks.delete(end));
    }
    let revoke: (() => void) | undefined;
    return this.runTransaction(conn, fn, timeoutMs, {
      owned: () => !host.ended,
      release: () => {
        if (revoke !== undefined) hooks.delete(revoke);
      },
      started: (rollback) => {
        revoke = () => rollback(revokedError(this.o.name));
        hooks.add(revoke);
      },
    });
  }

  private runTransaction<R>(
    conn: Connection,
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
    hold: Hold,
  ): Promise<Awaited<R>> {
    const began = this.retryBusy(conn, "BEGIN IMMEDIATE", hold);
    if (began !== undefined) {
      return began.then(
        () => this.runBody(conn, fn, timeoutMs, hold),
        (error) => {
          hold.release(false);
          throw toSqliteError(error);
        },
      );
    }
    return this.runBody(conn, fn, timeoutMs, hold);
  }

  /**
   * `BEGIN IMMEDIATE` or `COMMIT` now (undefined), or a promise retrying it while another
   * process holds the lock. Each attempt first checks the connection is still the
   * transaction's: it must not land in whatever the next caller runs there.
   */
  private retryBusy(conn: Connection, sql: string, hold: Hold): Promise<void> | undefined {
    const startedAt = performance.now();
    const attempt = () => {
      if (!hold.owned()) throw revokedError(this.o.name);
      conn.run(sql, undefined);
    };
    try {
      attempt();
      return undefined;
    } catch (error) {
      if (!isBusy(error)) return Promise.reject(error);
      return retryWhileBusy(attempt, error, startedAt, this.o.busyTimeoutMs, this.counters);
    }
  }

  /**
   * Runs `fn` inside the open transaction and ends it. Once the connection is no longer the
   * transaction's (`hold.owned()`), it neither commits nor rolls back there: another caller's
   * work may be on it.
   */
  private runBody<R>(
    conn: Connection,
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
    hold: Hold,
  ): Promise<Awaited<R>> {
    const tx = new Transaction(conn, this.owner);
    return new Promise<Awaited<R>>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        settled = true;
        this.running.delete(rollback);
        if (timer !== undefined) clearTimeout(timer);
        tx.end();
      };
      const rollback = (error: unknown) => {
        if (settled) return;
        finish();
        this.counters.rolledBack++;
        hold.release(hold.owned() && !conn.rollbackQuietly());
        reject(error);
      };
      this.running.add(rollback);
      hold.started?.(rollback);
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
      body().then((result) => {
        if (settled) return;
        if (!hold.owned()) return rollback(revokedError(this.o.name));
        if (!conn.db.inTransaction) {
          return rollback(
            new SqliteTransactionError(
              "SQLITE_TX_ENDED",
              `${this.o.name}: the transaction was ended by a statement inside it or by SQLite; nothing to commit`,
            ),
          );
        }
        finish();
        const committed = () => {
          this.counters.committed++;
          hold.release(false);
          resolve(result);
        };
        const failed = (error: unknown) => {
          this.counters.rolledBack++;
          hold.release(hold.owned() && !conn.rollbackQuietly());
          reject(toSqliteError(error));
        };
        const retrying = this.retryBusy(conn, "COMMIT", hold);
        if (retrying === undefined) committed();
        else retrying.then(committed, failed);
      }, rollback);
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
}

/** How a transaction holds the connection it runs on. */
interface Hold {
  /** False once the connection is no longer the transaction's to use. */
  owned(): boolean;
  /** The transaction is over; `broken` when the connection could not be rolled back clean. */
  release(broken: boolean): void;
  /** Given the transaction's rollback once it began, so its host can revoke it. */
  started?(rollback: (error: unknown) => void): void;
}
