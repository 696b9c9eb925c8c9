import { type Lease, Pool, type PoolStats } from "@pool/core";
import type { ConnectionCallback } from "./calls.ts";
import {
  type Connection,
  type ConnectionConfig,
  openConnection,
  type SqlParams,
} from "./connection.ts";
import { toSqliteError } from "./errors.ts";
import { giveBack, type LendOptions, LentScope, lendConnection } from "./lent-scope.ts";
import type { ResolvedSqliteOptions } from "./options.ts";
import { PinnedReader } from "./pinned-reader.ts";
import type { ScopeContext } from "./scope-context.ts";
import type { StatementCounters } from "./statement-cache.ts";

/** How long synchronous reads keep their reader before handing it back to the pool. */
const PIN_MS = 1_000;

/**
 * Reads on the main thread: a `Pool` of read-only connections, one of them kept pinned for
 * `all`/`get` (see {@link PinnedReader}), and `read(fn)`. On `:memory:` the one connection is
 * the database, so reads borrow the writer's pool instead and queue behind writes.
 */
export class MainReaders {
  /** The pool lending read connections; on `:memory:` the writer's own. */
  readonly pool: Pool<Connection>;
  private readonly pinned: PinnedReader | undefined;
  private readonly memory: boolean;
  /** How `read(fn)` lends a reader: `db` calls inside may write only on `:memory:`. */
  private readonly lendAs: LendOptions;

  constructor(
    o: ResolvedSqliteOptions,
    config: ConnectionConfig,
    writerPool: Pool<Connection>,
    statements: StatementCounters,
    private readonly context: ScopeContext,
    private readonly track: <R>(promise: Promise<R>) => Promise<R>,
  ) {
    this.memory = o.memory;
    this.lendAs = { what: "read()", writable: o.memory, fullBusyWait: false };
    if (o.memory) {
      this.pool = writerPool;
      // A pinned connection would be the writer, held away from writes.
      this.pinned = undefined;
      return;
    }
    this.pool = new Pool<Connection>({
      name: `${o.name} readers`,
      max: o.readers,
      create: () => openConnection(config, "reader", statements),
      destroy: (conn) => conn.close(),
      validate: (conn) => conn.healthy(),
      validateAfterIdleMs: o.validateAfterIdleMs,
      idleTimeoutMs: o.idleTimeoutMs,
      maxLifetimeMs: o.maxLifetimeMs,
      acquireTimeoutMs: o.acquireTimeoutMs,
      closeTimeoutMs: o.closeTimeoutMs,
    });
    // Handed back within half a lifetime, so a pinned reader never outlives its lifetime long.
    const holdMs = o.maxLifetimeMs > 0 ? Math.min(PIN_MS, o.maxLifetimeMs / 2) : PIN_MS;
    this.pinned = new PinnedReader(this.pool, holdMs);
  }

  /** `all` or `get` outside any scope: on the pinned reader now, or when a reader is free. */
  query(op: "all" | "get", sql: string, params: SqlParams | undefined): Promise<unknown> {
    const conn = this.pinned?.connection();
    if (conn === undefined) return this.later(op, sql, params);
    try {
      return Promise.resolve(op === "all" ? conn.all(sql, params) : conn.get(sql, params));
    } catch (error) {
      return Promise.reject(toSqliteError(error));
    }
  }

  /**
   * Lends a reader to `fn` until it settles (on `:memory:`, the one connection). The pinned
   * reader serves it when it is free, without a trip through the pool: a synchronous `fn` is
   * over before this returns, as a synchronous `get` is.
   */
  read<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    const conn = this.pinned?.connection();
    if (conn !== undefined) return this.readPinned(conn, fn);
    // A read that has to wait for a reader must not wait behind the pinned one.
    this.pinned?.unpin();
    return this.track(
      this.pool.acquire().then((lease) => lendConnection(this.context, lease, fn, this.lendAs)),
    );
  }

  /** The readers' pool stats, the pinned reader counted as idle; none on `:memory:`. */
  stats(): PoolStats | undefined {
    if (this.memory) return undefined;
    const stats = this.pool.stats();
    // The pinned reader sits idle between synchronous reads.
    if (this.pinned?.pinned !== true) return stats;
    return { ...stats, borrowed: stats.borrowed - 1, idle: stats.idle + 1 };
  }

  /** Hands the pinned reader back and closes the readers' pool (not the writer's, on `:memory:`). */
  async close(timeoutMs: number): Promise<void> {
    this.pinned?.unpin();
    if (!this.memory) await this.pool.close({ timeoutMs });
  }

  /**
   * `read(fn)` on the pinned reader. A `fn` that returns a promise holds the connection across
   * its awaits, so the pinned lease becomes its own (and goes back to the pool when it is
   * done); so does one that threw or left a transaction open, to be cleaned up the usual way.
   */
  private readPinned<R>(conn: Connection, fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    const scope = new LentScope(conn, false, this.context);
    let outcome: R | PromiseLike<R>;
    try {
      outcome = this.context.als.run(scope, fn, conn.db);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    const lease =
      isThenable(outcome) || conn.db.inTransaction ? this.pinned?.takeLease() : undefined;
    if (lease !== undefined) {
      return this.track(giveBack(this.context, lease, scope, outcome, this.lendAs));
    }
    scope.end();
    return Promise.resolve(outcome as Awaited<R>);
  }

  /** A read that has to wait for a reader (all busy, or `:memory:` sharing the writer). */
  private later(op: "all" | "get", sql: string, params: SqlParams | undefined): Promise<unknown> {
    const run = (conn: Connection) =>
      op === "all" ? conn.all(sql, params) : conn.get(sql, params);
    const lease = this.pool.tryAcquire();
    if (lease !== undefined) {
      try {
        return Promise.resolve(runOn(lease, run));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.pinned?.unpin();
    return this.track(this.pool.acquire().then((lease) => runOn(lease, run)));
  }
}

/** Runs `op` on the lease's connection and gives it back, with bun:sqlite's errors wrapped. */
function runOn<R>(lease: Lease<Connection>, op: (conn: Connection) => R): R {
  try {
    return op(lease.resource);
  } catch (error) {
    throw toSqliteError(error);
  } finally {
    lease.release();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
