import type { Lease } from "./lease.ts";
import { isThenable } from "./thenable.ts";

/**
 * Runs `fn` on a lease and releases it however `fn` ends (unless `fn` released or destroyed it
 * itself). A synchronous result is released and returned without an extra async hop:
 * `pool.use()` around a 1 µs SQLite lookup should cost little more than the lookup.
 */
export function runWith<T, R>(
  lease: Lease<T>,
  fn: (resource: T, lease: Lease<T>) => R | PromiseLike<R>,
): Promise<Awaited<R>> {
  let result: R | PromiseLike<R>;
  try {
    result = fn(lease.resource, lease);
  } catch (error) {
    if (!lease.released) lease.release();
    return Promise.reject(error);
  }
  if (!isThenable(result)) {
    if (!lease.released) lease.release();
    return Promise.resolve(result as Awaited<R>);
  }
  return Promise.resolve(result).then(
    (value) => {
      if (!lease.released) lease.release();
      return value as Awaited<R>;
    },
    (error: unknown) => {
      if (!lease.released) lease.release();
      throw error;
    },
  );
}
