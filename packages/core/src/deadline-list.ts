type Timer = ReturnType<typeof setTimeout>;

/**
 * Something a {@link DeadlineList} can time out. The fields are the list's bookkeeping: give
 * them `undefined`/`0` initial values and let the list set them.
 *
 * @example
 * ```ts
 * class Call implements DeadlineEntry {
 *   deadline = 0;
 *   prev: DeadlineEntry | undefined = undefined;
 *   next: DeadlineEntry | undefined = undefined;
 *   owner: object | undefined = undefined;
 * }
 * ```
 */
export interface DeadlineEntry {
  /** `performance.now()` at which it expires, while listed. */
  deadline: number;
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  /** The {@link DeadlineList} it is in, if any. */
  owner: object | undefined;
}

/**
 * Options of a {@link DeadlineList}.
 *
 * @example
 * ```ts
 * // A busy socket keeps the process alive already: its body deadline need not.
 * const bodies = new DeadlineList<Exchange>((x) => x.timeOut(), { keepAlive: false });
 * ```
 */
export interface DeadlineListOptions {
  /**
   * Whether the timer holds the process open while anything is listed, as a pending timeout of
   * each entry would. Off for deadlines of work that something else already keeps alive (a busy
   * socket). @default true
   */
  keepAlive?: boolean;
}

/**
 * Many deadlines, one timer. Entries are kept in deadline order in a linked list; adding one
 * scans from the back, so deadlines that arrive in order (a fixed timeout per list: the usual
 * case) cost O(1), and removing is O(1). The timer is armed for the earliest deadline and is
 * lazy: removing the entry it was armed for, or pushing a deadline later (a body timeout
 * refreshed per chunk), leaves it alone, and when it fires early it re-arms for what is due
 * next. So a request costs a clock read instead of a setTimeout and a clearTimeout. When the
 * list empties the timer stays armed but stops holding the process open.
 *
 * `onExpire(entry)` runs once per entry whose deadline passed (within 1 ms: timers fire a hair
 * early), after the entry was removed; it may add and remove entries, this list's included.
 *
 * @example
 * ```ts
 * const headers = new DeadlineList<Call>((call) => call.abort(new Error("headers timeout")));
 * headers.add(call, performance.now() + 30_000);
 * headers.remove(call); // the response head arrived
 * ```
 */
export class DeadlineList<T extends DeadlineEntry> {
  private head: T | undefined = undefined;
  private tail: T | undefined = undefined;
  private count = 0;
  private timer: Timer | undefined = undefined;
  /** When the armed timer fires; it is never later than the head's deadline. */
  private timerAt = Number.POSITIVE_INFINITY;
  private refd = false;
  private readonly keepAlive: boolean;

  constructor(
    private readonly onExpire: (entry: T) => void,
    options: DeadlineListOptions = {},
  ) {
    this.keepAlive = options.keepAlive !== false;
  }

  /** Entries listed. */
  get size(): number {
    return this.count;
  }

  /**
   * Lists `entry` (moving it, if it was listed here or elsewhere) to expire at `deadline`.
   *
   * @param now `performance.now()`, when the caller has just read it; saves a clock read if the
   *   timer has to be armed.
   */
  add(entry: T, deadline: number, now?: number): void {
    if (entry.owner !== undefined) (entry.owner as DeadlineList<T>).remove(entry);
    entry.deadline = deadline;
    entry.owner = this;
    let after = this.tail;
    while (after !== undefined && after.deadline > deadline) after = after.prev as T | undefined;
    entry.prev = after;
    entry.next = after === undefined ? this.head : after.next;
    if (entry.next === undefined) this.tail = entry;
    else entry.next.prev = entry;
    if (after === undefined) this.head = entry;
    else after.next = entry;
    this.count++;
    if (deadline < this.timerAt) this.arm(deadline, now ?? performance.now());
    else if (this.keepAlive && !this.refd) {
      this.timer?.ref();
      this.refd = true;
    }
  }

  /** Unlists `entry` without expiring it; nothing if it is not in this list. */
  remove(entry: T): void {
    if (entry.owner !== this) return;
    const { prev, next } = entry;
    if (prev === undefined) this.head = next as T | undefined;
    else prev.next = next;
    if (next === undefined) this.tail = prev as T | undefined;
    else next.prev = prev;
    entry.prev = undefined;
    entry.next = undefined;
    entry.owner = undefined;
    if (--this.count === 0 && this.refd) {
      this.timer?.unref();
      this.refd = false;
    }
  }

  /** Forgets every entry without expiring it, and stops the timer. */
  clear(): void {
    while (this.head !== undefined) this.remove(this.head);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.refd = false;
  }

  private arm(at: number, now: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, at - now));
    this.refd = this.keepAlive;
    if (!this.keepAlive) this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.refd = false;
    // Timers may fire a hair early; 1 ms of slack avoids a re-arm for a sub-millisecond wait.
    const now = performance.now() + 1;
    try {
      for (let entry = this.head; entry !== undefined && entry.deadline <= now; entry = this.head) {
        this.remove(entry);
        this.onExpire(entry);
      }
    } finally {
      const next = this.head;
      if (next !== undefined && next.deadline < this.timerAt) {
        this.arm(next.deadline, performance.now());
      }
    }
  };
}
