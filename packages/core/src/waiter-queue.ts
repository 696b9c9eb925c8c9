import { Deque } from "./deque.ts";
import { Waiter } from "./waiter.ts";

/** How the queue turns a waiter's timeout or abort into the error it is rejected with. */
export interface WaiterQueueHooks<T> {
  timedOut(waiter: Waiter<T>): unknown;
  aborted(waiter: Waiter<T>): unknown;
}

/**
 * The FIFO of pending acquires. One timer serves the whole queue: armed for the earliest
 * deadline and left armed when that waiter is served (it re-arms for the next when it fires).
 * When nobody waits it is only unref'd, not cleared: a queue that hovers around empty would
 * otherwise pay a setTimeout and a clearTimeout per acquire (~130 ns against ~25 ns for
 * ref/unref). Settled waiters are skipped lazily, so `length` (live waiters) is kept apart from
 * the deque's size.
 */
export class WaiterQueue<T> {
  /** Live waiters. */
  length = 0;
  private readonly queue = new Deque<Waiter<T>>();
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** Whether the timer holds the process open: only while someone waits. */
  private refd = false;

  constructor(private readonly hooks: WaiterQueueHooks<T>) {}

  /** Enqueues a waiter; it settles through `shift()`, its deadline, its signal or `rejectAll()`. */
  add(
    now: number,
    timeoutMs: number,
    stack: string | undefined,
    signal: AbortSignal | undefined,
  ): Waiter<T> {
    const waiter = new Waiter<T>(now, now + timeoutMs, timeoutMs, stack, signal);
    this.queue.push(waiter);
    this.length++;
    if (signal !== undefined) {
      waiter.onAbort = () => this.abort(waiter);
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    this.arm(waiter.deadline);
    return waiter;
  }

  /** Takes the oldest live waiter, for the caller to resolve. Only while `length > 0`. */
  shift(): Waiter<T> {
    for (;;) {
      const waiter = this.queue.shift() as Waiter<T>;
      if (waiter.settled) continue;
      if (--this.length === 0) this.rest();
      return waiter;
    }
  }

  /** Rejects every live waiter; returns how many. */
  rejectAll(makeError: () => unknown): number {
    let n = 0;
    for (const waiter of this.queue.clear()) {
      if (waiter.settled) continue;
      waiter.reject(attempt(makeError));
      n++;
    }
    this.length = 0;
    this.disarm();
    return n;
  }

  private arm(deadline: number): void {
    if (deadline >= this.timerAt) {
      // A pending acquire is pending work: the (earlier) timer must hold the process again.
      if (!this.refd) {
        this.timer?.ref();
        this.refd = true;
      }
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = deadline;
    this.refd = true;
    // Ref'd: a pending acquire is pending work, like any promise the program awaits.
    this.timer = setTimeout(this.expire, Math.max(0, deadline - performance.now()));
  }

  /** Nobody waits: the timer may stay armed, but must not keep the process alive. */
  private rest(): void {
    if (this.timer === undefined || !this.refd) return;
    this.timer.unref();
    this.refd = false;
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.refd = false;
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.refd = false;
    // Timers may fire a hair early; 1 ms of slack avoids a re-arm for a sub-millisecond wait.
    const now = performance.now() + 1;
    const expired: Waiter<T>[] = [];
    let next = Number.POSITIVE_INFINITY;
    this.queue.filter((waiter) => {
      if (waiter.settled) return false;
      if (waiter.deadline <= now) {
        expired.push(waiter);
        return false;
      }
      if (waiter.deadline < next) next = waiter.deadline;
      return true;
    });
    for (const waiter of expired) {
      // The error is made while the waiter still counts, so its snapshot includes it.
      const error = attempt(() => this.hooks.timedOut(waiter));
      this.length--;
      waiter.reject(error);
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  };

  private abort(waiter: Waiter<T>): void {
    if (waiter.settled) return;
    const error = attempt(() => this.hooks.aborted(waiter));
    this.length--;
    waiter.reject(error);
    if (this.length === 0) this.rest();
    // Aborted waiters stay in the deque until reached; compact when they dominate it.
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
