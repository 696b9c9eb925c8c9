import type { Calls, ConnectionCallback, TransactionCallback } from "./calls.ts";
import {
  type ConnectionConfig,
  openConnection,
  type RunResult,
  type SqlParams,
} from "./connection.ts";
import { GatedCalls } from "./gated-calls.ts";
import { withLentConnection } from "./lent-scope.ts";
import { Lifecycle } from "./lifecycle.ts";
import { MainReaders } from "./main-readers.ts";
import {
  checkMigrations,
  checkSetName,
  type MigrateContext,
  type Migration,
  migrate,
  userVersionLedger,
} from "./migrations.ts";
import { OffThreadReaders } from "./off-thread-readers.ts";
import {
  closeOptions,
  type ResolvedSqliteOptions,
  resolveSqliteOptions,
  type SqlitePoolOptions,
  transactionOptions,
} from "./options.ts";
import { PoolCalls } from "./pool-calls.ts";
import { type QueryOptions, querySignal } from "./query-options.ts";
import { ScopeContext } from "./scope-context.ts";
import type { StatementCounters } from "./statement-cache.ts";
import type { SqlitePoolStats } from "./stats.ts";
import { Writer, type WriterCounters } from "./writer.ts";

/**
 * Per-call options of {@link SqlitePool.transaction}.
 *
 * @example
 * ```ts
 * await db.transaction((tx) => tx.run("delete from sessions"), { timeoutMs: 2_000 });
 * ```
 */
export interface TransactionOptions {
  /** Rolls back and rejects with `SQLITE_TX_TIMEOUT` after this long; `0` is no limit. Ignored by a nested transaction: the outermost one's applies. @default transactionTimeoutMs */
  timeoutMs?: number;
}

/**
 * Options of {@link SqlitePool.close}.
 *
 * @example
 * ```ts
 * await db.close({ timeoutMs: 5_000 }); // then whatever still runs fails with POOL_CLOSED
 * ```
 */
export interface SqliteCloseOptions {
  /** How long to wait for running work before closing connections anyway. @default closeTimeoutMs */
  timeoutMs?: number;
}

/**
 * A bun:sqlite pool: one writer serialized in a fair FIFO queue, read-only WAL readers (on the
 * main thread, or in reader processes for SQL-string reads), transactions that hold the writer across
 * awaits, optional migrations.
 *
 * @example
 * ```ts
 * const db = new SqlitePool({ path: "app.db", migrations: ["create table kv(k text primary key, v)"] });
 * await db.run("insert into kv values (?, ?)", ["a", 1]);
 * const row = await db.get<{ v: number }>("select v from kv where k = ?", ["a"]);
 * await db.transaction(async (tx) => {
 *   const { v } = tx.get<{ v: number }>("select v from kv where k = ?", ["a"])!;
 *   await somethingAsync();
 *   tx.run("update kv set v = ? where k = ?", [v + 1, "a"]);
 * });
 * await db.close();
 * ```
 */
export class SqlitePool implements AsyncDisposable {
  /** The database file (or `:memory:`). */
  readonly path: string;
  /** The `name` option, used in error messages. */
  readonly name: string;
  /**
   * Resolves once migrations are applied (at once without migrations); rejects with
   * `SQLITE_MIGRATION_FAILED`, or `POOL_CLOSED` when `close()` gave up waiting for them. Calls
   * made before wait for it, so awaiting it is optional.
   */
  readonly ready: Promise<void>;

  private readonly o: ResolvedSqliteOptions;
  /** Where calls made inside a transaction or a lent connection find it. */
  private readonly context: ScopeContext;
  private readonly life: Lifecycle;
  private readonly writer: Writer;
  private readonly readers: MainReaders;
  private readonly workers: OffThreadReaders | undefined;
  /** Calls outside any scope, and calls the lifecycle does not admit (see {@link route}). */
  private readonly onPool: PoolCalls;
  private readonly gate: GatedCalls;
  private readonly statements: StatementCounters = { hits: 0, misses: 0, evictions: 0 };
  private readonly counters: WriterCounters = {
    committed: 0,
    rolledBack: 0,
    timedOut: 0,
    busyRetries: 0,
  };
  private closing: Promise<void> | undefined;

