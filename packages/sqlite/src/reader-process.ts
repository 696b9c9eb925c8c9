import { within } from "@pool/core";
import type { Subprocess } from "bun";
import type { SqlParams } from "./connection.ts";
import { SqliteWorkerError } from "./errors.ts";
import type { StatementCounters } from "./statement-cache.ts";
import { fromWireError, type WorkerReply, type WorkerRequest } from "./worker-protocol.ts";

/**
 * The reader process's entry, next to this file both in `src/` (run from source by Bun) and in
 * `dist/` (built as another entry point).
 */
const ENTRY = Bun.fileURLToPath(
  new URL(
    import.meta.url.endsWith(".ts") ? "./reader-main.ts" : "./reader-main.js",
    import.meta.url,
  ),
);

/** Everything a {@link ReaderProcess} needs from the pool that starts it. */
export interface ReaderProcessOptions {
  /** The pool's name, for errors. */
  name: string;
  /** The first message: the connection to open, its lifetime. */
  init: Extract<WorkerRequest, { type: "init" }>;
  /** The pool's working directory at construction: relative paths resolve against it. */
  cwd: string;
  /** Where each query's statement cache hits, misses and evictions are added. */
  statements: StatementCounters;
  /** The process is gone, whoever ended it (reaped: its pid no longer exists). */
  onExit: (reader: ReaderProcess) => void;
}

interface RunningQuery {
  id: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * One reader process: a `bun` child with an IPC channel and its own read-only connection,
 * answering one query at a time. Started with the parent's pid so its watchdog thread can tell
 * when it is orphaned; unref'd while idle, so it never keeps the parent alive on its own (it
 * leaves when the channel closes). The resource of the off-thread readers' `Pool`.
 */
export class ReaderProcess {
  readonly pid: number;
  /** Resolves once the process has exited and been reaped. */
  readonly exited: Promise<void>;
  /** Resolves once it has read its `init`; rejects with `SQLITE_WORKER_FAILED` if it exits first. */
  readonly ready: Promise<void>;
  /** Set once the pool ended it (killed or closed): an exit after that is no crash. */
  ending = false;
  private readonly o: ReaderProcessOptions;
  private readonly proc: Subprocess;
  private running: RunningQuery | undefined = undefined;
  private nextId = 1;
  private gone = false;
  private onReady: PromiseWithResolvers<void> | undefined = Promise.withResolvers<void>();
  private onClosed: (() => void) | undefined = undefined;

  /** @throws whatever `Bun.spawn` throws when the process cannot be started. */
  constructor(o: ReaderProcessOptions) {
    this.o = o;
    this.ready = (this.onReady as PromiseWithResolvers<void>).promise;
    this.proc = Bun.spawn([process.execPath, ENTRY], {
      cwd: o.cwd,
      env: { ...process.env, POOL_SQLITE_PARENT_PID: String(process.pid) },
      // stdin ignored so a reader never competes for the parent's; stderr kept for crashes.
      stdio: ["ignore", "ignore", "inherit"],
      serialization: "advanced",
      ipc: (reply: WorkerReply) => this.onReply(reply),
    });
    this.pid = this.proc.pid;
    this.exited = this.proc.exited.then(
      () => this.onGone(),
      () => this.onGone(),
    );
    this.proc.unref();
    this.proc.send(o.init);
  }

  /** True while the process runs and the pool has not ended it. */
  get alive(): boolean {
    return !this.gone && !this.ending;
  }

  /** True while a query sent to it has not been answered. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Runs `all` or `get` in the process; rows come back as plain objects, errors rebuilt with
   * their class and code. One query at a time: the pool lends the process to one caller.
   * Referenced while it runs: the caller waits for the answer.
   */
  query(op: "all" | "get", sql: string, params: SqlParams | undefined): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      try {
        this.proc.send({ type: "query", id, op, sql, params } satisfies WorkerRequest);
      } catch (error) {
        // A parameter structured clone cannot carry (a symbol, a function): this call fails,
        // as binding it on the main thread would, and the process, which never got it, goes on.
        reject(
          new TypeError(
            `${this.o.name}: a parameter cannot be sent to a reader process: ${(error as Error)?.message}`,
            { cause: error },
          ),
        );
        return;
      }
      this.running = { id, resolve, reject };
      this.proc.ref();
    });
  }

  /**
   * Fails the running query (if any) with `error` and kills the process at once, mid-query or
   * not: the kernel frees its CPU, memory and SQLite locks; the reader is read-only, so nothing
   * is lost.
   */
  stop(error: unknown): void {
    this.fail(error);
    this.ending = true;
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }

  /**
   * Ends the process and resolves once it is gone. A process inside a query cannot read a close
   * request, so that query fails with `error` and the process is killed; an idle one is asked to
   * close its connection, then its channel is closed (which makes it exit), each step bounded
   * by `graceMs` before it is killed.
   */
  async end(graceMs: number, error: unknown): Promise<void> {
    if (this.running !== undefined || this.ending || this.gone) {
      this.stop(error);
      return this.exited;
    }
    this.ending = true;
    const said = new Promise<void>((resolve) => {
      this.onClosed = resolve;
    });
    try {
      this.proc.send({ type: "close" } satisfies WorkerRequest);
      await within(said, graceMs);
      this.proc.disconnect();
    } catch {
      // The channel is already gone: the process is exiting or dead.
    }
    await within(this.exited, graceMs);
    this.stop(error);
    await within(this.exited, graceMs);
  }

  private onReply(reply: WorkerReply): void {
    if (reply.type === "ready") {
      this.onReady?.resolve();
      this.onReady = undefined;
      return;
    }
    if (reply.type === "closed") return this.onClosed?.();
    const running = this.running;
    if (running === undefined || running.id !== reply.id) return; // a query already failed
    this.running = undefined;
    this.proc.unref();
    const counters = this.o.statements;
    counters.hits += reply.cache.hits;
    counters.misses += reply.cache.misses;
    counters.evictions += reply.cache.evictions;
    if (reply.type === "result") running.resolve(reply.result);
    else running.reject(fromWireError(reply.error));
  }

  private onGone(): void {
    this.gone = true;
    const error = new SqliteWorkerError(
      "SQLITE_WORKER_FAILED",
      `${this.o.name}: reader process exited`,
    );
    this.onReady?.reject(error);
    this.onReady = undefined;
    this.fail(error);
    this.o.onExit(this);
  }

  private fail(error: unknown): void {
    const running = this.running;
    if (running === undefined) return;
    this.running = undefined;
    this.proc.unref();
    running.reject(error);
  }
}
