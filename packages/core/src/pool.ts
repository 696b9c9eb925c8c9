import { Creator } from "./creator.ts";
import { Deque } from "./deque.ts";
import { Destroyer } from "./destroyer.ts";
import { BORROWED, DESTROYED, Entry, IDLE, TRANSIT, UNSTAMPED, VALIDATING } from "./entry.ts";
import {
  PoolAbortedError,
  PoolClosedError,
  PoolCreateError,
  PoolError,
  PoolQueueFullError,
  type PoolSnapshot,
  PoolTimeoutError,
} from "./errors.ts";
import { type DestroyReason, Emitter } from "./events.ts";
import { Histogram } from "./histogram.ts";
import { captureStack, ENTRY, Lease, type LeaseOwner, RETURN_LEASE } from "./lease.ts";
import {
  type AcquireOptions,
  type CloseOptions,
  type PoolOptions,
  parseAcquireOptions,
  parseCloseOptions,
  type ResolvedOptions,
  resolveOptions,
} from "./options.ts";
import { Counters, type PoolStats } from "./stats.ts";
import { findLeaks, sweepIdle, sweepIntervalMs } from "./sweep.ts";
import { isThenable } from "./thenable.ts";
import { backgroundInterval, backgroundTimeout, withTimeout } from "./timers.ts";
import { runWith } from "./use.ts";
import type { Waiter } from "./waiter.ts";
import { WaiterQueue } from "./waiter-queue.ts";
import { within } from "./within.ts";

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

// What a synchronous look at an idle resource found (see `validateNow`).
const PASSED = 0;
const FAILED = 1;
const PENDING = 2;

/**
 * A generic async resource pool: fair FIFO queue with direct hand-off, bounded size, timeouts
 * on every wait, validation, idle/lifetime eviction, leak detection and stats.
 *
 * @example
 * ```ts
 * const pool = new Pool<Client>({
 *   create: async (signal) => connect({ signal }),
 *   destroy: (client) => client.end(),
 *   max: 8,
 * });
 * const rows = await pool.use((client) => client.query("select 1"));
 * await pool.close();
 * ```
 */
export class Pool<T> extends Emitter<T> implements LeaseOwner<T>, AsyncDisposable {
  /** The `name` option, used in error messages. */
  readonly name: string;
  private readonly o: ResolvedOptions<T>;
  private readonly lifo: boolean;
  private readonly leakMs: number;
  /** Stamp idle resources with the exact release time: a validateAfterIdleMs window needs it. */
  private readonly exactIdleTimes: boolean;

  /** Every live resource (idle, borrowed or validating), by identity. */
  private readonly entries = new Map<T, Entry<T>>();
  private readonly idle = new Deque<Entry<T>>();
  private readonly waiters: WaiterQueue<T>;
  private readonly creator: Creator<T>;
  private readonly destroyer: Destroyer<T>;
  private borrowedCount = 0;
  private validatingCount = 0;
  private sweepTimer: ReturnType<typeof setInterval> | undefined = undefined;

  private state = OPEN;
  private closing: Promise<void> | undefined = undefined;
  private drained: (() => void) | undefined = undefined;
  private dispatching = false;
  private redispatch = false;

  private readonly counters = new Counters();
  private readonly waits = new Histogram();
  /** Acquires served without waiting, folded into `waits` lazily to keep the fast path bare. */
  private immediateAcquires = 0;