  /**
   * Opens the writer at once, so a bad path throws here; readers open as needed, reader processes at once.
   *
   * @throws {PoolInvalidOptionError} on a bad option (`POOL_INVALID_OPTION`, `option` names it).
   * @throws {SqliteOpenError} when the file cannot be opened (`SQLITE_CANTOPEN`, ...; `path` names it).
   */
  constructor(options: SqlitePoolOptions) {
    const o = resolveSqliteOptions(options);
    this.o = o;
    this.path = o.path;
    this.name = o.name;
    const config: ConnectionConfig = {
      path: o.path,
      memory: o.memory,
      create: o.create,
      strict: o.strict,
      safeIntegers: o.safeIntegers,
      busyTimeoutMs: o.busyTimeoutMs,
      statementCacheSize: o.statementCacheSize,
      pragmas: o.pragmas,
      extensions: o.extensions,
    };
    const first = openConnection(config, "writer", this.statements);
    const context = new ScopeContext(o.name, o.busyTimeoutMs, this.counters);
    this.context = context;
    this.writer = new Writer(o, config, first, context, this.statements, this.counters);
    const migrateContext: MigrateContext = {
      busyTimeoutMs: o.busyTimeoutMs,
      counters: this.counters,
      inScope: (conn, fn) => withLentConnection(context, conn, fn),
    };
    this.life = new Lifecycle(
      o.name,
      o.migrations.length === 0
        ? undefined
        : this.writer.pool.use((conn) =>
            migrate(conn, o.migrations, userVersionLedger, migrateContext),
          ),
    );
    this.ready = this.life.ready;
    this.readers = new MainReaders(o, config, this.writer.pool, this.statements, context, (p) =>
      this.life.track(p),
    );
    this.workers =
      o.workers > 0
        ? new OffThreadReaders(
            {
              name: o.name,
              count: o.workers,
              config,
              acquireTimeoutMs: o.acquireTimeoutMs,
              queryTimeoutMs: o.workerQueryTimeoutMs,
              maxLifetimeMs: o.maxLifetimeMs,
            },
            this.statements,
          )
        : undefined;
    this.onPool = new PoolCalls(this.life, this.writer, this.readers, this.workers, migrateContext);
    context.outside = this.onPool;
    this.gate = new GatedCalls(o.name, this.life, () => this.route());
  }

  /**
   * Constructs a pool and waits for its migrations; closes it again if they fail.
   *
   * @example
   * ```ts
   * const db = await SqlitePool.open({ path: "app.db", migrations });
   * ```
   */
  static async open(options: SqlitePoolOptions): Promise<SqlitePool> {
    const pool = new SqlitePool(options);
    try {
      await pool.ready;
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.life.closed;
  }

  /**
   * Runs `fn` with a read-only connection (the raw bun:sqlite `Database`), on the main thread,
   * held until `fn` settles. Inside a transaction it gets the transaction's connection.
   *
   * @example
   * ```ts
   * const report = await db.read((conn) => {
   *   const total = conn.query("select count(*) as n from orders").get();
   *   const recent = conn.query("select * from orders order by id desc limit 10").all();
   *   return { total, recent };
   * });
   * ```
   */
  read<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return this.route().read(fn);
  }

