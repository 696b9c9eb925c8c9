import type { AsyncLocalStorage } from "node:async_hooks";
import type { Connection, RunResult, SqlParams } from "./connection.ts";
import { SqliteTransactionError, toSqliteError } from "./errors.ts";
import type { Scope } from "./scope.ts";
import { TransactionScope } from "./transaction-scope.ts";

/** What a transaction needs from its pool. */
export interface TransactionOwner {
  readonly name: string;
  readonly als: AsyncLocalStorage<Scope>;
}

let savepoints = 0;
const ENDED: unique symbol = Symbol("ended");

/**
 * The handle `transaction(fn)` passes to `fn`. Its statements run on the writer inside the
 * transaction; once the transaction commits, rolls back or times out, every method throws
 * `SQLITE_TX_REVOKED`, so a straggler cannot land in autocommit or in the next transaction.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx) => {
 *   const { balance } = tx.get("select balance from accounts where id = ?", [from]) as { balance: number };
 *   if (balance < amount) throw new Error("insufficient funds"); // rolls back
 *   tx.run("update accounts set balance = balance - ? where id = ?", [amount, from]);
 *   await audit(from, amount); // the writer stays held; nothing commits here
 *   tx.run("update accounts set balance = balance + ? where id = ?", [amount, to]);
 * });
 * ```
 */
export class Transaction {
  /** 0 for a top-level transaction, 1 for a savepoint inside it, and so on. */
  readonly depth: number;
  /** @internal where `db` calls made inside this transaction go. */
  readonly scope: TransactionScope;
  private ended = false;
  /** Settled by {@link end}: lets calls queued behind a nested transaction give up. */
  private endSignal: PromiseWithResolvers<void> | undefined = undefined;
  /** A nested transaction is running: this one's own statements would land inside it. */
  private childActive = false;
  /** Tail of the queue that runs nested transactions one at a time. */
  private children: Promise<void> = Promise.resolve();
  private readonly conn: Connection;
  private readonly owner: TransactionOwner;
  private readonly parent: Transaction | undefined;

  /** @internal transactions are made by the pool. */
  constructor(conn: Connection, owner: TransactionOwner, parent?: Transaction) {
    this.conn = conn;
    this.owner = owner;
    this.parent = parent;
    this.depth = parent === undefined ? 0 : parent.depth + 1;
    this.scope = new TransactionScope(this, conn);
  }

  /** False once committed, rolled back, timed out, or its parent ended. */
  get active(): boolean {
    return !this.ended && (this.parent === undefined || this.parent.active);
  }

  /**
   * Runs a statement that returns no rows.
   *
   * @example
   * ```ts
   * const { lastInsertRowid } = tx.run("insert into users(email) values (?)", [email]);
   * ```
   */
  run(sql: string, params?: SqlParams): RunResult {
    this.check();
    try {
      return this.conn.run(sql, params);
    } catch (error) {
      throw toSqliteError(error);
    }
  }

  /**
   * The first row, or `null`.
   *
   * @example
   * ```ts
   * const user = tx.get("select * from users where id = ?", [id]);
   * ```
   */
  get<T = Record<string, unknown>>(sql: string, params?: SqlParams): T | null {
    this.check();
    try {
      return this.conn.get(sql, params) as T | null;
    } catch (error) {
      throw toSqliteError(error);
    }
  }

  /**
   * Every row.
   *
   * @example
   * ```ts
   * const rows = tx.all("select id from jobs where state = ?", ["queued"]);
   * ```
   */
  all<T = Record<string, unknown>>(sql: string, params?: SqlParams): T[] {
    this.check();
    try {
      return this.conn.all(sql, params) as T[];
    } catch (error) {
      throw toSqliteError(error);
    }
  }

