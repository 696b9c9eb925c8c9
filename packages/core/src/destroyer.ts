import { PoolError } from "./errors.ts";
import { isThenable } from "./thenable.ts";
import { withTimeout } from "./timers.ts";
import { within } from "./within.ts";

/**
 * Runs the user's `destroy` with a time limit. Its failures (a throw, a rejection, a hang past
 * `destroyTimeoutMs`) go to `onError`, never to a borrower; `settled()` lets close() wait.
 */
export class Destroyer<T> {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly name: string,
    private readonly destroy: ((resource: T) => unknown) | undefined,
    private readonly timeoutMs: number,
    private readonly onError: (error: unknown, resource: T) => void,
  ) {}

  run(resource: T): void {
    if (this.destroy === undefined) return;
    let result: unknown;
    try {
      result = this.destroy(resource);
    } catch (error) {
      return this.onError(error, resource);
    }
    if (!isThenable(result)) return;
    const timedOut = () =>
      new PoolError(
        "POOL_DESTROY_TIMEOUT",
        `${this.name}: destroy did not finish within ${this.timeoutMs} ms`,
      );
    const done: Promise<void> = withTimeout(result, this.timeoutMs, timedOut).then(
      () => {
        this.pending.delete(done);
      },
      (error) => {
        this.pending.delete(done);
        this.onError(error, resource);
      },
    );
    this.pending.add(done);
  }

  /** Resolves when every destroy started so far has finished or timed out, or after `boundMs`. */
  settled(boundMs: number): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return within(Promise.all([...this.pending]), boundMs);
  }
}
