import { PoolClosedError, within } from "@pool/core";

/**
 * When a pool's calls may run. Three phases:
 * - **migrating**: calls wait for migrations (`ready`), then run;
 * - **open**: calls run at once;
 * - **closing** (`close()` called): new calls are refused with `POOL_CLOSED`; calls made inside
 *   work already admitted (a running transaction, `read()`, `write()`, migration) go on until
 *   the grace period ends, and so do calls that were waiting for migrations before `close()`.
 * Calls are counted while in flight, so `close()` can wait for them ({@link drain}).
 */
export class Lifecycle {
  /** True while a call may run at once: not closing, migrations applied. Read on every call. */
  open: boolean;
  /** Resolves once migrations are applied; rejects with their error, or `POOL_CLOSED`. */
  readonly ready: Promise<void>;
  private closing = false;
  /** Set once `close()` stopped waiting: work still running past that is refused too. */
  private graceOver = false;
  /** Calls that waited for migrations, being started now: let through even if closing. */
  private resuming = 0;
  /** Rejects `ready` when `close()` gives up on migrations that outlive its grace period. */
  private abandonMigrations: ((error: PoolClosedError) => void) | undefined = undefined;
  /** Calls in flight, and how `drain()` hears that none are left. */
  private inflight = 0;
  private idle: (() => void) | undefined = undefined;

  /** @param migrations running migrations, if any. */
  constructor(
    private readonly name: string,
    migrations: Promise<void> | undefined,
  ) {
    if (migrations === undefined) {
      this.open = true;
      this.ready = Promise.resolve();
      return;
    }
    this.open = false;
    // Neither `ready` nor the calls waiting for it may be left pending forever by a migration
    // that never settles.
    const abandoned = new Promise<never>((_, reject) => {
      this.abandonMigrations = reject;
    });
    this.ready = Promise.race([migrations, abandoned]).then(() => {
      this.open = !this.closing;
    });
    // Reported through every call and through `ready`; not an unhandled rejection on its own.
    this.ready.catch(() => {});
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.closing;
  }

  /**
   * May a call run now? `inLiveWork`: it is made inside work already running (a transaction,
   * `read()`, `write()` or migration), which was let in before: refusing it would fail that
   * work, and making it wait for migrations would have a migration wait for itself.
   */
  admits(inLiveWork: boolean): boolean {
    if (this.open) return true;
    if (inLiveWork) return !this.graceOver;
    return this.resuming > 0;
  }

  /**
   * The outcome of a call that may not run now: `POOL_CLOSED` once closing, else `retry()` once
   * migrations are applied (counted in flight meanwhile, so `close()` waits for it).
   */
  hold<R>(retry: () => Promise<R>): Promise<R> {
    if (this.closing) return Promise.reject(new PoolClosedError(this.name));
    return this.track(
      this.ready.then(() => {
        this.resuming++;
        try {
          return retry();
        } finally {
          this.resuming--;
        }
      }),
    );
  }

  /** Counts `promise` as in flight until it settles; returns it unchanged. */
  track<R>(promise: Promise<R>): Promise<R> {
    this.inflight++;
    promise.then(this.settled, this.settled);
    return promise;
  }

  /**
   * Refuses new calls, then waits within `timeoutMs` for migrations (giving up on them after)
   * and for calls in flight.
   *
   * @returns how much of the grace period is left, as a function of the clock.
   */
  async drain(timeoutMs: number): Promise<() => number> {
    this.closing = true;
    this.open = false;
    const deadline = performance.now() + timeoutMs;
    const left = () => Math.max(0, deadline - performance.now());
    await within(this.ready, left());
    this.abandonMigrations?.(new PoolClosedError(this.name));
    if (this.inflight > 0) {
      await within(new Promise<void>((resolve) => (this.idle = resolve)), left());
      this.idle = undefined;
    }
    this.graceOver = true;
    return left;
  }

  private readonly settled = (): void => {
    if (--this.inflight === 0) this.idle?.();
  };
}