  /**
   * @param options see {@link PoolOptions}; only `create` is required.
   * @throws {PoolInvalidOptionError} on an unknown option or a value out of range.
   */
  constructor(options: PoolOptions<T>) {
    super();
    const o = resolveOptions(options);
    this.o = o;
    this.name = o.name;
    this.lifo = o.order === "lifo";
    this.leakMs = o.leakDetectionMs;
    this.exactIdleTimes = o.validate !== undefined && o.validateAfterIdleMs > 0;
    this.waiters = new WaiterQueue<T>(
      {
        timedOut: (waiter) => {
          this.counters.timedOut++;
          const cause = this.creator.failures > 0 ? this.creator.lastError : undefined;
          return new PoolTimeoutError(this.name, waiter.timeoutMs, this.snapshot(), cause);
        },
        aborted: (waiter) => {
          this.counters.aborted++;
          return new PoolAbortedError(this.name, waiter.signal?.reason);
        },
      },
      this.waits,
    );
    this.creator = new Creator<T>(o, {
      created: (resource) => this.created(resource),
      failed: (error) => this.createFailed(error),
      discarded: (resource) => {
        this.counters.discarded++;
        // A duplicate is a factory bug; destroying it would destroy what another lease uses.
        if (!this.entries.has(resource)) this.destroyer.run(resource);
      },
      retry: () => this.dispatch(),
    });
    this.destroyer = new Destroyer<T>(
      this.name,
      o.destroy,
      o.destroyTimeoutMs,
      (error, resource) => {
        this.counters.destroyErrors++;
        if (this.listeners.destroyError !== undefined) this.emit("destroyError", error, resource);
        else console.warn(`@pool/core: ${this.name}: destroy failed`, error);
      },
    );
    const interval = sweepIntervalMs(o);
    if (interval > 0) this.sweepTimer = backgroundInterval(() => this.sweep(), interval);
    // Deferred so a subclass's fields exist before its factory first runs.
    if (o.min > 0) queueMicrotask(() => this.dispatch());
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.state !== OPEN;
  }

  /**
   * Borrows a resource, waiting in FIFO order when none is idle.
   *
   * @param [options.timeoutMs=acquireTimeoutMs] rejects with `POOL_TIMEOUT` after this long.
   * @param [options.signal] rejects with `POOL_ABORTED` when aborted.
   * @example
   * ```ts
   * const lease = await pool.acquire({ timeoutMs: 1_000 });
   * try { use(lease.resource); } finally { lease.release(); }
   * ```
   */
  acquire(options?: AcquireOptions): Promise<Lease<T>> {
    if (options === undefined) {
      const lease = this.takeNow();
      if (lease !== undefined) return Promise.resolve(lease);
    }
    return this.acquireSlow(options);
  }

  /**
   * Borrows an idle resource if one can be had right now without waiting or jumping the queue.
   * Never throws: on a closed pool it returns `undefined` too, and the `acquire()` a caller falls
   * back on rejects at once with `POOL_CLOSED` (it never queues on a closed pool). A caller that
   * only polls can tell the two apart with `pool.closed`.
   *
   * @returns a lease, or `undefined` when the caller would have to wait or the pool is closed.
   * @example
   * ```ts
   * const lease = pool.tryAcquire() ?? (await pool.acquire());
   * ```
   */
  tryAcquire(): Lease<T> | undefined {
    if (this.state !== OPEN) return undefined;
    const lease = this.takeNow();
    if (lease === undefined) this.dispatch(); // may be under min after a sweep, say
    return lease;
  }

  /**
   * Runs `fn` with a borrowed resource and releases it afterwards: on success, on a rejection and
   * on a synchronous throw. `fn` may call `lease.destroy()` to drop a broken resource.
   *
   * @example
   * ```ts
   * const user = await pool.use((db) => db.query("select * from users where id = ?").get(id));
   * ```
   */
  use<R>(
    fn: (resource: T, lease: Lease<T>) => R | PromiseLike<R>,
    options?: AcquireOptions,
  ): Promise<Awaited<R>> {
    if (options === undefined) {
      const lease = this.takeNow();
      if (lease !== undefined) return runWith(lease, fn);
    }
    // A forced close between the hand-off and this callback took the lease back: do not run
    // `fn` on a destroyed resource.
    return this.acquireSlow(options).then((lease) =>
      lease.released ? Promise.reject(new PoolClosedError(this.name)) : runWith(lease, fn),
    );
  }

  /**
   * Drops a resource known to be dead (a socket the server closed): at once if idle, at release
   * if borrowed.
   *
   * @returns false when the resource is not (or no longer) in the pool.
   * @example
   * ```ts
   * socket.on("close", () => pool.evict(socket));
   * ```
   */
  evict(resource: T): boolean {
    const entry = this.entries.get(resource);
    if (entry === undefined) return false;
    this.retire(entry, "evicted");
    return true;
  }

