import type { Lease, Pool } from "@pool/core";
import type { Connection } from "./connection.ts";

/**
 * Keeps one reader borrowed for synchronous reads on the main thread. Such reads cannot
 * overlap, so one connection serves them all; borrowing and returning it per statement would
 * cost more than the whole budget of a primary-key lookup. The connection goes back to the pool
 * after `holdMs`, whenever a read has to wait for a reader, and on close, so validation,
 * lifetime and draining still apply to it.
 */
export class PinnedReader {
  private lease: Lease<Connection> | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    private readonly pool: Pool<Connection>,
    private readonly holdMs: number,
  ) {}

  /** The pinned connection, pinning an idle one if needed; undefined when none is idle. */
  connection(): Connection | undefined {
    return this.lease === undefined ? this.pin() : this.lease.resource;
  }

  /**
   * Hands the pinned lease over to a caller that must hold the connection across awaits (an
   * async `read(fn)`): it is the caller's to give back from now on. A later synchronous read
   * pins another idle reader.
   */
  takeLease(): Lease<Connection> | undefined {
    const lease = this.lease;
    this.forget();
    return lease;
  }

  /** True while a connection is pinned. */
  get pinned(): boolean {
    return this.lease !== undefined;
  }

  /** Gives the connection back to the pool (a no-op when none is pinned). */
  unpin(): void {
    const lease = this.lease;
    if (lease === undefined) return;
    this.forget();
    if (!lease.released) lease.release();
  }

  private forget(): void {
    this.lease = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pin(): Connection | undefined {
    const lease = this.pool.tryAcquire();
    if (lease === undefined) return undefined;
    this.lease = lease;
    this.timer = setTimeout(() => this.unpin(), this.holdMs);
    this.timer.unref?.();
    return lease.resource;
  }
}
