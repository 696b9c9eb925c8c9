import { Deque } from "./deque.ts";
import { BORROWED, DESTROYED, Entry, IDLE, VALIDATING } from "./entry.ts";
import {
  PoolAbortedError,
  PoolClosedError,
  PoolCreateError,
  PoolError,
  PoolInvalidOptionError,
  PoolQueueFullError,
  type PoolSnapshot,
  PoolTimeoutError,
} from "./errors.ts";
import { type DestroyReason, Emitter } from "./events.ts";
import { Histogram } from "./histogram.ts";
import { Lease, type LeaseOwner } from "./lease.ts";
import { type PoolOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { Counters, type PoolStats } from "./stats.ts";
import { backgroundInterval, backgroundTimeout, backoffMs, withTimeout } from "./timers.ts";
import { Waiter } from "./waiter.ts";

/** Per-call options of {@link Pool.acquire}. */
export interface AcquireOptions {
  /** Aborting it rejects the acquire with `POOL_ABORTED` (the reason is the `cause`). */
  signal?: AbortSignal;
  /** Overrides the pool's `acquireTimeoutMs` for this call. */
  timeoutMs?: number;
}

/** Options of {@link Pool.close}. */
export interface CloseOptions {
  /** How long to wait for borrowed leases before destroying them; `0` forces at once. [timeoutMs=closeTimeoutMs] */
  timeoutMs?: number;
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;
const MAX_DELAY_MS = 2 ** 31 - 1;

/** One call to the factory. Leaving `creates` frees its slot; a late result is destroyed. */
class CreateOp {
  readonly controller = new AbortController();
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Settled, timed out or abandoned by close: its result no longer belongs to the pool. */
  done = false;
  settled: Promise<void> = Promise.resolve();
}

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

  /** Every live resource (idle, borrowed or validating), by identity. */
  private readonly entries = new Map<T, Entry<T>>();
  private readonly idle = new Deque<Entry<T>>();
  /** FIFO of waiters; settled ones are skipped lazily, so `pendingCount` is the real count. */
  private readonly waiters = new Deque<Waiter<T>>();
  private pendingCount = 0;
  private borrowedCount = 0;
  private validatingCount = 0;
  private readonly creates = new Set<CreateOp>();
  /** Creates given up on (timeout, close) whose factory call has not settled yet. */
  private readonly lateCreates = new Set<CreateOp>();
  private readonly pendingDestroys = new Set<Promise<void>>();

  private consecutiveCreateFailures = 0;
  private lastCreateError: unknown = undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private deadlineAt = Number.POSITIVE_INFINITY;
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
    this.o = resolveOptions(options);
    this.name = this.o.name;
    this.lifo = this.o.order === "lifo";
    this.leakMs = this.o.leakDetectionMs;
    const interval = this.o.evictionIntervalMs || defaultSweepInterval(this.o);
    if (interval > 0) this.sweepTimer = backgroundInterval(() => this.sweep(), interval);
    // Deferred so a subclass's fields exist before its factory first runs.
    if (this.o.min > 0) queueMicrotask(() => this.dispatch());
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
    if (
      options === undefined &&
      this.pendingCount === 0 &&
      this.state === OPEN &&
      this.leakMs === 0
    ) {
      const entry = this.takeIdle();
      if (entry !== undefined) {
        this.immediateAcquires++;
        return Promise.resolve(this.lend(entry, undefined));
      }
    }
    return this.acquireSlow(options);
  }

  /**
   * Borrows an idle resource if one can be had right now without waiting or jumping the queue.
   *
   * @returns a lease, or `undefined` when the caller would have to wait.
   * @throws {PoolClosedError} after `close()`.
   * @example
   * ```ts
   * const lease = pool.tryAcquire() ?? (await pool.acquire());
   * ```
   */
  tryAcquire(): Lease<T> | undefined {
    if (this.state !== OPEN) throw new PoolClosedError(this.name);
    if (this.pendingCount > 0) return undefined;
    const entry = this.takeIdle();
    if (entry === undefined) {
      this.dispatch();
      return undefined;
    }
    this.immediateAcquires++;
    return this.lend(entry, this.leakMs > 0 ? captureStack() : undefined);
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
    if (
      options === undefined &&
      this.pendingCount === 0 &&
      this.state === OPEN &&
      this.leakMs === 0
    ) {
      const entry = this.takeIdle();
      if (entry !== undefined) {
        this.immediateAcquires++;
        return runWith(this.lend(entry, undefined), fn);
      }
    }
    return this.acquireSlow(options).then((lease) => runWith(lease, fn));
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
   * A plain snapshot of sizes, counters and wait-time figures.
   *
   * @example
   * ```ts
   * setInterval(() => console.log(pool.stats()), 10_000).unref();
   * ```
   */
  stats(): PoolStats {
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
      pending: this.pendingCount,
      creating: this.creates.size,
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
   * `closeTimeoutMs`, then destroys them), destroys every resource and clears every timer.
   * Idempotent: every call returns the same promise.
   *
   * @example
   * ```ts
   * process.on("SIGTERM", () => pool.close().then(() => process.exit(0)));
   * ```
   */
  close(options?: CloseOptions): Promise<void> {
    if (this.closing === undefined) {
      const timeoutMs = options?.timeoutMs ?? this.o.closeTimeoutMs;
      if (!(timeoutMs >= 0 && timeoutMs <= MAX_DELAY_MS)) {
        return Promise.reject(
          new PoolInvalidOptionError("timeoutMs", "must be a number of milliseconds"),
        );
      }
      this.closing = this.shutdown(timeoutMs);
    }
    return this.closing;
  }

  /** `await using pool = new Pool(...)` closes it at scope exit. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal called by {@link Lease.release} and {@link Lease.destroy}. */
  returnLease(lease: Lease<T>, destroy: boolean): void {
    const entry = lease.entry;
    entry.lease = undefined;
    this.borrowedCount--;
    if (this.listeners.release !== undefined) this.emit("release", entry.resource);
    if (destroy) return this.destroyEntry(entry, "released");
    if (entry.retired !== undefined) return this.destroyEntry(entry, entry.retired);
    if (this.o.maxUses > 0 && entry.uses >= this.o.maxUses)
      return this.destroyEntry(entry, "maxUses");
    if (this.state !== OPEN) return this.destroyEntry(entry, "closed");
    this.handOff(entry);
  }

  // ---- acquiring ----------------------------------------------------------------------------

  private acquireSlow(options: AcquireOptions | undefined): Promise<Lease<T>> {
    if (this.state !== OPEN) return Promise.reject(new PoolClosedError(this.name));
    let timeoutMs = this.o.acquireTimeoutMs;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const invalid = checkAcquireOptions(options);
      if (invalid !== undefined) return Promise.reject(invalid);
      signal = options.signal;
      if (options.timeoutMs !== undefined) timeoutMs = options.timeoutMs;
      if (signal?.aborted) {
        this.counters.aborted++;
        return Promise.reject(new PoolAbortedError(this.name, signal.reason));
      }
    }
    const stack = this.leakMs > 0 ? captureStack() : undefined;
    if (this.pendingCount === 0) {
      const entry = this.takeIdle();
      if (entry !== undefined) {
        this.immediateAcquires++;
        return Promise.resolve(this.lend(entry, stack));
      }
    }
    if (this.o.failFast && this.retryTimer !== undefined && this.consecutiveCreateFailures > 0) {
      this.counters.rejected++;
      return Promise.reject(this.failFastError(this.lastCreateError));
    }
    if (this.o.maxWaiting > 0 && this.pendingCount >= this.o.maxWaiting) {
      this.counters.rejected++;
      return Promise.reject(new PoolQueueFullError(this.name, this.o.maxWaiting));
    }
    const now = performance.now();
    const waiter = new Waiter<T>(now, now + timeoutMs, timeoutMs, stack, signal);
    this.waiters.push(waiter);
    this.pendingCount++;
    if (signal !== undefined) {
      waiter.onAbort = () => this.abortWaiter(waiter);
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    this.armDeadline(waiter.deadline);
    // Full and nothing idle (the usual case under load): nothing to dispatch, skip the pass.
    if (this.idle.length > 0 || this.entries.size + this.creates.size < this.o.max) this.dispatch();
    return waiter.promise;
  }

  /**
   * Takes the next usable idle resource. Unusable ones met on the way are dealt with here:
   * retired or past their own idle deadline are destroyed, ones that need an async validation
   * start it (and reach a waiter through `handOff` once it passes).
   */
  private takeIdle(): Entry<T> | undefined {
    const validate = this.o.validate;
    for (;;) {
      const entry = this.lifo ? this.idle.pop() : this.idle.shift();
      if (entry === undefined) return undefined;
      if (entry.retired !== undefined) {
        this.destroyEntry(entry, entry.retired);
        continue;
      }
      if (entry.idleTimeoutMs === 0 && validate === undefined) return entry;
      const idleMs = performance.now() - entry.idleSince;
      if (entry.idleTimeoutMs > 0 && idleMs >= entry.idleTimeoutMs) {
        this.destroyEntry(entry, "evicted");
        continue;
      }
      if (validate === undefined || idleMs < this.o.validateAfterIdleMs) return entry;
      if (this.validateNow(entry, validate)) return entry;
    }
  }

  /** True if a synchronous validator passed; otherwise the entry is destroyed or validating. */
  private validateNow(entry: Entry<T>, validate: (resource: T) => unknown): boolean {
    let result: unknown;
    try {
      result = validate(entry.resource);
    } catch {
      this.failValidation(entry);
      return false;
    }
    if (!isThenable(result)) {
      if (result) return true;
      this.failValidation(entry);
      return false;
    }
    entry.state = VALIDATING;
    this.validatingCount++;
    const timeoutMs = this.o.validateTimeoutMs;
    const timedOut = () =>
      new PoolError(
        "POOL_VALIDATE_TIMEOUT",
        `${this.name}: validate did not finish within ${timeoutMs} ms`,
      );
    withTimeout(result, timeoutMs, timedOut).then(
      (ok) => this.validated(entry, Boolean(ok)),
      () => this.validated(entry, false),
    );
    return false;
  }

  private validated(entry: Entry<T>, ok: boolean): void {
    if (entry.state !== VALIDATING) return; // a forced close already destroyed it
    this.validatingCount--;
    if (!ok) return this.failValidation(entry);
    if (this.state !== OPEN) return this.destroyEntry(entry, "closed");
    if (entry.retired !== undefined) return this.destroyEntry(entry, entry.retired);
    this.handOff(entry);
    this.dispatch();
  }

  private failValidation(entry: Entry<T>): void {
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

  /** A usable resource goes straight to the oldest waiter, or to the idle list. */
  private handOff(entry: Entry<T>): void {
    if (this.pendingCount > 0) return this.serve(this.nextWaiter(), entry);
    entry.state = IDLE;
    entry.idleSince = performance.now();
    this.idle.push(entry);
  }

  private serve(waiter: Waiter<T>, entry: Entry<T>): void {
    this.pendingCount--;
    if (this.pendingCount === 0) this.clearDeadline();
    this.waits.record(performance.now() - waiter.enqueuedAt);
    waiter.resolve(this.lend(entry, waiter.stack));
  }

  /** The oldest live waiter. Only called while `pendingCount > 0`, so one exists. */
  private nextWaiter(): Waiter<T> {
    for (;;) {
      const waiter = this.waiters.shift() as Waiter<T>;
      if (!waiter.settled) return waiter;
    }
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
        while (this.pendingCount > 0) {
          const entry = this.takeIdle();
          if (entry === undefined) break;
          this.serve(this.nextWaiter(), entry);
        }
        this.ensureCreates();
      } while (this.redispatch);
    } finally {
      this.dispatching = false;
    }
  }

  // ---- waiting ------------------------------------------------------------------------------

  /**
   * One timer serves the whole queue: armed for the earliest deadline, left armed when that
   * waiter is served (it re-arms for the next when it fires), cleared when nobody waits.
   */
  private armDeadline(deadline: number): void {
    if (deadline >= this.deadlineAt) return;
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineAt = deadline;
    this.deadlineTimer = setTimeout(this.onDeadline, Math.max(0, deadline - performance.now()));
  }

  private clearDeadline(): void {
    if (this.deadlineTimer === undefined) return;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.deadlineAt = Number.POSITIVE_INFINITY;
  }

  private readonly onDeadline = (): void => {
    this.deadlineTimer = undefined;
    this.deadlineAt = Number.POSITIVE_INFINITY;
    // Timers may fire a hair early; 1 ms of slack avoids a re-arm for a sub-millisecond wait.
    const now = performance.now() + 1;
    const expired: Waiter<T>[] = [];
    let next = Number.POSITIVE_INFINITY;
    this.waiters.filter((waiter) => {
      if (waiter.settled) return false;
      if (waiter.deadline <= now) {
        expired.push(waiter);
        return false;
      }
      if (waiter.deadline < next) next = waiter.deadline;
      return true;
    });
    for (const waiter of expired) {
      const error = new PoolTimeoutError(
        this.name,
        waiter.timeoutMs,
        this.snapshot(),
        this.consecutiveCreateFailures > 0 ? this.lastCreateError : undefined,
      );
      this.pendingCount--;
      this.counters.timedOut++;
      waiter.reject(error);
    }
    if (next !== Number.POSITIVE_INFINITY) this.armDeadline(next);
  };

  private abortWaiter(waiter: Waiter<T>): void {
    if (waiter.settled) return;
    this.pendingCount--;
    this.counters.aborted++;
    waiter.reject(new PoolAbortedError(this.name, waiter.signal?.reason));
    if (this.pendingCount === 0) this.clearDeadline();
    // Aborted waiters stay in the deque until reached; compact when they dominate it.
    if (this.waiters.length > 64 && this.waiters.length > 2 * this.pendingCount) {
      this.waiters.filter((w) => !w.settled);
    }
  }

  private rejectWaiters(makeError: () => unknown): number {
    let n = 0;
    for (const waiter of this.waiters.clear()) {
      if (waiter.settled) continue;
      waiter.reject(makeError());
      n++;
    }
    this.pendingCount = 0;
    this.clearDeadline();
    return n;
  }

  private snapshot(): PoolSnapshot {
    return {
      size: this.entries.size,
      borrowed: this.borrowedCount,
      idle: this.idle.length,
      pending: this.pendingCount,
      creating: this.creates.size,
    };
  }

  // ---- creating -----------------------------------------------------------------------------

  /**
   * HikariCP's rule: create only while waiters outnumber the resources already on their way
   * (creates in flight, validations that may pass), and to keep `min`; never while backing off
   * after a failure, never beyond `max`.
   */
  private ensureCreates(): void {
    if (this.state !== OPEN || this.retryTimer !== undefined) return;
    const { max, min } = this.o;
    while (this.entries.size + this.creates.size < max) {
      const incoming = this.creates.size + this.validatingCount;
      if (this.pendingCount <= incoming && this.entries.size + this.creates.size >= min) return;
      this.startCreate();
    }
  }

  private startCreate(): void {
    const op = new CreateOp();
    this.creates.add(op);
    const timeoutMs = this.o.createTimeoutMs;
    if (timeoutMs > 0)
      op.timer = backgroundTimeout(() => this.createTimedOut(op, timeoutMs), timeoutMs);
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(this.o.create(op.controller.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    op.settled = pending.then(
      (resource) => this.created(op, resource),
      (error) => this.createFailed(op, error),
    );
  }

  private created(op: CreateOp, resource: T): void {
    if (op.timer !== undefined) clearTimeout(op.timer);
    if (this.entries.has(resource)) {
      // A factory bug; destroying it would destroy the resource another lease is using.
      if (op.done) return void this.lateCreates.delete(op);
      this.finishCreate(op);
      const error = new PoolError(
        "POOL_CREATE_FAILED",
        `${this.name}: create returned a resource already in the pool`,
      );
      return this.createFailure(error);
    }
    if (op.done) {
      // Given up on (timeout or close) while the factory ran: its slot went to someone else,
      // so it never joins the pool. Counted apart, as `discarded`, and destroyed at once.
      this.lateCreates.delete(op);
      this.counters.discarded++;
      return this.runDestroy(resource);
    }
    const entry = new Entry(resource, performance.now());
    this.counters.created++;
    this.finishCreate(op);
    this.consecutiveCreateFailures = 0;
    this.lastCreateError = undefined;
    this.entries.set(resource, entry);
    this.emit("create", resource);
    this.scheduleLifetime(entry);
    this.handOff(entry);
    this.dispatch();
  }

  private createFailed(op: CreateOp, error: unknown): void {
    if (op.timer !== undefined) clearTimeout(op.timer);
    if (op.done) {
      this.lateCreates.delete(op); // already counted when it timed out or the pool closed
      return;
    }
    this.finishCreate(op);
    this.createFailure(error);
  }

  private createTimedOut(op: CreateOp, timeoutMs: number): void {
    if (op.done) return;
    this.finishCreate(op);
    this.lateCreates.add(op);
    const error = new PoolCreateError(
      this.name,
      new Error(`create did not finish within ${timeoutMs} ms`),
      "POOL_CREATE_TIMEOUT",
    );
    op.controller.abort(error);
    this.createFailure(error);
  }

  private finishCreate(op: CreateOp): void {
    op.done = true;
    this.creates.delete(op);
  }

  private createFailure(error: unknown): void {
    this.counters.createErrors++;
    this.consecutiveCreateFailures++;
    this.lastCreateError = error;
    this.emit("createError", error);
    if (this.state !== OPEN) return;
    if (this.o.failFast && this.creates.size === 0) {
      this.counters.rejected += this.rejectWaiters(() => this.failFastError(error));
    }
    if (this.retryTimer === undefined) {
      const delay = backoffMs(
        this.consecutiveCreateFailures,
        this.o.createRetryDelayMs,
        this.o.createRetryMaxDelayMs,
      );
      this.retryTimer = backgroundTimeout(() => {
        this.retryTimer = undefined;
        this.dispatch();
      }, delay);
    }
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
    if (entry.state === IDLE) {
      this.idle.remove(entry);
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
    this.runDestroy(entry.resource);
    // A freed slot may be what a waiter or `min` needs.
    if (this.state === OPEN) this.dispatch();
    else this.checkDrained();
  }

  private runDestroy(resource: T): void {
    const destroy = this.o.destroy;
    if (destroy === undefined) return;
    let result: unknown;
    try {
      result = destroy(resource);
    } catch (error) {
      return this.destroyFailed(error, resource);
    }
    if (!isThenable(result)) return;
    const timeoutMs = this.o.destroyTimeoutMs;
    const done: Promise<void> = withTimeout(
      result,
      timeoutMs,
      () =>
        new PoolError(
          "POOL_DESTROY_TIMEOUT",
          `${this.name}: destroy did not finish within ${timeoutMs} ms`,
        ),
    ).then(
      () => {
        this.pendingDestroys.delete(done);
      },
      (error) => {
        this.pendingDestroys.delete(done);
        this.destroyFailed(error, resource);
      },
    );
    this.pendingDestroys.add(done);
  }

  private destroyFailed(error: unknown, resource: T): void {
    this.counters.destroyErrors++;
    if (this.listeners.destroyError !== undefined) this.emit("destroyError", error, resource);
    else console.warn(`@pool/core: ${this.name}: destroy failed`, error);
  }

  // ---- background ---------------------------------------------------------------------------

  private sweep(): void {
    if (this.state !== OPEN) return;
    const now = performance.now();
    const idleTimeoutMs = this.o.idleTimeoutMs;
    let excess = this.entries.size - this.o.min;
    const expired: [Entry<T>, DestroyReason][] = [];
    // The idle list runs oldest-released first, so the longest-idle go first.
    this.idle.filter((entry) => {
      const idleMs = now - entry.idleSince;
      if (entry.idleTimeoutMs > 0 && idleMs >= entry.idleTimeoutMs) {
        expired.push([entry, "evicted"]);
        excess--;
        return false;
      }
      if (idleTimeoutMs > 0 && excess > 0 && idleMs >= idleTimeoutMs) {
        expired.push([entry, "idle"]);
        excess--;
        return false;
      }
      return true;
    });
    for (const [entry, reason] of expired) this.destroyEntry(entry, reason);
    if (this.leakMs > 0) this.detectLeaks(now);
  }

  private detectLeaks(now: number): void {
    for (const entry of this.entries.values()) {
      if (entry.state !== BORROWED || entry.leakReported || now - entry.lentAt < this.leakMs)
        continue;
      entry.leakReported = true;
      this.counters.leaksDetected++;
      const report = {
        resource: entry.resource,
        heldMs: now - entry.lentAt,
        stack: entry.stack ?? "",
      };
      if (this.listeners.leak !== undefined) this.emit("leak", report);
      else
        console.warn(
          `@pool/core: ${this.name}: lease held for ${Math.round(report.heldMs)} ms, acquired at`,
          report.stack,
        );
    }
  }

  // ---- closing ------------------------------------------------------------------------------

  private async shutdown(timeoutMs: number): Promise<void> {
    this.state = CLOSING;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.sweepTimer = undefined;
    this.retryTimer = undefined;
    this.rejectWaiters(() => new PoolClosedError(this.name));
    for (const op of this.creates) {
      if (op.timer !== undefined) clearTimeout(op.timer);
      op.done = true;
      this.lateCreates.add(op);
      op.controller.abort(new PoolClosedError(this.name));
    }
    this.creates.clear();
    for (const entry of this.idle.clear()) this.destroyEntry(entry, "closed");

    const deadline = performance.now() + timeoutMs;
    if (this.borrowedCount + this.validatingCount > 0 && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      this.drained = undefined;
    }
    // Whatever is still out after the grace period is taken back and destroyed.
    for (const entry of [...this.entries.values()]) {
      if (entry.state === BORROWED) {
        entry.lease?.revoke();
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
    const remainingMs = Math.min(deadline - performance.now(), this.o.createTimeoutMs || Infinity);
    if (this.lateCreates.size > 0 && remainingMs > 0) {
      await settleWithin(
        [...this.lateCreates].map((op) => op.settled),
        remainingMs,
      );
    }
    await Promise.all([...this.pendingDestroys]);
    this.state = CLOSED;
  }

  private checkDrained(): void {
    if (this.drained !== undefined && this.borrowedCount + this.validatingCount === 0)
      this.drained();
  }
}

async function runWith<T, R>(
  lease: Lease<T>,
  fn: (resource: T, lease: Lease<T>) => R | PromiseLike<R>,
): Promise<Awaited<R>> {
  try {
    return await fn(lease.resource, lease);
  } finally {
    if (!lease.released) lease.release();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function captureStack(): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, captureStack);
  return (holder.stack ?? "").replace(/^Error\n/, "Lease acquired at:\n");
}

function checkAcquireOptions(options: AcquireOptions): PoolInvalidOptionError | undefined {
  if (typeof options !== "object" || options === null) {
    return new PoolInvalidOptionError("options", "acquire options must be an object");
  }
  const { timeoutMs, signal } = options;
  if (
    timeoutMs !== undefined &&
    !(typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs <= MAX_DELAY_MS)
  ) {
    return new PoolInvalidOptionError(
      "timeoutMs",
      `must be a number of milliseconds in (0, ${MAX_DELAY_MS}]`,
    );
  }
  // Duck-typed: signals from another realm or a polyfill are not `instanceof AbortSignal`.
  if (signal !== undefined && typeof (signal as AbortSignal)?.addEventListener !== "function") {
    return new PoolInvalidOptionError("signal", "must be an AbortSignal");
  }
  return undefined;
}

function defaultSweepInterval<T>(o: ResolvedOptions<T>): number {
  const periods = [o.idleTimeoutMs, o.leakDetectionMs].filter((ms) => ms > 0);
  if (periods.length === 0) return 0;
  return Math.min(30_000, Math.max(10, Math.min(...periods) / 2));
}

function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    Promise.allSettled(promises).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
