import { PoolAbortedError, PoolClosedError, PoolTimeoutError } from "@pool/core";
import type { ConnectionConfig, SqlParams } from "./connection.ts";
import { SqliteWorkerError } from "./errors.ts";
import { abortedBeforeStart } from "./query-options.ts";
import { ReaderChild } from "./reader-child.ts";
import type { StatementCounters } from "./statement-cache.ts";
import { fromWireError, type WorkerReply, type WorkerRequest } from "./worker-protocol.ts";

/**
 * Figures about the off-thread readers (`workers`) in `stats()`.
 *
 * @example
 * ```ts
 * const w = db.stats().workers;
 * if (w && w.queued > 10 * w.size) console.warn("reads are queueing for readers");
 * if (w && w.killed > 0) console.warn(`${w.killed} reads were stopped (timeout or abort)`);
 * ```
 */
export interface WorkerStats {
  /** Reader processes the pool keeps. */
  size: number;
  /** Readers running a query now. */
  busy: number;
  /** Queries waiting for a free reader. */
  queued: number;
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

interface Job {
  id: number;
  op: "all" | "get";
  sql: string;
  params: SqlParams | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  settled: boolean;
  /** In `queue`, counted in `waiting`. */
  queued: boolean;
}

interface Slot {
  /** Undefined while a replacement waits out its back-off, and after `close()`. */
  child: ReaderChild | undefined;
  job: Job | undefined;
}

export interface WorkerReadersOptions {
  name: string;
  count: number;
  config: ConnectionConfig;
  acquireTimeoutMs: number;
  queryTimeoutMs: number;
  maxLifetimeMs: number;
}

/** Back-off between restarts of a reader that keeps dying before it ever answered. */
const RESPAWN_BACKOFF_MS = [0, 100, 500, 2_000, 5_000];
/** How long `close()` lets a reader close its connection and exit before killing it. */
const CHILD_CLOSE_GRACE_MS = 1_000;

/**
 * N reader processes, each with its own read-only connection: the pool's off-thread reads. A
 * query goes to a free reader, or waits in one FIFO queue here (never behind a slow query on a
 * busy reader). A query that outlives `queryTimeoutMs`, or whose caller aborts it, is stopped by
 * killing its process (SIGKILL), which a thread could not be: SQLite's loop cannot be preempted
 * from outside, and bun:sqlite exposes no interrupt. A fresh reader takes the killed one's place.
 *
 * @example
 * ```ts
 * const readers = new WorkerReaders({ name: "db", count: 2, config, acquireTimeoutMs: 30_000, queryTimeoutMs: 5_000, maxLifetimeMs: 0 }, counters);
 * const row = await readers.query("get", "select count(*) as n from t", undefined, AbortSignal.timeout(1_000));
 * await readers.close(1_000);
 * ```
 */
export class WorkerReaders {
  private readonly o: WorkerReadersOptions;
  private readonly statements: StatementCounters;
  private readonly slots: Slot[] = [];
  /** The cwd at construction: a relative database or extension path must not move with chdir. */
  private readonly cwd = process.cwd();
  private queue: (Job | undefined)[] = [];
  private head = 0;
  private waiting = 0;
  private nextId = 1;
  private closing = false;
  private idleWaiter: (() => void) | undefined;
  /** Killed or crashed readers not reaped yet: `close()` waits for them too. */
  private readonly dying = new Set<Promise<void>>();
  private readonly respawnTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Readers in a row that died before ever answering: what the back-off grows with. */
  private earlyDeaths = 0;
  private readonly counts = { completed: 0, failed: 0, restarts: 0, killed: 0 };

  constructor(o: WorkerReadersOptions, statements: StatementCounters) {
    this.o = o;
    this.statements = statements;
    for (let i = 0; i < o.count; i++) {
      const slot: Slot = { child: undefined, job: undefined };
      this.slots.push(slot);
      this.respawn(slot);
    }
  }

