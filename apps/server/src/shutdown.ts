import type { Server } from "bun";

/**
 * Options of {@link installShutdown}.
 *
 * @example
 * ```ts
 * installShutdown({ http, close: () => server.close(), timeoutMs: 10_000 });
 * ```
 */
export interface ShutdownOptions {
  /** The listening server: it stops accepting at the first signal. */
  http: Server<undefined>;
  /** Closes everything behind the server (apps, pools, stand-in) once requests have drained. */
  close: () => Promise<void>;
  /** How long in-flight requests may run after the signal before they are cut. */
  timeoutMs: number;
  /**
   * Called at the first signal, before the drain: ends responses that never finish by
   * themselves (the dashboard's SSE streams), which the drain would otherwise wait on until
   * `timeoutMs`.
   */
  onSignal?: () => void;
  log?: (line: string) => void;
  /** Ends the process; tests replace it. [exit=process.exit] */
  exit?: (code: number) => void;
}

/**
 * On the first SIGINT or SIGTERM: stop accepting connections, let in-flight requests finish for
 * up to `timeoutMs` (then cut them), close everything, exit 0 (1 if closing failed). A second
 * signal exits at once with 130 (SIGINT) or 143 (SIGTERM), for a shutdown that hangs.
 *
 * @returns the shutdown function itself, for callers that want to trigger it.
 * @example
 * ```ts
 * const http = Bun.serve({ port, fetch: app.fetch });
 * installShutdown({ http, close: () => server.close(), timeoutMs: 10_000 });
 * ```
 */
export function installShutdown(options: ShutdownOptions): (signal: NodeJS.Signals) => void {
  const log = options.log ?? ((line: string) => console.log(line));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (started) {
      log(`${signal} again: exiting without waiting`);
      exit(signal === "SIGINT" ? 130 : 143);
      return;
    }
    started = true;
    log(`${signal}: draining requests (up to ${options.timeoutMs} ms), then closing the pools`);
    options.onSignal?.();
    void drainAndClose(options).then(
      () => {
        log("closed cleanly");
        exit(0);
      },
      (error) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  return shutdown;
}

async function drainAndClose(options: ShutdownOptions): Promise<void> {
  // stop() without `true` refuses new connections and lets the requests in flight finish.
  const drained = options.http.stop();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), options.timeoutMs);
  });
  const outcome = await Promise.race([drained.then(() => "drained" as const), late]);
  clearTimeout(timer);
  if (outcome === "late") {
    (options.log ?? console.log)(
      `${options.http.pendingRequests} request(s) still running after ${options.timeoutMs} ms: cutting them`,
    );
    await options.http.stop(true);
  }
  await options.close();
}