  /**
   * A plain snapshot of sizes, counters and wait-time figures. Listeners run inside the pool's
   * bookkeeping, so a snapshot taken in one may show a resource between two states.
   *
   * @example
   * ```ts
   * setInterval(() => console.log(pool.stats()), 10_000).unref();
   * ```
   */
  stats(): PoolStats {
    this.waiters.flush();
    if (this.immediateAcquires > 0) {
      this.waits.recordZeros(this.immediateAcquires);
      this.immediateAcquires = 0;
    }
    const c = this.counters;
    let total = 0;
    for (const n of Object.values(c.destroyed)) total += n;
    return {
      size: this.entries.size,
      idle: this.idle.length,
      borrowed: this.borrowedCount,
      validating: this.validatingCount,
      pending: this.waiters.length,
      creating: this.creator.size,
      min: this.o.min,
      max: this.o.max,
      created: c.created,
      discarded: c.discarded,
      destroyed: { ...c.destroyed, total },
      acquired: c.acquired,
      reused: c.reused,
      timedOut: c.timedOut,
      aborted: c.aborted,
      rejected: c.rejected,
      createErrors: c.createErrors,
      destroyErrors: c.destroyErrors,
      validationFailures: c.validationFailures,
      leaksDetected: c.leaksDetected,
      wait: this.waits.snapshot(),
    };
  }

  /**
   * Closes gracefully: rejects waiters with `POOL_CLOSED`, waits for borrowed leases (up to
   * `closeTimeoutMs`, then destroys them), destroys every resource and stops its timers.
   * Idempotent: every call returns the same promise. `close({ timeoutMs: 0 })` forces.
   *
   * @example
   * ```ts
   * process.on("SIGTERM", () => pool.close().then(() => process.exit(0)));
   * ```
   */
  close(options?: CloseOptions): Promise<void> {
    if (this.closing === undefined) {
      const parsed = parseCloseOptions(options, this.o.closeTimeoutMs);
      if (parsed instanceof PoolError) return Promise.reject(parsed);
      this.closing = this.shutdown(parsed.timeoutMs);
    }
    return this.closing;
  }

  /** `await using pool = new Pool(...)` closes it at scope exit. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal called by {@link Lease.release} and {@link Lease.destroy}. */
  [RETURN_LEASE](lease: Lease<T>, destroy: boolean): void {
    const entry = lease[ENTRY];
    entry.lease = undefined;
    entry.state = TRANSIT;
    this.borrowedCount--;
    if (this.listeners.release !== undefined) {
      this.emit("release", entry.resource);
      if (entry.state === DESTROYED) return; // the listener forced a close
    }
    if (destroy) return this.destroyEntry(entry, "released");
    if (this.o.maxUses > 0 && entry.uses >= this.o.maxUses)
      return this.destroyEntry(entry, "maxUses");
    this.handOff(entry);
  }

  // ---- lending ------------------------------------------------------------------------------

  /** The fast path: an idle resource and nobody queued ahead. Arms no timer, reads no clock. */
  private takeNow(): Lease<T> | undefined {
    if (this.waiters.length > 0 || this.state !== OPEN) return undefined;
    const entry = this.takeIdle();
    if (entry === undefined) return undefined;
    this.immediateAcquires++;
    const lease = this.lend(entry, this.leakMs > 0 ? captureStack() : undefined);
    // An `acquire` listener that forced a close took it back already: the caller gets POOL_CLOSED.
    return lease.released ? undefined : lease;
  }

