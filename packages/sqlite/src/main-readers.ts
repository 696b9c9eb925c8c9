import { type Lease, Pool, type PoolStats } from "@pool/core";
import type { ConnectionCallback } from "./calls.ts";
import {
  type Connection,
  type ConnectionConfig,
  openConnection,
  type SqlParams,
} from "./connection.ts";
import { toSqliteError } from "./errors.ts";
import { lendConnection } from "./lent-scope.ts";
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

  constructor(
    o: ResolvedSqliteOptions,
    config: ConnectionConfig,
    writerPool: Pool<Connection>,
    statements: StatementCounters,
    private readonly context: ScopeContext,
    private readonly track: <R>(promise: Promise<R>) => Promise<R>,
  ) {
    this.memory = o.memory;
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

  /** Lends a reader to `fn` until it settles (on `:memory:`, the one connection). */
  read<R>(fn: ConnectionCallback<R>): Promise<Awaited<R>> {
    // A read that has to wait for a reader must not wait behind the pinned one.
    this.pinned?.unpin();
    return this.track(
      this.pool.acquire().then((lease) =>
        lendConnection(this.context, lease, fn, {
          what: "read()",
          writable: this.memory,
          fullBusyWait: false,
        }),
      ),
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
