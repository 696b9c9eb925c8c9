import type { Subprocess } from "bun";
import { within } from "./within.ts";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.ts";

/**
 * The reader process's entry, next to this file both in `src/` (run from source by Bun) and in
 * `dist/` (built as another entry point).
 */
const ENTRY = Bun.fileURLToPath(
  new URL(
    import.meta.url.endsWith(".ts") ? "./reader-process.ts" : "./reader-process.js",
    import.meta.url,
  ),
);

/** What a {@link ReaderChild} reports to its owner. */
export interface ReaderChildEvents {
  reply: (reply: WorkerReply) => void;
  /** The process is gone, whoever ended it (reaped: its pid no longer exists). */
  exit: () => void;
}

/**
 * The pool's handle on one reader process: a `bun` child with an IPC channel, started with
 * the parent's pid so its watchdog thread can tell when it is orphaned. Unref'd while idle, so
 * it never keeps the parent alive on its own; the child leaves when the channel closes.
 *
 * @example
 * ```ts
 * const child = new ReaderChild({ type: "init", config, maxLifetimeMs: 0 }, process.cwd(), {
 *   reply: (r) => console.log(r),
 *   exit: () => console.log("gone"),
 * });
 * child.send({ type: "query", id: 1, op: "get", sql: "select 1 as one", params: undefined });
 * child.kill(); // a runaway query: SIGKILL, exit() follows once it is reaped
 * ```
 */
export class ReaderChild {
  readonly pid: number;
  /** Resolves once the process has exited and been reaped. */
  readonly exited: Promise<void>;
  /** True once it replied at least once: it started and its connection answers. */
  answered = false;
  private readonly proc: Subprocess;
  private closedWaiter: (() => void) | undefined;

  /** @throws whatever `Bun.spawn` throws when the process cannot be started. */
  constructor(init: WorkerRequest, cwd: string, events: ReaderChildEvents) {
    this.proc = Bun.spawn([process.execPath, ENTRY], {
      cwd,
      env: { ...process.env, POOL_SQLITE_PARENT_PID: String(process.pid) },
      // stdin ignored so a reader never competes for the parent's; stderr kept for crashes.
      stdio: ["ignore", "ignore", "inherit"],
      serialization: "advanced",
      ipc: (reply: WorkerReply) => {
        this.answered = true;
        if (reply.type === "closed") this.closedWaiter?.();
        else events.reply(reply);
      },
    });
    this.pid = this.proc.pid;
    this.exited = this.proc.exited.then(
      () => events.exit(),
      () => events.exit(),
    );
    this.proc.unref();
    this.proc.send(init);
  }

  /**
   * Sends a request; the IPC channel clones it as `postMessage` would.
   *
   * @throws {DOMException} `DataCloneError` for a value structured clone cannot carry.
   */
  send(request: WorkerRequest): void {
    this.proc.send(request);
  }

  /** Busy: the parent waits for the answer, so the process counts as keeping it alive. */
  ref(): void {
    this.proc.ref();
  }

  unref(): void {
    this.proc.unref();
  }

  /** Stops it at once, mid-query or not: the kernel frees its CPU, memory and SQLite locks. */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }

  /**
   * Asks it to close its connection, then closes the channel, which makes it exit; kills it if
   * either step takes longer than `graceMs`. Resolves once it is gone.
   */
  async close(graceMs: number): Promise<void> {
    const said = new Promise<void>((resolve) => {
      this.closedWaiter = resolve;
    });
    try {
      this.proc.send({ type: "close" } satisfies WorkerRequest);
      await within(said, graceMs);
      this.proc.disconnect();
    } catch {
      // The channel is already gone: the process is exiting or dead.
    }
    await within(this.exited, graceMs);
    this.kill();
    await within(this.exited, graceMs);
  }
}
