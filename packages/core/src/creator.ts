import { backoffMs } from "./backoff.ts";
import { PoolCreateError } from "./errors.ts";
import { backgroundTimeout } from "./timers.ts";
import { within } from "./within.ts";

/** One call to the factory. Leaving `inFlight` frees its slot; a late result is discarded. */
class CreateOp {
  readonly controller = new AbortController();
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Finished, timed out or abandoned: its result no longer belongs to the pool. */
  done = false;
  settled: Promise<void> = Promise.resolve();
}

/** What the pool does with the outcome of each create. */
export interface CreatorHooks<T> {
  /** A create finished in time; the resource is the pool's. */
  created(resource: T): void;
  /** A create failed or timed out (the backoff is already armed). */
  failed(error: unknown): void;
  /** A create the pool had given up on (timeout, stop) finished anyway. */
  discarded(resource: T): void;
  /** The backoff after a failure is over: creates may start again. */
  retry(): void;
}

export interface CreatorOptions<T> {
  name: string;
  create: (signal: AbortSignal) => T | PromiseLike<T>;
  createTimeoutMs: number;
  createRetryDelayMs: number;
  createRetryMaxDelayMs: number;
}

/**
 * Calls the factory: bounds each call by `createTimeoutMs` (aborting its signal and freeing its
 * slot), remembers the last failure, and after one backs off exponentially with jitter before
 * the pool may try again, so a dead factory is never called in a hot loop.
 */
export class Creator<T> {
  /** Consecutive failures since the last success. */
  failures = 0;
  lastError: unknown = undefined;
  private readonly inFlight = new Set<CreateOp>();
  /** Creates given up on whose factory call has not settled yet. */
  private readonly late = new Set<CreateOp>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private stopped = false;

  constructor(
    private readonly o: CreatorOptions<T>,
    private readonly hooks: CreatorHooks<T>,
  ) {}

  /** Creates in flight (each holds a slot). */
  get size(): number {
    return this.inFlight.size;
  }

  /** True while waiting out the backoff after a failure: no create may start. */
  get backingOff(): boolean {
    return this.retryTimer !== undefined;
  }

  start(): void {
    if (this.stopped) return;
    const op = new CreateOp();
    this.inFlight.add(op);
    const timeoutMs = this.o.createTimeoutMs;
    if (timeoutMs > 0) op.timer = backgroundTimeout(() => this.timedOut(op, timeoutMs), timeoutMs);
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(this.o.create(op.controller.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    op.settled = pending.then(
      (resource) => this.succeeded(op, resource),
      (error) => this.rejected(op, error),
    );
  }

  /** Counts a failure and starts the backoff; also for failures found by the pool itself. */
  fail(error: unknown): void {
    this.failures++;
    this.lastError = error;
    // Armed before the hook runs: a listener that calls back into the pool must find it backing off.
    if (this.retryTimer === undefined && !this.stopped) {
      const delay = backoffMs(
        this.failures,
        this.o.createRetryDelayMs,
        this.o.createRetryMaxDelayMs,
      );
      this.retryTimer = backgroundTimeout(() => {
        this.retryTimer = undefined;
        this.hooks.retry();
      }, delay);
    }
    this.hooks.failed(error);
  }

  /** Gives up on every create in flight (aborting their signals) and stops retrying. */
  stop(reason: unknown): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const op of this.inFlight) {
      if (op.timer !== undefined) clearTimeout(op.timer);
      op.done = true;
      this.late.add(op);
      op.controller.abort(reason);
    }
    this.inFlight.clear();
  }

  /** Waits up to `ms` for factory calls given up on to settle (their results are discarded). */
  settleLate(ms: number): Promise<void> {
    if (this.late.size === 0) return Promise.resolve();
    return within(Promise.allSettled([...this.late].map((op) => op.settled)), ms);
  }

  private succeeded(op: CreateOp, resource: T): void {
    if (op.timer !== undefined) clearTimeout(op.timer);
    if (op.done) {
      this.late.delete(op);
      return this.hooks.discarded(resource);
    }
    this.finish(op);
    this.failures = 0;
    this.lastError = undefined;
    // The factory works again: whoever waits should not sit out a backoff meant for a dead one.
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.hooks.created(resource);
  }

  private rejected(op: CreateOp, error: unknown): void {
    if (op.timer !== undefined) clearTimeout(op.timer);
    if (op.done) {
      this.late.delete(op); // counted when it timed out or was stopped
      return;
    }
    this.finish(op);
    this.fail(error);
  }

  private timedOut(op: CreateOp, timeoutMs: number): void {
    if (op.done) return;
    this.finish(op);
    this.late.add(op);
    const error = new PoolCreateError(
      this.o.name,
      new Error(`create did not finish within ${timeoutMs} ms`),
      "POOL_CREATE_TIMEOUT",
    );
    op.controller.abort(error);
    this.fail(error);
  }

  private finish(op: CreateOp): void {
    op.done = true;
    this.inFlight.delete(op);
  }
}
