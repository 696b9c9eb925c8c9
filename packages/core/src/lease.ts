import type { Entry } from "./entry.ts";
import { PoolAlreadyReleasedError, PoolInvalidOptionError } from "./errors.ts";

const ACTIVE = 0;
const RELEASED = 1;
const REVOKED = 2;

/** Keys of the pool's side of a lease: symbols, so users cannot reach them by accident. */
export const RETURN_LEASE: unique symbol = Symbol("returnLease");
export const ENTRY: unique symbol = Symbol("entry");

/** What a lease needs from its pool; keeps {@link Lease} independent of the pool's internals. */
export interface LeaseOwner<T> {
  readonly name: string;
  [RETURN_LEASE](lease: Lease<T>, destroy: boolean): void;
}

/**
 * One borrow of a resource. Release it exactly once, or let `using` / `await using` do it.
 *
 * @example
 * ```ts
 * {
 *   await using lease = await pool.acquire();
 *   lease.resource.query("select 1");
 * } // released here, even on throw
 * ```
 */
export class Lease<T> implements Disposable, AsyncDisposable {
  /** The borrowed resource. Do not use it after `release()`. */
  readonly resource: T;
  /** @internal */
  readonly [ENTRY]: Entry<T>;
  private state = ACTIVE;
  private readonly owner: LeaseOwner<T>;

  /** @internal leases are made by the pool. */
  constructor(owner: LeaseOwner<T>, entry: Entry<T>) {
    this.owner = owner;
    this[ENTRY] = entry;
    this.resource = entry.resource;
  }

  /** True once released, destroyed, or reclaimed by a forced `close()`. */
  get released(): boolean {
    return this.state !== ACTIVE;
  }

  /**
   * Gives the resource back for reuse.
   *
   * @throws {PoolAlreadyReleasedError} when called twice (`POOL_ALREADY_RELEASED`).
   * @example
   * ```ts
   * const lease = await pool.acquire();
   * try { work(lease.resource); } finally { lease.release(); }
   * ```
   */
  release(): void {
    this.finish(false);
  }

  /**
   * Destroys the resource instead of returning it (it is broken). The pool replaces it as needed.
   *
   * @throws {PoolAlreadyReleasedError} when the lease was already released.
   * @example
   * ```ts
   * try { await lease.resource.send(x); lease.release(); } catch { lease.destroy(); }
   * ```
   */
  destroy(): void {
    this.finish(true);
  }

  /**
   * From the next release on, the resource may idle at most `ms` before it is dropped instead
   * of lent: for a server's `Keep-Alive: timeout=`. It sticks to the resource until set again
   * (`0` clears it).
   *
   * @throws {PoolAlreadyReleasedError} on a lease already released: it no longer owns the resource.
   * @example
   * ```ts
   * lease.setIdleTimeoutMs(4_000); // server said timeout=5, keep a margin
   * ```
   */
  setIdleTimeoutMs(ms: number): void {
    if (this.state !== ACTIVE) throw new PoolAlreadyReleasedError(this.owner.name);
    if (!Number.isFinite(ms) || ms < 0) {
      throw new PoolInvalidOptionError(
        "idleTimeoutMs",
        "must be a non-negative number of milliseconds",
      );
    }
    this[ENTRY].idleTimeoutMs = ms;
  }

  /** Releases unless already released: `using` on a released lease is a no-op. */
  [Symbol.dispose](): void {
    if (this.state === ACTIVE) this.finish(false);
  }

  /** Releases unless already released: `await using` on a released lease is a no-op. */
  [Symbol.asyncDispose](): Promise<void> {
    if (this.state === ACTIVE) this.finish(false);
    return Promise.resolve();
  }

  /** @internal a forced close took the resource back; later release() calls are no-ops. */
  revoke(): void {
    this.state = REVOKED;
  }

  private finish(destroy: boolean): void {
    if (this.state !== ACTIVE) {
      if (this.state === REVOKED) return;
      throw new PoolAlreadyReleasedError(this.owner.name);
    }
    this.state = RELEASED;
    this.owner[RETURN_LEASE](this, destroy);
  }
}

/** The borrower's stack, for a leak report. Only captured while leak detection is on. */
export function captureStack(): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, captureStack);
  return (holder.stack ?? "").replace(/^Error\n/, "Lease acquired at:\n");
}
