import { DeadlineList } from "./deadline-list.ts";
import { Deque } from "./deque.ts";
import type { Histogram } from "./histogram.ts";
import { Waiter } from "./waiter.ts";

/** How the queue turns a waiter's timeout or abort into the error it is rejected with. */
export interface WaiterQueueHooks<T> {
  timedOut(waiter: Waiter<T>): unknown;
  aborted(waiter: Waiter<T>): unknown;
}

/**
 * The FIFO of pending acquires. Their deadlines share one lazy timer (a {@link DeadlineList}):
 * serving a waiter unlists it without touching the timer, and when nobody waits the timer is
 * only unref'd, not cleared, so a queue that hovers around empty does not pay a setTimeout and
 * a clearTimeout per acquire. Settled waiters are skipped lazily, so `length` (live waiters) is
 * kept apart from the deque's size.
 *
 * The clock is read once per batch, not per waiter: a clock read costs as much as the rest of a
 * contended hand-off. Waiters enqueued and served during one run of synchronous code and the
 * microtasks queued before its end are stamped, and their waits recorded, by one reading at the
 * end of that run (a microtask, or `flush()`). So an enqueue time is never early, only late by
 * the rest of the run: a deadline can be late by that much (the run blocks every timer anyway)
 * but never early, and a wait is what the caller saw, whose code resumes after the run.
 */
export class WaiterQueue<T> {
  /** Live waiters. */
  length = 0;
  private readonly queue = new Deque<Waiter<T>>();
  private readonly deadlines = new DeadlineList<Waiter<T>>((waiter) => this.expire(waiter));
  /** Enqueued since the clock was last read: stamped and given their deadlines at `flush()`. */
  private readonly unstamped: Waiter<T>[] = [];
  /** Served since the clock was last read: their waits are recorded at `flush()`. */
  private readonly served: Waiter<T>[] = [];
  private flushQueued = false;

  constructor(
    private readonly hooks: WaiterQueueHooks<T>,
    private readonly waits: Histogram,
  ) {}

  /** Enqueues a waiter; it settles through `shift()`, its deadline, its signal or `rejectAll()`. */
  add(timeoutMs: number, stack: string | undefined, signal: AbortSignal | undefined): Waiter<T> {
    const waiter = new Waiter<T>(timeoutMs, stack, signal);
    this.queue.push(waiter);
    this.length++;
    if (signal !== undefined) {
      waiter.onAbort = () => this.abort(waiter);
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    this.unstamped.push(waiter);
    if (!this.flushQueued) this.queueFlush();
    return waiter;
  }

  /** Takes the oldest live waiter, for the caller to resolve. Only while `length > 0`. */
  shift(): Waiter<T> {
    for (;;) {
      const waiter = this.queue.shift() as Waiter<T>;
      if (waiter.settled) continue;
      this.length--;
      this.deadlines.remove(waiter);
      this.served.push(waiter);
      if (!this.flushQueued) this.queueFlush();
      return waiter;
    }
  }

  /**
   * Reads the clock: stamps the waiters enqueued since the last reading (and lists their
   * deadlines), and records the waits of those served since. Runs by itself at the end of each
   * batch; `stats()` calls it so its figures are current.
   */
  flush(): void {
    const { unstamped, served } = this;
    if (unstamped.length === 0 && served.length === 0) return;
    const now = performance.now();
    for (let i = 0; i < unstamped.length; i++) {
      const waiter = unstamped[i] as Waiter<T>;
      waiter.enqueuedAt = now;
      if (!waiter.settled) this.deadlines.add(waiter, now + waiter.timeoutMs, now);
    }
    unstamped.length = 0;
    for (let i = 0; i < served.length; i++) {
      this.waits.record(now - (served[i] as Waiter<T>).enqueuedAt);
    }
    served.length = 0;
  }

  private queueFlush(): void {
    this.flushQueued = true;
    queueMicrotask(this.flushLater);
  }

  private readonly flushLater = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  /** Rejects every live waiter; returns how many. */
  rejectAll(makeError: () => unknown): number {
    this.deadlines.clear();
    let n = 0;
    for (const waiter of this.queue.clear()) {
      if (waiter.settled) continue;
      waiter.reject(attempt(makeError));
      n++;
    }
    this.length = 0;
    return n;
  }

  private expire(waiter: Waiter<T>): void {
    // The error is made while the waiter still counts, so its snapshot includes it.
    const error = attempt(() => this.hooks.timedOut(waiter));
    this.length--;
    waiter.reject(error);
    this.compact();
  }

  private abort(waiter: Waiter<T>): void {
    if (waiter.settled) return;
    const error = attempt(() => this.hooks.aborted(waiter));
    this.length--;
    this.deadlines.remove(waiter);
    waiter.reject(error);
    this.compact();
  }

  /** Settled waiters stay in the deque until reached; drop them when they dominate it. */
  private compact(): void {
    if (this.queue.length > 64 && this.queue.length > 2 * this.length) {
      this.queue.filter((w) => !w.settled);
    }
  }
}

/** Makes an error; if making it throws, that is the error. A waiter must settle either way. */
function attempt(makeError: () => unknown): unknown {
  try {
    return makeError();
  } catch (error) {
    return error;
  }
}
