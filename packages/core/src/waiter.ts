import type { DeadlineEntry } from "./deadline-list.ts";
import type { Lease } from "./lease.ts";

/**
 * One pending `acquire()`: its own promise, deadline and abort listener (tarn's PendingOperation).
 * A waiter is never bound to a particular create or validation, so when it times out or is
 * aborted, whatever resource was on its way simply goes to the next waiter or the idle list.
 */
export class Waiter<T> implements DeadlineEntry {
  readonly promise: Promise<Lease<T>>;
  /** When it times out (`performance.now()`); set by the queue's deadline list. */
  deadline = 0;
  prev: DeadlineEntry | undefined = undefined;
  next: DeadlineEntry | undefined = undefined;
  owner: object | undefined = undefined;
  settled = false;
  resolveFn!: (lease: Lease<T>) => void;
  rejectFn!: (error: unknown) => void;
  onAbort: (() => void) | undefined = undefined;

  /** `performance.now()` when it was enqueued, as the queue's batch clock stamps it. */
  enqueuedAt = 0;

  constructor(
    readonly timeoutMs: number,
    readonly stack: string | undefined,
    readonly signal: AbortSignal | undefined,
  ) {
    this.promise = new Promise<Lease<T>>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  resolve(lease: Lease<T>): void {
    this.settle();
    this.resolveFn(lease);
  }

  reject(error: unknown): void {
    this.settle();
    this.rejectFn(error);
  }

  private settle(): void {
    this.settled = true;
    if (this.onAbort !== undefined) {
      this.signal?.removeEventListener("abort", this.onAbort);
      this.onAbort = undefined;
    }
  }
}
