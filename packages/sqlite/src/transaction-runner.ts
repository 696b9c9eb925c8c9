import { type BusyCounters, retryWhileBusy } from "./busy.ts";
import type { Connection } from "./connection.ts";
import {
  isBusy,
  SqliteTransactionError,
  SqliteTransactionTimeoutError,
  toSqliteError,
} from "./errors.ts";
import { revokedError, Transaction, type TransactionOwner } from "./transaction.ts";

/** Counters transactions bump; `stats()` copies them. */
export interface TransactionCounters extends BusyCounters {
  committed: number;
  rolledBack: number;
  timedOut: number;
}

/**
 * How a top-level transaction holds the connection it runs on: a writer lease
 * (`Writer.transaction`), or a connection lent to the `write()` it was started in
 * (`LentScope.transaction`).
 */
export interface ConnectionHold {
  /**
   * False once the connection is no longer the transaction's (a forced `close()` took the lease
   * back, or the `write()` returned): it must then neither run, commit nor roll back there,
   * since another caller's work may be on it.
   */
  stillHeld(): boolean;
  /** The transaction is over; `broken` when the connection could not be rolled back clean. */
  release(broken: boolean): void;
  /** Hands the holder the transaction's rollback once it began, so it can revoke it. */
  began?(rollback: (error: unknown) => void): void;
}

/**
 * Runs top-level transactions to their end: `BEGIN IMMEDIATE` and `COMMIT` retried while another
 * process holds the lock (nothing of the caller's has run at either point), `fn` in between with
 * the connection held across its awaits, `ROLLBACK` when it throws or outlives its timeout. The
 * `Transaction` handle is revoked however it ends.
 */
export class TransactionRunner {
  /** Settles each running transaction's caller; used when a forced close() took the writer. */
  private readonly running = new Set<(error: unknown) => void>();

  constructor(
    private readonly owner: TransactionOwner,
    private readonly busyTimeoutMs: number,
    private readonly counters: TransactionCounters,
  ) {}

  /**
   * Fails every transaction still running with `error` (their timers cleared, their handles
   * revoked): after a forced close() destroyed the connection under them.
   */
  abortAll(error: unknown): void {
    for (const rollback of [...this.running]) rollback(error);
  }

  /** `BEGIN IMMEDIATE` on `conn`, `fn`, then `COMMIT`, or `ROLLBACK` if it throws. */
  run<R>(
    conn: Connection,
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
    hold: ConnectionHold,
  ): Promise<Awaited<R>> {
    const began = this.retryBusy(conn, "BEGIN IMMEDIATE", hold);
    if (began !== undefined) {
      return began.then(
        () => this.body(conn, fn, timeoutMs, hold),
        (error) => {
          hold.release(false);
          throw toSqliteError(error);
        },
      );
    }
    return this.body(conn, fn, timeoutMs, hold);
  }

  /**
   * `BEGIN IMMEDIATE` or `COMMIT` now (undefined), or a promise retrying it while another
   * process holds the lock. Each attempt first checks the connection is still the
   * transaction's: it must not land in whatever the next caller runs there.
   */
  private retryBusy(
    conn: Connection,
    sql: string,
    hold: ConnectionHold,
  ): Promise<void> | undefined {
    const startedAt = performance.now();
    const attempt = () => {
      if (!hold.stillHeld()) throw revokedError(this.owner.name);
      conn.run(sql, undefined);
    };
    try {
      attempt();
      return undefined;
    } catch (error) {
      if (!isBusy(error)) return Promise.reject(error);
      return retryWhileBusy(attempt, error, startedAt, this.busyTimeoutMs, this.counters);
    }
  }

  /**
   * Runs `fn` inside the open transaction and ends it. Once the connection is no longer the
   * transaction's (`hold.stillHeld()`), it neither commits nor rolls back there: another caller's
   * work may be on it.
   */
  private body<R>(
    conn: Connection,
    fn: (tx: Transaction) => R | PromiseLike<R>,
    timeoutMs: number,
    hold: ConnectionHold,
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
        hold.release(hold.stillHeld() && !conn.rollbackQuietly());
        reject(error);
      };
      this.running.add(rollback);
      hold.began?.(rollback);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          if (settled) return;
          this.counters.timedOut++;
          rollback(new SqliteTransactionTimeoutError(this.owner.name, timeoutMs));
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
        if (!hold.stillHeld()) return rollback(revokedError(this.owner.name));
        if (!conn.db.inTransaction) {
          return rollback(
            new SqliteTransactionError(
              "SQLITE_TX_ENDED",
              `${this.owner.name}: the transaction was ended by a statement inside it or by SQLite; nothing to commit`,
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
          hold.release(hold.stillHeld() && !conn.rollbackQuietly());
          reject(toSqliteError(error));
        };
        const retrying = this.retryBusy(conn, "COMMIT", hold);
        if (retrying === undefined) committed();
        else retrying.then(committed, failed);
      }, rollback);
    });
  }
}
