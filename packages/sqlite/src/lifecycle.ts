import { PoolClosedError, within } from "@pool/core";

/**
 * When a pool's calls may run: held back until migrations are applied, refused once `close()`
 * was called, and counted while in flight so `close()` can wait for them. The first half of
 * `close()` lives here too: waiting for migrations and calls within the grace period, then
 * cutting short what is still waiting.
 */
export class Lifecycle {
  /** True while a call may run at once: not closing, migrations applied. Read on every call. */
  passing: boolean;
  /** Resolves once migrations are applied; rejects with their error, or `POOL_CLOSED`. */
  readonly ready: Promise<void>;
  private closing = false;
  /** Set once `close()` stopped waiting: work still running past that is cut off too. */
  private over = false;
  private migrated: boolean;
  /** Calls accepted while migrations ran, being started now: let through even if closing. */
  private admitting = 0;
  private cut: ((error: PoolClosedError) => void) | undefined = undefined;
  /** Calls in flight, and how `drain()` hears that none are left. */
  private inflight = 0;
  private idle: (() => void) | undefined = undefined;
  private readonly settled = (): void => {
    if (--this.inflight === 0) this.idle?.();
  };

  /** @param migrations running migrations, if any. */
  constructor(
    private readonly name: string,
    migrations: Promise<void> | undefined,
  ) {
    if (migrations === undefined) {
      this.migrated = this.passing = true;
      this.ready = Promise.resolve();
      return;
    }
    this.migrated = this.passing = false;
    // close() cuts a migration that outlives its grace period short, so neither `ready` nor
    // the calls waiting for it are left pending forever.
    const cutShort = new Promise<never>((_, reject) => {
      this.cut = reject;
    });
    this.ready = Promise.race([migrations, cutShort]).then(() => {
      this.migrated = true;
      this.passing = !this.closing;
    });
    // Reported through every call and through `ready`; not an unhandled rejection on its own.
    this.ready.catch(() => {});
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.closing;
  }

  /**
   * Undefined when a call may run now. Otherwise its outcome: `POOL_CLOSED` after `close()`, or,
   * while migrations run, `retry` once they are applied (a call accepted before `close()` still
   * runs then, and `close()` waits for it). An `admitted` call (made inside work already
   * running) goes on until `close()` gives up waiting.
   */
  blocked<R>(retry: () => Promise<R>, admitted = false): Promise<R> | undefined {
    if (this.passing) return undefined;
    // A call made inside a transaction, read() or write() scope (or a migration) belongs to
    // work that was let in before: refusing it would fail that work, and waiting for
    // migrations from inside one would wait for itself.
    if (admitted && !this.over) return undefined;
    if (this.closing && this.admitting === 0) {
      return Promise.reject(new PoolClosedError(this.name));
    }
    if (this.migrated) return undefined;
    return this.track(
      this.ready.then(() => {
        this.admitting++;
        try {
          return retry();
        } finally {
          this.admitting--;
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
   * Refuses new calls, then waits within `timeoutMs` for migrations (cutting them short after)
   * and for calls in flight.
   *
   * @returns how much of the grace period is left, as a function of the clock.
   */
  async drain(timeoutMs: number): Promise<() => number> {
    this.closing = true;
    this.passing = false;
    const deadline = performance.now() + timeoutMs;
    const left = () => Math.max(0, deadline - performance.now());
    await within(this.ready, left());
    this.cut?.(new PoolClosedError(this.name));
    if (this.inflight > 0) {
      await within(new Promise<void>((resolve) => (this.idle = resolve)), left());
      this.idle = undefined;
    }
    this.over = true;
    return left;
  }
}
