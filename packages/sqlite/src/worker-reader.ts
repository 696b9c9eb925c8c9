import { PoolClosedError, PoolTimeoutError } from "@pool/core";
import type { ConnectionConfig, SqlParams } from "./connection.ts";
import { deserializeError, SqliteWorkerError } from "./errors.ts";
import type { StatementCounters } from "./statement-cache.ts";
import { within } from "./within.ts";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.ts";

/**
 * The Worker entry, next to this file both in `src/` (run from source by Bun) and in `dist/`
 * (built as a second entry point).
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./reader-worker.ts" : "./reader-worker.js",
  import.meta.url,
);

/**
 * Figures about the reader Workers in `stats()`.
 *
 * @example
 * ```ts
 * const w = db.stats().workers;
 * if (w && w.queued > 10 * w.size) console.warn("reads are queueing for Workers");
 * ```
 */
export interface WorkerStats {
  size: number;
  /** Workers running a query now. */
  busy: number;
  /** Queries waiting for a free Worker. */
  queued: number;
  completed: number;
  failed: number;
  /** Workers replaced after a crash or a query timeout. */
  restarts: number;
}

interface Job {
  id: number;
  op: "all" | "get";
  sql: string;
  params: SqlParams | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  settled: boolean;
  /** In `queue`, counted in `waiting`. */
  queued: boolean;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  closed: Promise<void>;
}

export interface WorkerReadersOptions {
  name: string;
  count: number;
  config: ConnectionConfig;
  acquireTimeoutMs: number;
  queryTimeoutMs: number;
  maxLifetimeMs: number;
}

/**
 * N Bun Workers, each with its own read-only connection. A query goes to a free Worker, or waits
 * in one FIFO queue here (never behind a slow query on a busy Worker). Workers are unref'd while
 * idle, so they never keep the process alive on their own.
 */
export class WorkerReaders {
  private readonly o: WorkerReadersOptions;
  private readonly statements: StatementCounters;
  private readonly slots: Slot[] = [];
  private queue: (Job | undefined)[] = [];
  private head = 0;
  private waiting = 0;
  private nextId = 1;
  private closing = false;
  private idleWaiter: (() => void) | undefined;
  private readonly counts = { completed: 0, failed: 0, restarts: 0 };

  constructor(o: WorkerReadersOptions, statements: StatementCounters) {
    this.o = o;
    this.statements = statements;
    for (let i = 0; i < o.count; i++) this.slots.push(this.spawn());
  }