  private acquireSlow(options: AcquireOptions | undefined): Promise<Lease<T>> {
    if (this.state !== OPEN) return Promise.reject(new PoolClosedError(this.name));
    let timeoutMs = this.o.acquireTimeoutMs;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const parsed = parseAcquireOptions(options, timeoutMs);
      if (parsed instanceof PoolError) return Promise.reject(parsed);
      signal = parsed.signal;
      timeoutMs = parsed.timeoutMs;
      if (signal?.aborted) {
        this.counters.aborted++;
        return Promise.reject(new PoolAbortedError(this.name, signal.reason));
      }
      const lease = this.takeNow();
      if (lease !== undefined) return Promise.resolve(lease);
    }
    if (this.o.failFast && this.creator.backingOff && this.nothingComingBack()) {
      this.counters.rejected++;
      return Promise.reject(this.failFastError(this.creator.lastError));
    }
    if (this.o.maxWaiting > 0 && this.waiters.length >= this.o.maxWaiting) {
      this.counters.rejected++;
      return Promise.reject(new PoolQueueFullError(this.name, this.o.maxWaiting));
    }
    const stack = this.leakMs > 0 ? captureStack() : undefined;
    const waiter = this.waiters.add(timeoutMs, stack, signal);
    // Full and nothing idle (the usual case under load): nothing to dispatch, skip the pass.
    if (this.idle.length > 0 || this.entries.size + this.creator.size < this.o.max) this.dispatch();
    return waiter.promise;
  }

  /**
   * Takes the next usable idle resource. Unusable ones met on the way are dealt with here:
   * retired or past their own idle deadline are destroyed. One that needs an async validation
   * starts it and ends the search: the caller waits for it (it reaches the oldest waiter
   * through `handOff`), so one acquire never sets off a validation of every idle resource.
   */
  private takeIdle(): Entry<T> | undefined {
    const validate = this.o.validate;
    for (;;) {
      const entry = this.lifo ? this.idle.pop() : this.idle.shift();
      if (entry === undefined) return undefined;
      entry.state = TRANSIT;
      if (entry.retired !== undefined) {
        this.destroyEntry(entry, entry.retired);
        continue;
      }
      // The clock is read only when the answer depends on how long the resource idled.
      if (entry.idleTimeoutMs > 0 || (validate !== undefined && this.exactIdleTimes)) {
        const idleMs = performance.now() - entry.idleSince;
        if (entry.idleTimeoutMs > 0 && idleMs >= entry.idleTimeoutMs) {
          this.destroyEntry(entry, "evicted");
          continue;
        }
        if (validate !== undefined && idleMs < this.o.validateAfterIdleMs) return entry;
      }
      if (validate === undefined) return entry;
      const verdict = this.validateNow(entry, validate);
      if (verdict === PENDING) return undefined;
      if (verdict === FAILED || entry.state === DESTROYED) continue;
      // The validator may have called back into the pool: evicted this resource, or closed it.
      if (entry.retired !== undefined || this.state !== OPEN) {
        this.destroyEntry(entry, entry.retired ?? "closed");
        continue;
      }
      return entry;
    }
  }

  /** Runs `validate`; a synchronous verdict is final, a promise leaves the entry VALIDATING. */
  private validateNow(entry: Entry<T>, validate: (resource: T) => unknown): number {
    let result: unknown;
    try {
      result = validate(entry.resource);
    } catch {
      this.failValidation(entry);
      return FAILED;
    }
    if (!isThenable(result)) {
      if (result) return PASSED;
      this.failValidation(entry);
      return FAILED;
    }
    if (entry.state === DESTROYED) return FAILED; // closed from inside the validator
    entry.state = VALIDATING;
    this.validatingCount++;
    const ms = this.o.validateTimeoutMs;
    const timedOut = () =>
      new PoolError(
        "POOL_VALIDATE_TIMEOUT",
        `${this.name}: validate did not finish within ${ms} ms`,
      );
    withTimeout(result, ms, timedOut).then(
      (ok) => this.validated(entry, Boolean(ok)),
      () => this.validated(entry, false),
    );
    return PENDING;
  }

  private validated(entry: Entry<T>, ok: boolean): void {
    if (entry.state !== VALIDATING) return; // a forced close already destroyed it
    this.validatingCount--;
    entry.state = TRANSIT;
    if (!ok) return this.failValidation(entry);
    this.handOff(entry);
    this.dispatch();
  }

  private failValidation(entry: Entry<T>): void {
    if (entry.state === DESTROYED) return;
    this.counters.validationFailures++;
    this.destroyEntry(entry, "validation");
  }

  private lend(entry: Entry<T>, stack: string | undefined): Lease<T> {
    entry.state = BORROWED;
    entry.uses++;
    this.borrowedCount++;
    const c = this.counters;
    c.acquired++;
    if (entry.uses > 1) c.reused++;
    const lease = new Lease<T>(this, entry);
    entry.lease = lease;
    if (this.leakMs > 0) {
      entry.lentAt = performance.now();
      entry.stack = stack;
      entry.leakReported = false;
    }
    if (this.listeners.acquire !== undefined) this.emit("acquire", entry.resource);
    return lease;
  }

  /**
   * A resource coming back (released, created, validated) goes straight to the oldest waiter,
   * or to the idle list; unless it was retired meanwhile or the pool is closing.
   */
  private handOff(entry: Entry<T>): void {
    if (entry.retired !== undefined) return this.destroyEntry(entry, entry.retired);
    if (this.state !== OPEN) return this.destroyEntry(entry, "closed");
    if (this.waiters.length > 0) return this.serve(entry);
    entry.state = IDLE;
    // Reading the clock is ~45 ns, a third of a release. Only validation and per-resource idle
    // deadlines need the exact moment; idle eviction is content with the next sweep's clock.
    entry.idleSince =
      this.exactIdleTimes || entry.idleTimeoutMs > 0 ? performance.now() : UNSTAMPED;
    this.idle.push(entry);
  }

  /** Lends `entry` to the oldest waiter. Only while someone waits. */
  private serve(entry: Entry<T>): void {
    const waiter: Waiter<T> = this.waiters.shift();
    const lease = this.lend(entry, waiter.stack);
    // An `acquire` listener that forced a close took it back already.
    if (lease.released) waiter.reject(new PoolClosedError(this.name));
    else waiter.resolve(lease);
  }

  /**
   * Serves waiters from the idle list, then starts the creates still needed. Re-entrant calls
   * (a listener or factory calling back into the pool) are folded into one more pass.
   */
  private dispatch(): void {
    if (this.dispatching) {
      this.redispatch = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.redispatch = false;
        // Each pass takes at least one entry off the idle list, so this ends.
        while (this.waiters.length > this.validatingCount && this.idle.length > 0) {
          const entry = this.takeIdle();
          if (entry !== undefined) this.serve(entry);
        }
        this.ensureCreates();
      } while (this.redispatch);
    } finally {
      this.dispatching = false;
    }
  }

  private snapshot(): PoolSnapshot {
    return {
      size: this.entries.size,
      borrowed: this.borrowedCount,
      idle: this.idle.length,
      pending: this.waiters.length,
      creating: this.creator.size,
    };
  }

  // ---- creating -----------------------------------------------------------------------------

  /**
   * HikariCP's rule: create only while waiters outnumber the resources already on their way
   * (creates in flight, validations that may pass), and to keep `min`; never while backing off
   * after a failure, never beyond `max`.
   */
  private ensureCreates(): void {
    if (this.state !== OPEN || this.creator.backingOff) return;
    const { max, min } = this.o;
    // `state` is read each time: a factory may close the pool from inside `create`.
    while (this.state === OPEN && this.entries.size + this.creator.size < max) {
      const incoming = this.creator.size + this.validatingCount;
      if (this.waiters.length <= incoming && this.entries.size + this.creator.size >= min) return;
      this.creator.start();
    }
  }

  private created(resource: T): void {
    if (this.state !== OPEN) {
      this.counters.discarded++;
      if (!this.entries.has(resource)) this.destroyer.run(resource);
      return;
    }
    if (this.entries.has(resource)) {
      const bug = new Error("create returned a resource that is already in the pool");
      return this.creator.fail(new PoolCreateError(this.name, bug));
    }
    const entry = new Entry(resource, performance.now());
    this.counters.created++;
    this.entries.set(resource, entry);
    this.emit("create", resource);
    if (entry.state === DESTROYED) return; // the listener forced a close
    this.handOff(entry);
    if (entry.state !== DESTROYED) this.scheduleLifetime(entry);
    this.dispatch();
  }

  private createFailed(error: unknown): void {
    this.counters.createErrors++;
    this.emit("createError", error);
    if (this.state !== OPEN) return;
    if (this.o.failFast && this.nothingComingBack()) {
      this.counters.rejected += this.waiters.rejectAll(() => this.failFastError(error));
    }
  }

  /**
   * failFast's condition: no create in flight, and no lease or validation that could bring a
   * resource back. Waiting could only end at the timeout.
   */
  private nothingComingBack(): boolean {
    return this.creator.size === 0 && this.borrowedCount === 0 && this.validatingCount === 0;
  }

  private failFastError(cause: unknown): PoolError {
    return cause instanceof PoolCreateError ? cause : new PoolCreateError(this.name, cause);
  }

  // ---- retiring and destroying --------------------------------------------------------------

  private scheduleLifetime(entry: Entry<T>): void {
    const ms = this.o.maxLifetimeMs;
    if (ms === 0) return;
    const lifetime = ms * (1 - Math.random() * this.o.maxLifetimeJitter);
    entry.lifetimeTimer = backgroundTimeout(() => this.retire(entry, "lifetime"), lifetime);
  }

  /** Idle: destroyed now. Borrowed or validating: destroyed when it comes back. */
  private retire(entry: Entry<T>, reason: DestroyReason): void {
    if (entry.state === IDLE && this.idle.remove(entry)) {
      this.destroyEntry(entry, reason);
    } else if (entry.state !== DESTROYED) {
      entry.retired ??= reason;
    }
  }

  private destroyEntry(entry: Entry<T>, reason: DestroyReason): void {
    if (entry.state === DESTROYED) return;
    entry.state = DESTROYED;
    if (this.entries.get(entry.resource) === entry) this.entries.delete(entry.resource);
    if (entry.lifetimeTimer !== undefined) clearTimeout(entry.lifetimeTimer);
    this.counters.destroyed[reason]++;
    this.emit("destroy", entry.resource, reason);
    this.destroyer.run(entry.resource);
    // A freed slot may be what a waiter or `min` needs.
    if (this.state === OPEN) this.dispatch();
    else this.checkDrained();
  }

  // ---- background ---------------------------------------------------------------------------

  private sweep(): void {
    if (this.state !== OPEN) return;
    const now = performance.now();
    const excess = this.entries.size - this.o.min;
    for (const [entry, reason] of sweepIdle(this.idle, now, this.o.idleTimeoutMs, excess)) {
      this.destroyEntry(entry, reason);
    }
    if (this.leakMs === 0) return;
    for (const report of findLeaks(this.entries.values(), now, this.leakMs)) {
      this.counters.leaksDetected++;
      if (this.listeners.leak !== undefined) this.emit("leak", report);
      else
        console.warn(
          `@pool/core: ${this.name}: lease held for ${Math.round(report.heldMs)} ms`,
          report.stack,
        );
    }
  }

  // ---- closing ------------------------------------------------------------------------------

  private async shutdown(timeoutMs: number): Promise<void> {
    this.state = CLOSING;
    const deadline = performance.now() + timeoutMs;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.waiters.rejectAll(() => new PoolClosedError(this.name));
    this.creator.stop(new PoolClosedError(this.name));
    for (const entry of this.idle.clear()) this.destroyEntry(entry, "closed");

    // Not even a tick's wait when forced: `close({ timeoutMs: 0 })` takes leases back at once.
    if (this.borrowedCount + this.validatingCount > 0 && timeoutMs > 0) {
      await within(new Promise<void>((resolve) => (this.drained = resolve)), timeoutMs);
      this.drained = undefined;
    }
    // Whatever is still out after the grace period is taken back and destroyed.
    for (const entry of [...this.entries.values()]) {
      if (entry.state === BORROWED && entry.lease !== undefined) {
        entry.lease.revoke();
        entry.lease = undefined;
        this.borrowedCount--;
      } else if (entry.state === VALIDATING) {
        this.validatingCount--;
      }
      this.destroyEntry(entry, "closed");
    }
    // Factory calls still running get what is left of the grace period, at most one create
    // timeout: a factory that ignores its abort signal cannot hold close() for long, and what
    // it returns later is destroyed on arrival.
    const remainingMs = Math.min(
      deadline - performance.now(),
      this.o.createTimeoutMs || Number.POSITIVE_INFINITY,
    );
    await this.creator.settleLate(remainingMs);
    // Each destroy is bounded by destroyTimeoutMs; with that off, by what is left of the grace.
    await this.destroyer.settled(
      this.o.destroyTimeoutMs || Math.max(0, deadline - performance.now()),
    );
    this.state = CLOSED;
  }

  private checkDrained(): void {
    if (this.drained !== undefined && this.borrowedCount + this.validatingCount === 0)
      this.drained();
  }
}