  /**
   * Runs `fn` with the writer connection (the raw bun:sqlite `Database`), held until `fn`
   * settles; other writes queue behind it. Prefer {@link transaction}: statements here run in
   * autocommit, SQLite's busy wait blocks the thread, and a busy error is not retried.
   *
   * @throws {SqliteTransactionError} `SQLITE_TX_LEFT_OPEN` if `fn` returned inside a transaction it began (rolled back).
   * @example
   * ```ts
   * await db.write((conn) => conn.run("create index if not exists idx_email on users(email)"));
   * ```
   */
  write<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    return this.route().write(fn);
  }

  /**
   * `BEGIN IMMEDIATE`, `fn`, `COMMIT`; `ROLLBACK` if `fn` throws (its error is rethrown as is).
   * The writer is held across every await in `fn`; nothing commits before `fn` settles. Calls on
   * `db` made inside `fn` run in the transaction; a nested `transaction()` is a savepoint.
   *
   * @param [options.timeoutMs=transactionTimeoutMs] rolls back and rejects with `SQLITE_TX_TIMEOUT` after this long.
   * @example
   * ```ts
   * const id = await db.transaction(async (tx) => {
   *   const { lastInsertRowid } = tx.run("insert into orders(user) values (?)", [user]);
   *   await db.run("insert into order_items(order_id, sku) values (?, ?)", [lastInsertRowid, sku]);
   *   return lastInsertRowid;
   * });
   * ```
   */
  transaction<R>(fn: TransactionCallback<R>, options?: TransactionOptions): Promise<Awaited<R>> {
    const parsed = transactionOptions(options, this.o.transactionTimeoutMs);
    if (parsed instanceof Error) return Promise.reject(parsed);
    return this.route().transaction(fn, parsed.timeoutMs);
  }

  /**
   * Every row of a query. Runs on a reader (on a reader process with `workers`), or in the
   * caller's transaction.
   *
   * @param [options.signal] rejects with `POOL_ABORTED` when aborted; with `workers`, a running query is stopped too.
   * @example
   * ```ts
   * const users = await db.all<{ id: number }>("select id from users where team = ?", [team]);
   * ```
   */
  all<T = Record<string, unknown>>(
    sql: string,
    params?: SqlParams,
    options?: QueryOptions,
  ): Promise<T[]> {
    const signal = querySignal(options, this.name);
    if (signal instanceof Error) return Promise.reject(signal);
    return this.route().query("all", sql, params, signal) as Promise<T[]>;
  }

  /**
   * The first row of a query, or `null`. Runs like {@link all}.
   *
   * @example
   * ```ts
   * const user = await db.get<{ email: string }>("select email from users where id = ?", [id]);
   * ```
   */
  get<T = Record<string, unknown>>(
    sql: string,
    params?: SqlParams,
    options?: QueryOptions,
  ): Promise<T | null> {
    const signal = querySignal(options, this.name);
    if (signal instanceof Error) return Promise.reject(signal);
    return this.route().query("get", sql, params, signal) as Promise<T | null>;
  }

  /**
   * One statement on the writer, in autocommit (or in the caller's transaction). Retried while
   * another process holds the lock, up to `busyTimeoutMs`.
   *
   * @example
   * ```ts
   * const { changes } = await db.run("delete from sessions where expires < ?", [Date.now()]);
   * ```
   */
  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.route().run(sql, params);
  }

  /**
   * A script of several statements on the writer, without parameters (schema changes, seeds).
   * Statements run one by one in autocommit unless the script or the caller's transaction
   * wraps them.
   *
   * @example
   * ```ts
   * await db.exec("create table a(x); create table b(y);");
   * ```
   */
  exec(sql: string): Promise<void> {
    return this.route().exec(sql);
  }

  /**
   * Applies a named set of migrations once, recorded per set name in the `_pool_migrations`
   * table: several apps (or modules) sharing one database each own a set, and adding or
   * reordering one set's migrations never re-runs, skips or reorders another's. Each migration
   * runs in its own `BEGIN IMMEDIATE` transaction that first re-reads the table, so processes
   * starting together apply each one exactly once; a failing one is rolled back and rejects this
   * call (the pool stays usable). Runs after the `migrations` option's list, which keeps its
   * `user_version`; the two never count each other's.
   *
   * @param name the set's name: 1–100 of `A-Z a-z 0-9 _ . : / -`.
   * @throws {PoolInvalidOptionError} on a bad name or list (`POOL_INVALID_OPTION`).
   * @throws {SqliteMigrationError} `SQLITE_MIGRATION_FAILED`, with `set` and `version`.
   * @example
   * ```ts
   * await db.migrate("search", [
   *   "create table search_docs(id integer primary key, title text not null)",
   *   (conn) => conn.run("create index search_docs_title on search_docs(title)"),
   * ]);
   * ```
   */
  migrate(name: string, migrations: readonly Migration[]): Promise<void> {
    try {
      checkSetName(name);
      checkMigrations(migrations, "migrations");
    } catch (error) {
      return Promise.reject(error);
    }
    // A copy: the caller's array may change while this waits for the writer.
    return this.route().migrate(name, [...migrations]);
  }

  /**
   * A plain snapshot: the writer's queue (`writer.pending`) and wait times (`writer.wait`),
   * reader pool and reader process figures, statement cache hits and misses, transactions, busy retries.
   *
   * @example
   * ```ts
   * const { writer, transactions, busyRetries } = db.stats();
   * console.log(writer.pending, writer.wait.p99Ms, transactions.committed, busyRetries);
   * ```
   */
  stats(): SqlitePoolStats {
    return {
      writer: this.writer.pool.stats(),
      readers: this.readers.stats(),
      workers: this.workers?.stats(),
      statements: { ...this.statements },
      transactions: {
        committed: this.counters.committed,
        rolledBack: this.counters.rolledBack,
        timedOut: this.counters.timedOut,
      },
      busyRetries: this.counters.busyRetries,
    };
  }

  /**
   * Refuses new calls, waits for running and queued ones (up to `closeTimeoutMs`), runs
   * `PRAGMA optimize` and `wal_checkpoint(TRUNCATE)`, closes every connection and ends
   * the reader processes. Idempotent: every call returns the same promise.
   *
   * @example
   * ```ts
   * process.on("SIGTERM", () => db.close().then(() => process.exit(0)));
   * ```
   */
  close(options?: SqliteCloseOptions): Promise<void> {
    if (this.closing === undefined) {
      const parsed = closeOptions(options, this.o.closeTimeoutMs);
      if (parsed instanceof Error) return Promise.reject(parsed);
      this.closing = this.shutdown(parsed.timeoutMs);
    }
    return this.closing;
  }

  /** `await using db = new SqlitePool(...)` closes it at scope exit. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The one routing step of every call: into the caller's scope (a transaction, or a connection
   * lent to `read()`/`write()`/a migration) when it runs inside one, else onto the pool; to the
   * gate instead when the lifecycle does not admit it now (migrations running, or closing).
   */
  private route(): Calls {
    const scope = this.context.als.getStore();
    if (this.life.open || this.life.admits(scope?.live === true)) {
      return scope?.routesCalls === true ? scope : this.onPool;
    }
    return this.gate;
  }

  /**
   * Waits for migrations and running calls, then closes reader processes, readers and the writer (which
   * optimizes and checkpoints first), all within the grace period.
   */
  private async shutdown(timeoutMs: number): Promise<void> {
    const left = await this.life.drain(timeoutMs);
    await this.workers?.close(left());
    await this.readers.close(left());
    await this.writer.close(left());
  }
}