  /** Runs `all` or `get` on a Worker; rows come back as plain objects. */
  query(op: "all" | "get", sql: string, params: SqlParams | undefined): Promise<unknown> {
    if (this.closing) return Promise.reject(new PoolClosedError(`${this.o.name} workers`));
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        op,
        sql,
        params,
        resolve,
        reject,
        timer: undefined,
        settled: false,
        queued: false,
      };
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
    for (const slot of this.slots) if (slot.job !== undefined) busy++;
    return {
      size: this.slots.length,
      busy,
      queued: this.queued(),
      completed: this.counts.completed,
      failed: this.counts.failed,
      restarts: this.counts.restarts,
    };
  }

  /**
   * Lets queued and running queries finish (up to `timeoutMs`), rejects what is left with
   * `POOL_CLOSED`, then closes each Worker's connection and terminates it.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.queued() > 0 || this.slots.some((s) => s.job !== undefined)) {
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
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.job !== undefined) this.fail(slot.job, closed);
        slot.job = undefined;
        const said = new Promise<void>((resolve) => {
          slot.worker.addEventListener("message", (e: MessageEvent<WorkerReply>) => {
            if (e.data.type === "closed") resolve();
          });
        });
        slot.worker.postMessage({ type: "close" } satisfies WorkerRequest);
        await within(said, 1_000);
        slot.worker.terminate();
        await within(slot.closed, 1_000);
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    let exited!: () => void;
    const slot: Slot = {
      worker,
      job: undefined,
      closed: new Promise<void>((resolve) => {
        exited = resolve;
      }),
    };
    worker.unref();
    worker.addEventListener("message", (e: MessageEvent<WorkerReply>) =>
      this.onReply(slot, e.data),
    );
    worker.addEventListener("error", (e: ErrorEvent) => {
      this.replace(
        slot,
        new SqliteWorkerError(
          "SQLITE_WORKER_FAILED",
          `${this.o.name}: reader Worker failed: ${e.message}`,
        ),
      );
    });
    worker.addEventListener("close", () => {
      exited();
      this.replace(
        slot,
        new SqliteWorkerError("SQLITE_WORKER_FAILED", `${this.o.name}: reader Worker exited`),
      );
    });
    worker.postMessage({
      type: "init",
      config: this.o.config,
      maxLifetimeMs: this.o.maxLifetimeMs,
    } satisfies WorkerRequest);
    return slot;
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === "closed") return;
    const job = slot.job;
    if (job === undefined || job.id !== reply.id) return; // a reply to a job already failed
    slot.job = undefined;
    if (job.timer !== undefined) clearTimeout(job.timer);
    this.statements.hits += reply.cache.hits;
    this.statements.misses += reply.cache.misses;
    this.statements.evictions += reply.cache.evictions;
    if (!job.settled) {
      job.settled = true;
      if (reply.type === "result") {
        this.counts.completed++;
        job.resolve(reply.result);
      } else {
        this.counts.failed++;
        job.reject(deserializeError(reply.error));
      }
    }
    this.next(slot);
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    if (this.o.queryTimeoutMs > 0) {
      job.timer = setTimeout(() => this.queryTimeout(slot, job), this.o.queryTimeoutMs);
    }
    const request: WorkerRequest = {
      type: "query",
      id: job.id,
      op: job.op,
      sql: job.sql,
      params: job.params,
    };
    try {
      slot.worker.postMessage(request);
    } catch (error) {
      // A parameter structured clone cannot carry (a symbol, a function): this call fails, as
      // binding it on the main thread would, and the Worker, which never got it, moves on.
      slot.job = undefined;
      this.fail(
        job,
        new TypeError(
          `${this.o.name}: a parameter cannot be sent to a reader Worker: ${(error as Error)?.message}`,
          { cause: error },
        ),
      );
      this.next(slot);
    }
  }

  /** Gives the slot the next queued job, or lets it idle. */
  private next(slot: Slot): void {
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
    slot.worker.unref();
    if (this.idleWaiter !== undefined && !this.slots.some((s) => s.job !== undefined))
      this.idleWaiter();
  }

  private queued(): number {
    return this.waiting;
  }

  private freeSlot(): Slot | undefined {
    if (this.queued() > 0) return undefined; // FIFO: never jump the queue
    for (const slot of this.slots) if (slot.job === undefined) return slot;
    return undefined;
  }

  private queueTimeout(job: Job): void {
    const busy = this.slots.filter((s) => s.job !== undefined).length;
    this.fail(
      job,
      new PoolTimeoutError(`${this.o.name} workers`, this.o.acquireTimeoutMs, {
        size: this.slots.length,
        borrowed: busy,
        idle: this.slots.length - busy,
        pending: this.queued(),
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
        `${this.o.name}: query ran longer than ${this.o.queryTimeoutMs} ms; its Worker was stopped`,
      ),
    );
  }

  /** Fails the slot's job and puts a fresh Worker in its place (unless closing). */
  private replace(slot: Slot, error: SqliteWorkerError): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closing) return;
    const job = slot.job;
    slot.job = undefined;
    if (job !== undefined) this.fail(job, error);
    this.counts.restarts++;
    slot.worker.terminate();
    const fresh = this.spawn();
    this.slots[i] = fresh;
    this.next(fresh);
  }

  private fail(job: Job, error: unknown): void {
    if (job.timer !== undefined) clearTimeout(job.timer);
    if (job.queued) {
      job.queued = false;
      this.waiting--;
    }
    if (job.settled) return;
    job.settled = true;
    this.counts.failed++;
    job.reject(error);
  }
}
