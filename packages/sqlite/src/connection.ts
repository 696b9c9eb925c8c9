import { Database, type SQLQueryBindings, type Statement } from "bun:sqlite";
import { SqliteOpenError } from "./errors.ts";
import { loadExtensions } from "./extensions.ts";
import { applyPragmas, type PragmaValue } from "./pragmas.ts";
import { StatementCache, type StatementCounters } from "./statement-cache.ts";

/**
 * Parameters of one statement: positional (`[1, "a"]`) or named (`{ id: 1 }`; with the default
 * `strict: true` the `$`/`:`/`@` prefix may be left out).
 *
 * @example
 * ```ts
 * await db.get("select * from users where id = ?", [1]);
 * await db.get("select * from users where id = $id", { id: 1 });
 * ```
 */
export type SqlParams = readonly SQLQueryBindings[] | Record<string, SQLQueryBindings>;

/**
 * What `run()` reports: rows changed and the last inserted rowid.
 *
 * @example
 * ```ts
 * const { changes, lastInsertRowid } = await db.run("insert into users(email) values (?)", [email]);
 * ```
 */
export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** Everything needed to open a connection; plain data, so it can be sent to a reader process. */
export interface ConnectionConfig {
  path: string;
  memory: boolean;
  create: boolean;
  strict: boolean;
  safeIntegers: boolean;
  busyTimeoutMs: number;
  statementCacheSize: number;
  pragmas: Record<string, PragmaValue>;
  /** Loadable SQLite extensions, loaded into every connection after its pragmas. */
  extensions: readonly string[];
}

/**
 * How long the writer lets SQLite's busy handler sleep in one go. That handler sleeps the whole
 * thread, event loop included, so longer waits for another process's lock are taken as async
 * retries in slices of this size instead.
 */
export const BUSY_SLICE_MS = 5;

/**
 * One bun:sqlite connection with its statement cache. The pool's resource: `read()` and
 * `write()` hand out `db`, the conveniences go through the cache.
 */
export class Connection {
  readonly db: Database;
  readonly role: "writer" | "reader";
  readonly statements: StatementCache;
  /** `PRAGMA busy_timeout` takes effect when compiled, so these are run as text, not prepared. */
  private readonly fullWait: string | undefined;
  private readonly sliceWait: string | undefined;
  private probe: Statement | undefined;

  constructor(
    db: Database,
    role: "writer" | "reader",
    config: ConnectionConfig,
    counters: StatementCounters,
  ) {
    this.db = db;
    this.role = role;
    this.statements = new StatementCache(db, config.statementCacheSize, counters);
    if (role === "writer" && config.busyTimeoutMs > BUSY_SLICE_MS) {
      this.fullWait = `PRAGMA busy_timeout = ${config.busyTimeoutMs}`;
      this.sliceWait = `PRAGMA busy_timeout = ${BUSY_SLICE_MS}`;
      db.run(this.sliceWait);
    }
  }

  /**
   * Lets SQLite itself wait the whole `busyTimeoutMs` (blocking the thread): for user code on
   * the raw connection, where a busy error cannot be retried for it.
   */
  waitForLocks(full: boolean): void {
    const sql = full ? this.fullWait : this.sliceWait;
    if (sql !== undefined) this.db.run(sql);
  }

  all(sql: string, params: SqlParams | undefined): unknown[] {
    const statement = this.statements.get(sql);
    try {
      // One argument, array or object: bun:sqlite binds it as is, with no spread.
      return params === undefined ? statement.all() : statement.all(params as SQLQueryBindings[]);
    } finally {
      if (this.statements.disposable) statement.finalize();
    }
  }

  get(sql: string, params: SqlParams | undefined): unknown {
    const statement = this.statements.get(sql);
    try {
      // One argument, array or object: bun:sqlite binds it as is, with no spread.
      return params === undefined ? statement.get() : statement.get(params as SQLQueryBindings[]);
    } finally {
      if (this.statements.disposable) statement.finalize();
    }
  }

  run(sql: string, params: SqlParams | undefined): RunResult {
    const statement = this.statements.get(sql);
    try {
      // One argument, array or object: bun:sqlite binds it as is, with no spread.
      return params === undefined ? statement.run() : statement.run(params as SQLQueryBindings[]);
    } finally {
      if (this.statements.disposable) statement.finalize();
    }
  }

  /** Healthy means it still answers and no transaction was left open on it. */
  healthy(): boolean {
    try {
      if (this.db.inTransaction) return false;
      this.probe ??= this.db.prepare("select 1");
      this.probe.get();
      return true;
    } catch {
      return false;
    }
  }

  /** Rolls back a transaction left open by user code; true if there was one. */
  rollbackLeftover(): boolean {
    try {
      if (!this.db.inTransaction) return false;
      this.db.run("ROLLBACK");
    } catch {
      // Closed by a forced close(), or the rollback failed: validation replaces the connection.
    }
    return true;
  }

  /** Rolls back whatever transaction is open; true when the connection is clean afterwards. */
  rollbackQuietly(): boolean {
    try {
      if (this.db.inTransaction) this.db.run("ROLLBACK");
      return !this.db.inTransaction;
    } catch {
      return false;
    }
  }

  close(): void {
    this.statements.clear();
    this.probe?.finalize();
    this.db.close(false);
  }
}

/**
 * Opens and sets up a connection: the writer read-write (creating the file if allowed, switching
 * it to WAL), a reader read-only.
 *
 * @throws {SqliteOpenError} naming the path, with SQLite's code (`SQLITE_CANTOPEN`, ...).
 */
export function openConnection(
  config: ConnectionConfig,
  role: "writer" | "reader",
  counters: StatementCounters,
): Connection {
  let db: Database | undefined;
  try {
    db =
      role === "writer" || config.memory
        ? new Database(config.path, {
            readwrite: true,
            create: config.create,
            strict: config.strict,
            safeIntegers: config.safeIntegers,
          })
        : new Database(config.path, {
            readonly: true,
            strict: config.strict,
            safeIntegers: config.safeIntegers,
          });
    applyPragmas(db, role, config.busyTimeoutMs, config.memory, config.pragmas);
    loadExtensions(db, config.path, config.extensions);
    return new Connection(db, role, config, counters);
  } catch (error) {
    db?.close(false);
    throw error instanceof SqliteOpenError ? error : SqliteOpenError.from(config.path, error);
  }
}
