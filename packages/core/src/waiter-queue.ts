import { DeadlineList } from "./deadline-list.ts";
import { Deque } from "./deque.ts";
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
 */
export class WaiterQueue<T> {
  /** Live waiters. */
  length = 0;
  private readonly queue = new Deque<Waiter<T>>();
  private readonly deadlines = new DeadlineList<Waiter<T>>((waiter) => this.expire(waiter));

  constructor(private readonly hooks: WaiterQueueHooks<T>) {}

  /** Enqueues a waiter; it settles through `shift()`, its deadline, its signal or `rejectAll()`. */
  add(
    now: number,
    timeoutMs: number,
    stack: string | undefined,
    signal: AbortSignal | undefined,
  ): Waiter<T> {
    const waiter = new Waiter<T>(now, timeoutMs, stack, signal);
    this.queue.push(waiter);
    this.length++;
    if (signal !== undefined) {
      waiter.onAbort = () => this.abort(waiter);
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    this.deadlines.add(waiter, now + timeoutMs, now);
    return waiter;
  }

  /** Takes the oldest live waiter, for the caller to resolve. Only while `length > 0`. */
  shift(): Waiter<T> {
    for (;;) {
      const waiter = this.queue.shift() as Waiter<T>;
      if (waiter.settled) continue;
      this.length--;
      this.deadlines.remove(waiter);
      return waiter;
    }
  }

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
