import type { DestroyReason } from "./events.ts";
import type { Lease } from "./lease.ts";

/** Held by pool code between two places (new, just taken from idle, coming back): in no list. */
export const TRANSIT = 0;
/** In the idle list, and only then. */
export const IDLE = 1;
export const BORROWED = 2;
export const VALIDATING = 3;
export const DESTROYED = 4;
/** `idleSince` of an idle resource not yet seen by a sweep (see `Pool.handOff`). */
export const UNSTAMPED = -1;

/** The pool's record of one live resource. Internal: users only ever see a {@link Lease}. */
export class Entry<T> {
  state = TRANSIT;
  uses = 0;
  /** `performance.now()` when it went idle, or `UNSTAMPED` until a sweep first sees it idle. */
  idleSince: number;
  /** Set by `lease.setIdleTimeoutMs()`: this resource must not be lent after idling this long. */
  idleTimeoutMs = 0;
  /** Set while borrowed when it must not return to the idle list (lifetime over, evicted). */
  retired: DestroyReason | undefined = undefined;
  /** The current borrow, if any. */
  lease: Lease<T> | undefined = undefined;
  /** `performance.now()` when lent; kept only while leak detection is on. */
  lentAt = 0;
  /** The current borrower's stack; captured only while leak detection is on. */
  stack: string | undefined = undefined;
  leakReported = false;
  lifetimeTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    readonly resource: T,
    readonly createdAt: number,
  ) {
    this.idleSince = createdAt;
  }
}