  /**
   * Runs `all` or `get` on a reader process; rows come back as plain objects. An abort through
   * `signal` fails the call with `POOL_ABORTED` and, if the query is running, kills its reader.
   */
  query(
    op: "all" | "get",
    sql: string,
    params: SqlParams | undefined,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.closing) return Promise.reject(new PoolClosedError(`${this.o.name} workers`));
    if (signal?.aborted) return Promise.reject(this.abortedError(signal, false));
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        op,
        sql,
        params,
        resolve,
        reject,
        timer: undefined,
        signal,
        onAbort: undefined,
        settled: false,
        queued: false,
      };
      if (signal !== undefined) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      const slot = this.freeSlot();
      if (slot !== undefined) return this.start(slot, job);
      job.timer = setTimeout(() => this.queueTimeout(job), this.o.acquireTimeoutMs);
      job.queued = true;
      this.waiting++;
      this.queue.push(job);
    });
  }

  stats(): WorkerStats {
    let busy = 0;
    const pids: number[] = [];
    for (const slot of this.slots) {
      if (slot.job !== undefined) busy++;
      if (slot.child !== undefined) pids.push(slot.child.pid);
    }
    return {
      size: this.slots.length,
      busy,
      queued: this.waiting,
      completed: this.counts.completed,
      failed: this.counts.failed,
      restarts: this.counts.restarts,
      killed: this.counts.killed,
      pids,
    };
  }

  /**
   * Lets queued and running queries finish (up to `timeoutMs`), rejects what is left with
   * `POOL_CLOSED` and kills the readers still running it, closes the other readers' connections
   * and waits for every reader process to be gone.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    for (const timer of this.respawnTimers) clearTimeout(timer);
    this.respawnTimers.clear();
    if (this.waiting > 0 || this.busy()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.idleWaiter = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      this.idleWaiter = undefined;
    }
    const closed = new PoolClosedError(`${this.o.name} workers`);
    for (const job of this.queue.splice(0)) if (job !== undefined) this.fail(job, closed);
    this.head = 0;
    await Promise.all([
      ...this.slots.map((slot) => {
        const { child, job } = slot;
        slot.child = undefined;
        slot.job = undefined;
        if (child === undefined) return undefined;
        if (job === undefined) return child.close(CHILD_CLOSE_GRACE_MS);
        // Still inside a query past the grace period: it would not read a close request.
        this.fail(job, closed);
        child.kill();
        return child.exited;
      }),
      ...this.dying,
    ]);
  }

  /**
   * Gives `slot` a new reader process: at once, or after a back-off while readers keep dying
   * before they ever answer (a broken install must not become a busy loop of spawns). Callers
   * queued meanwhile wait, up to `acquireTimeoutMs`.
   */
  private respawn(slot: Slot): void {
    if (this.closing || slot.child !== undefined) return;
    const delayMs = RESPAWN_BACKOFF_MS[Math.min(this.earlyDeaths, RESPAWN_BACKOFF_MS.length - 1)];
    if (!delayMs) {
      slot.child = this.spawn(slot);
      if (slot.child !== undefined) return this.next(slot);
      this.earlyDeaths++; // could not even be started: try again later
      return this.respawn(slot);
    }
    const timer = setTimeout(() => {
      this.respawnTimers.delete(timer);
      this.respawn(slot);
    }, delayMs);
    timer.unref();
    this.respawnTimers.add(timer);
  }

  /** A new reader process for `slot`; `undefined` if `Bun.spawn` itself failed. */
  private spawn(slot: Slot): ReaderChild | undefined {
    const init: WorkerRequest = {
      type: "init",
      config: this.o.config,
      maxLifetimeMs: this.o.maxLifetimeMs,
    };
    try {
      const child: ReaderChild = new ReaderChild(init, this.cwd, {
        reply: (reply) => {
          if (slot.child === child) this.onReply(slot, reply);
        },
        exit: () => {
          if (slot.child === child) this.onCrash(slot, child);
        },
      });
      return child;
    } catch {
      return undefined;
    }
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === "closed") return;
    this.earlyDeaths = 0;
    const job = slot.job;
    if (job === undefined || job.id !== reply.id) return; // a reply to a job already failed
    slot.job = undefined;
    this.statements.hits += reply.cache.hits;
    this.statements.misses += reply.cache.misses;
    this.statements.evictions += reply.cache.evictions;
    if (!job.settled) {
      if (reply.type === "result") {
        this.settle(job);
        this.counts.completed++;
        job.resolve(reply.result);
      } else {
        this.fail(job, fromWireError(reply.error));
      }
    }
    this.next(slot);
  }

  /** The reader exited on its own (crashed, or killed by someone else): replace it. */
  private onCrash(slot: Slot, child: ReaderChild): void {
    this.earlyDeaths = child.answered ? 0 : this.earlyDeaths + 1;
    this.replace(
      slot,
      new SqliteWorkerError("SQLITE_WORKER_FAILED", `${this.o.name}: reader process exited`),
      false,
    );
  }

  private start(slot: Slot, job: Job): void {
    const child = slot.child as ReaderChild;
    slot.job = job;
    child.ref();
    if (this.o.queryTimeoutMs > 0) {
      job.timer = setTimeout(() => this.queryTimeout(slot, job), this.o.queryTimeoutMs);
    }
    try {
      child.send({ type: "query", id: job.id, op: job.op, sql: job.sql, params: job.params });
    } catch (error) {
      // A parameter structured clone cannot carry (a symbol, a function): this call fails, as
      // binding it on the main thread would, and the reader, which never got it, moves on.
      slot.job = undefined;
      this.fail(
        job,
        new TypeError(
          `${this.o.name}: a parameter cannot be sent to a reader process: ${(error as Error)?.message}`,
          { cause: error },
        ),
      );
      this.next(slot);
    }
  }

  /** Gives the slot the next queued job, or lets it idle. */
  private next(slot: Slot): void {
    if (slot.child === undefined) return this.checkIdle();
    for (;;) {
      const job = this.queue[this.head];
      if (job === undefined) break;
      this.queue[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (job.queued) {
        job.queued = false;
        this.waiting--;
      }
      if (job.settled) continue;
      if (job.timer !== undefined) clearTimeout(job.timer);
      job.timer = undefined;
      return this.start(slot, job);
    }
    slot.child.unref();
    this.checkIdle();
  }

  private busy(): boolean {
    return this.slots.some((s) => s.job !== undefined);
  }

  private checkIdle(): void {
    if (this.idleWaiter !== undefined && this.waiting === 0 && !this.busy()) this.idleWaiter();
  }

  private freeSlot(): Slot | undefined {
    if (this.waiting > 0) return undefined; // FIFO: never jump the queue
    for (const slot of this.slots)
      if (slot.job === undefined && slot.child !== undefined) return slot;
    return undefined;
  }

  private queueTimeout(job: Job): void {
    let busy = 0;
    for (const slot of this.slots) if (slot.job !== undefined) busy++;
    this.fail(
      job,
      new PoolTimeoutError(`${this.o.name} workers`, this.o.acquireTimeoutMs, {
        size: this.slots.length,
        borrowed: busy,
        idle: this.slots.length - busy,
        pending: this.waiting,
        creating: 0,
      }),
    );
  }

  private queryTimeout(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.replace(
      slot,
      new SqliteWorkerError(
        "SQLITE_WORKER_TIMEOUT",
        `${this.o.name}: query ran longer than ${this.o.queryTimeoutMs} ms; its reader process was killed`,
      ),
      true,
    );
  }

  private abort(job: Job): void {
    if (job.settled) return;
    const slot = this.slots.find((s) => s.job === job);
    const error = this.abortedError(job.signal as AbortSignal, slot !== undefined);
    if (slot === undefined)
      this.fail(job, error); // still queued: `next()` skips it
    else this.replace(slot, error, true);
  }

  private abortedError(signal: AbortSignal, running: boolean): PoolAbortedError {
    if (!running) return abortedBeforeStart(this.o.name, signal);
    const error = new PoolAbortedError(this.o.name, signal.reason);
    error.message = `${this.o.name}: query aborted; its reader process was killed`;
    return error;
  }

  /**
   * Fails the slot's job with `error`, kills its reader and puts a fresh one in its place (none
   * once closing). `killed`: stopped on purpose, counted in `stats().workers.killed`.
   */
  private replace(slot: Slot, error: Error, killed: boolean): void {
    const { child, job } = slot;
    slot.job = undefined;
    slot.child = undefined;
    if (job !== undefined) this.fail(job, error);
    if (child !== undefined) {
      child.kill();
      const gone = child.exited.then(() => {
        this.dying.delete(gone);
      });
      this.dying.add(gone);
    }
    this.counts.restarts++;
    if (killed) this.counts.killed++;
    if (this.closing) return this.checkIdle();
    this.respawn(slot);
  }

  /** Clears the job's timer and abort listener; takes it out of the waiting count. */
  private settle(job: Job): void {
    job.settled = true;
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.timer = undefined;
    if (job.onAbort !== undefined) job.signal?.removeEventListener("abort", job.onAbort);
    if (job.queued) {
      job.queued = false;
      this.waiting--;
    }
  }

  private fail(job: Job, error: unknown): void {
    if (job.settled) return;
    this.settle(job);
    this.counts.failed++;
    job.reject(error);
  }
}
