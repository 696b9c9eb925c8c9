import { type Lease, Pool, PoolAbortedError, PoolClosedError, type PoolStats } from "@pool/core";
import type { ConnectionConfig, SqlParams } from "./connection.ts";
import { SqliteWorkerError } from "./errors.ts";
import { abortedBeforeStart } from "./query-options.ts";
import { ReaderProcess } from "./reader-process.ts";
import type { StatementCounters } from "./statement-cache.ts";

/**
 * Figures about the off-thread readers (`workers`) in `stats()`: their pool's {@link PoolStats}
 * (`size` reader processes, `borrowed` running a query, `pending` queries waiting for one,
 * `wait` times...) and what only reader processes have.
 *
 * @example
 * ```ts
 * const w = db.stats().workers;
 * if (w && w.pending > 10 * w.size) console.warn("reads are queueing for readers");
 * if (w && w.killed > 0) console.warn(`${w.killed} reads were stopped (timeout or abort)`);
 * ```
 */
export interface WorkerStats extends PoolStats {
  /** Queries answered. */
  completed: number;
  /** Queries that failed, timed out, were aborted or were cut off by `close()`. */
  failed: number;
  /** Readers replaced, for any reason: killed (below) or crashed. */
  restarts: number;
  /** Readers killed to stop a query: past `workerQueryTimeoutMs`, or aborted by its `signal`. */
  killed: number;
  /** Process ids of the live readers, to find them in `top` or `ps`. */
  pids: number[];
}

/** What {@link OffThreadReaders} needs from the pool's options. */
export interface OffThreadReadersOptions {
  name: string;
  count: number;
  config: ConnectionConfig;
  acquireTimeoutMs: number;
  queryTimeoutMs: number;
  maxLifetimeMs: number;
}

/** How long `close()` lets a reader close its connection and exit, per step, before killing it. */
const CLOSE_GRACE_MS = 1_000;

/**
 * The pool's off-thread reads: a core `Pool` of N {@link ReaderProcess}es (its FIFO queue,
 * acquire timeouts, stats and close; its create backoff when readers die before they are
 * ready), each with its own read-only connection. A query waits for a free reader, never
 * behind a slow query on a busy one. A query that outlives `queryTimeoutMs`, or whose caller
 * aborts it, is stopped by killing its process (SIGKILL), which a thread could not be: SQLite's
 * loop cannot be preempted from outside, and bun:sqlite exposes no interrupt. The pool then
 * starts a fresh reader in its place.
 */
export class OffThreadReaders {
  private readonly o: OffThreadReadersOptions;
  private readonly pool: Pool<ReaderProcess>;
  private readonly statements: StatementCounters;
  /** The cwd at construction: a relative database or extension path must not move with chdir. */
  private readonly cwd = process.cwd();
  /** Every process started and not yet gone: for `pids`, and so `close()` leaves none. */
  private readonly started = new Set<ReaderProcess>();
  private readonly counts = { completed: 0, failed: 0, restarts: 0, killed: 0 };

  constructor(o: OffThreadReadersOptions, statements: StatementCounters) {
    this.o = o;
    this.statements = statements;
    this.pool = new Pool<ReaderProcess>({
      name: `${o.name} workers`,
      min: o.count,
      max: o.count,
      create: (signal) => this.start(signal),
      destroy: (reader) => reader.end(CLOSE_GRACE_MS, new PoolClosedError(`${o.name} workers`)),
      acquireTimeoutMs: o.acquireTimeoutMs,
      idleTimeoutMs: 0,
      // Each of `end()`'s three steps may take its grace.
      destroyTimeoutMs: 4 * CLOSE_GRACE_MS,
    });
  }

  /**
   * Runs `all` or `get` on a reader process; rows come back as plain objects. An abort through
   * `signal` fails the call with `POOL_ABORTED` and, if the query is running, kills its reader.
   */
  query(
    op: "all" | "get",
    sql: string,
    params: SqlParams | undefined,
    signal: AbortSignal | undefined,
    retried = false,
  ): Promise<unknown> {
    const lease = this.pool.tryAcquire();
    if (lease !== undefined) return this.run(lease, op, sql, params, signal, retried);
    return this.pool.acquire(signal === undefined ? undefined : { signal }).then(
      (acquired) => this.run(acquired, op, sql, params, signal, retried),
      (error: unknown) => {
        this.counts.failed++;
        throw error;
      },
    );
  }

  stats(): WorkerStats {
    const pids: number[] = [];
    for (const reader of this.started) if (reader.alive) pids.push(reader.pid);
    return { ...this.pool.stats(), ...this.counts, pids };
  }

