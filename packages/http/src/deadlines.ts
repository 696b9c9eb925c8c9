/**
 * Something a {@link Deadlines} list can time out. The links are the list's own bookkeeping.
 *
 * @example
 * ```ts
 * class Call implements Timed {
 *   deadline = 0; prev: Timed | undefined; next: Timed | undefined; owner: Deadlines | undefined;
 *   expire() { controller.abort(new Error("too slow")); }
 * }
 * ```
 */
export interface Timed {
  /** `performance.now()` at which it expires, while listed. */
  deadline: number;
  prev: Timed | undefined;
  next: Timed | undefined;
  /** The list it is in, if any. */
  owner: Deadlines | undefined;
  /** Called once when its deadline passes; it has been removed from the list already. */
  expire(): void;
}

/**
 * Deadlines that all lie the same `ms` after they were set, so a list in insertion order is
 * also in deadline order: adding, refreshing and removing are O(1), and one timer, armed for
 * the oldest entry, serves them all. That replaces a setTimeout and a clearTimeout per request
 * (and per body chunk) with a clock read. The timer keeps the process alive while anything is
 * listed, as a pending timeout of each request would.
 *
 * @example
 * ```ts
 * const headers = new Deadlines(30_000);
 * headers.add(call, performance.now()); // call.expire() in 30 s unless removed first
 * headers.remove(call);
 * ```
 */
export class Deadlines {
  private head: Timed | undefined = undefined;
  private tail: Timed | undefined = undefined;
  /** Armed for no later than the oldest entry's deadline: entries only ever join at the back. */
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private refd = false;

  /** @param ms how long after being added each entry expires; must be above 0. */
  constructor(readonly ms: number) {}

  /** Lists `item` (again, at the back, if it was listed) to expire `ms` after `now`. */
  add(item: Timed, now: number): void {
    if (item.owner !== undefined) item.owner.remove(item);
    item.deadline = now + this.ms;
    item.owner = this;
    item.prev = this.tail;
    item.next = undefined;
    if (this.tail === undefined) this.head = item;
    else this.tail.next = item;
    this.tail = item;
    if (this.timer === undefined) this.arm(this.ms);
    else if (!this.refd) {
      this.timer.ref();
      this.refd = true;
    }
  }

  /** Unlists `item`; nothing if it is not in this list. */
  remove(item: Timed): void {
    if (item.owner !== this) return;
    const { prev, next } = item;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    item.prev = undefined;
    item.next = undefined;
    item.owner = undefined;
    // The timer stays armed (it re-arms itself when it fires early); it just stops holding the
    // process open once nothing is listed.
    if (this.head === undefined && this.refd) {
      this.timer?.unref();
      this.refd = false;
    }
  }

  /** Stops the timer and forgets every entry without expiring them. */
  clear(): void {
    while (this.head !== undefined) this.remove(this.head);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.onTimer, Math.max(0, ms));
    this.refd = true;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    // Timers may fire a hair early; 1 ms of slack avoids a re-arm for nothing.
    const now = performance.now() + 1;
    try {
      for (let item = this.head; item !== undefined && item.deadline <= now; item = this.head) {
        this.remove(item);
        item.expire();
      }
    } finally {
      const next = this.head;
      if (next !== undefined && this.timer === undefined) {
        this.arm(next.deadline - performance.now());
      }
    }
  };
}