  /**
   * A nested transaction (a savepoint): it commits into this one or rolls back alone. Nested
   * transactions run one at a time; this handle's own statements throw `SQLITE_TX_SUSPENDED`
   * while one runs. `db.transaction()` called inside `fn` does the same.
   *
   * @example
   * ```ts
   * await db.transaction(async (tx) => {
   *   tx.run("insert into orders(id) values (?)", [id]);
   *   await tx.transaction(async (inner) => { inner.run("insert into audit values (?)", [id]); })
   *     .catch(() => {}); // a failed audit does not undo the order
   * });
   * ```
   */
  transaction<R>(fn: (tx: Transaction) => R | PromiseLike<R>): Promise<Awaited<R>> {
    // Called from inside one of its own running nested transactions, it would queue behind the
    // very transaction that waits for it.
    const caller = this.owner.als.getStore();
    const inside = caller instanceof TransactionScope ? caller.tx : undefined;
    for (let t = inside; t !== undefined && t !== this; t = t.parent) {
      if (t.parent === this && t.active) return Promise.reject(this.suspendedError());
    }
    const previous = this.children;
    let unlock!: () => void;
    this.children = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    return this.runChild(previous, fn).finally(unlock);
  }

  /** @internal resolves once no nested transaction is queued or running. */
  async settled(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.children;
      await tail;
    } while (tail !== this.children);
  }

  /**
   * @internal resolves once no nested transaction is queued or running, or once this
   * transaction (or one it is nested in) is over: a call waiting for its turn must not wait for
   * a nested transaction that never ends.
   */
  idle(): Promise<void> {
    return Promise.race([this.settled(), this.whenEnded()]);
  }

  /** @internal true while a nested transaction runs on this one. */
  get suspended(): boolean {
    return this.childActive;
  }

  /** @internal revokes the handle; called once the transaction is over. */
  end(): void {
    this.ended = true;
    this.endSignal?.resolve();
  }

  /** @internal throws unless statements may run on this handle now. */
  check(): void {
    if (!this.active) throw revokedError(this.owner.name);
    if (this.childActive) throw this.suspendedError();
    if (!this.conn.db.inTransaction) {
      this.end();
      throw new SqliteTransactionError(
        "SQLITE_TX_ENDED",
        `${this.owner.name}: the transaction was ended by a statement inside it or by SQLite`,
      );
    }
  }

  /** Resolves when this transaction or one it is nested in ends. */
  private whenEnded(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.endSignal ??= Promise.withResolvers<void>();
    const own = this.endSignal.promise;
    return this.parent === undefined ? own : Promise.race([own, this.parent.whenEnded()]);
  }

  private suspendedError(): SqliteTransactionError {
    return new SqliteTransactionError(
      "SQLITE_TX_SUSPENDED",
      `${this.owner.name}: a nested transaction is running; use its handle, or await it first`,
    );
  }

  private async runChild<R>(
    previous: Promise<void>,
    fn: (tx: Transaction) => R | PromiseLike<R>,
  ): Promise<Awaited<R>> {
    // A sibling that never ends must not hold this one forever once the transaction is over.
    await Promise.race([previous, this.whenEnded()]);
    this.check();
    const db = this.conn.db;
    const name = `pool_sp_${++savepoints}`;
    try {
      db.run(`SAVEPOINT ${name}`);
    } catch (error) {
      throw toSqliteError(error);
    }
    this.childActive = true;
    const child = new Transaction(this.conn, this.owner, this);
    try {
      let result: Awaited<R>;
      try {
        const body = (async () => {
          const value = await this.owner.als.run(child.scope, () => fn(child));
          await child.settled();
          return value;
        })();
        // Once the transaction is over (timed out, say), the caller hears so at once, even if
        // `fn` never settles.
        body.catch(() => {});
        const outcome = await Promise.race([body, this.whenEnded().then(() => ENDED)]);
        if (outcome === ENDED) throw revokedError(this.owner.name);
        result = outcome as Awaited<R>;
      } catch (error) {
        child.end();
        if (this.active && db.inTransaction) {
          try {
            db.run(`ROLLBACK TO ${name}`);
            db.run(`RELEASE ${name}`);
          } catch {
            // The savepoint is gone (SQLite rolled the whole transaction back); check() will say so.
          }
        }
        throw error;
      }
      child.end();
      this.childActive = false;
      this.check();
      try {
        db.run(`RELEASE ${name}`);
      } catch (error) {
        throw toSqliteError(error);
      }
      return result;
    } finally {
      this.childActive = false;
    }
  }
}

/** A handle, or a `db` call from its scope, used after its transaction ended. */
export function revokedError(name: string): SqliteTransactionError {
  return new SqliteTransactionError(
    "SQLITE_TX_REVOKED",
    `${name}: transaction already ended (committed, rolled back or timed out)`,
  );
}