  /**
   * Closes the readers' pool: queued queries fail with `POOL_CLOSED`, running ones get up to
   * `timeoutMs`, then fail with `POOL_CLOSED` as their readers are killed; idle readers close
   * their connection and exit. Resolves once every reader process is gone.
   */
  async close(timeoutMs: number): Promise<void> {
    await this.pool.close({ timeoutMs });
    // A process the pool never got (still starting) or gave up waiting for: none may outlive it.
    const closed = new PoolClosedError(`${this.o.name} workers`);
    await Promise.all([...this.started].map((reader) => reader.end(CLOSE_GRACE_MS, closed)));
  }

  /** The pool's factory: a new reader process, lent once it is ready. */
  private async start(signal: AbortSignal): Promise<ReaderProcess> {
    const reader = new ReaderProcess({
      name: this.o.name,
      init: { type: "init", config: this.o.config, maxLifetimeMs: this.o.maxLifetimeMs },
      cwd: this.cwd,
      statements: this.statements,
      onExit: (gone) => this.onExit(gone),
    });
    this.started.add(reader);
    // The pool gave up on this create (its timeout, or close()).
    const stop = () => reader.stop(new PoolClosedError(`${this.o.name} workers`));
    signal.addEventListener("abort", stop, { once: true });
    try {
      await reader.ready;
    } finally {
      signal.removeEventListener("abort", stop);
    }
    return reader;
  }

  /** A process is gone: a crash (not ended by the pool) is replaced, as the pool keeps `min`. */
  private onExit(reader: ReaderProcess): void {
    this.started.delete(reader);
    if (reader.ending) return;
    this.counts.restarts++;
    this.pool.evict(reader);
  }

  /** Runs one query on a lent reader, stopping it on timeout or abort, and gives it back. */
  private run(
    lease: Lease<ReaderProcess>,
    op: "all" | "get",
    sql: string,
    params: SqlParams | undefined,
    signal: AbortSignal | undefined,
    retried: boolean,
  ): Promise<unknown> {
    const reader = lease.resource;
    // A forced close() between the hand-off and here took the reader back.
    if (lease.released) return this.failed(new PoolClosedError(`${this.o.name} workers`));
    if (signal?.aborted) {
      lease.release();
      return this.failed(abortedBeforeStart(this.o.name, signal));
    }
    const answer = reader.query(op, sql, params);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    if (this.o.queryTimeoutMs > 0) {
      timer = setTimeout(() => this.kill(reader, this.timeoutError()), this.o.queryTimeoutMs);
    }
    if (signal !== undefined) {
      onAbort = () => this.kill(reader, this.abortedError(signal));
      signal.addEventListener("abort", onAbort, { once: true });
    }
    const done = () => {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
      // Once close() took it back, it is not ours to return.
      if (lease.released) return;
      if (reader.alive) lease.release();
      else lease.destroy();
    };
    return answer.then(
      (result) => {
        done();
        this.counts.completed++;
        return result;
      },
      (error: unknown) => {
        done();
        // The process died on its own (killed from outside while idle, say) before it could
        // answer: a read is safe to run again, once, on its replacement.
        if (!retried && isCrash(error) && !signal?.aborted && !this.pool.closed) {
          return this.query(op, sql, params, signal, true);
        }
        this.counts.failed++;
        throw error;
      },
    );
  }

  /** Stops a running query on purpose: its process is killed, and the pool replaces it. */
  private kill(reader: ReaderProcess, error: Error): void {
    // Not busy: its query was answered in the same turn; the reader is fine as it is.
    if (!reader.alive || !reader.busy) return;
    this.counts.killed++;
    this.counts.restarts++;
    reader.stop(error);
  }

  private failed(error: Error): Promise<never> {
    this.counts.failed++;
    return Promise.reject(error);
  }

  private timeoutError(): SqliteWorkerError {
    return new SqliteWorkerError(
      "SQLITE_WORKER_TIMEOUT",
      `${this.o.name}: query ran longer than ${this.o.queryTimeoutMs} ms; its reader process was killed`,
    );
  }

  private abortedError(signal: AbortSignal): PoolAbortedError {
    const error = new PoolAbortedError(this.o.name, signal.reason);
    error.message = `${this.o.name}: query aborted; its reader process was killed`;
    return error;
  }
}

/** A reader that exited without being told to: `SQLITE_WORKER_FAILED`, not a timeout or an abort. */
function isCrash(error: unknown): boolean {
  return error instanceof SqliteWorkerError && error.code === "SQLITE_WORKER_FAILED";
}
