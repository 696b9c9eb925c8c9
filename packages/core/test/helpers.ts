/** Test helpers shared by @pool/core's suites. */
import { afterEach } from "bun:test";
import type { PoolOptions } from "../src/options.ts";
import { Pool } from "../src/pool.ts";

export interface Resource {
  id: number;
  alive: boolean;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A factory that records what it made and destroyed. `createImpl` decides how each create
 * behaves (default: resolve at once), so a test can make creates slow, failing or hanging.
 */
export function factory(
  createImpl?: (n: number, signal: AbortSignal) => Promise<Resource> | Resource,
) {
  let next = 0;
  const made: Resource[] = [];
  const destroyed: Resource[] = [];
  const signals: AbortSignal[] = [];
  return {
    made,
    destroyed,
    signals,
    get live(): number {
      return made.length - destroyed.length;
    },
    create: async (signal: AbortSignal): Promise<Resource> => {
      const n = next++;
      signals.push(signal);
      const resource = createImpl ? await createImpl(n, signal) : { id: n, alive: true };
      made.push(resource);
      return resource;
    },
    destroy: (resource: Resource): void => {
      resource.alive = false;
      destroyed.push(resource);
    },
  };
}

/** Resolves when `predicate` holds, polling; fails loudly instead of hanging. */
export async function until(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > timeoutMs)
      throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(2);
  }
}

/** Settles a promise into a value or an error, for asserting on rejections by class and code. */
export async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/**
 * Returns a `makePool` for a test file: every pool it makes is force-closed after each test, so
 * no test leaks timers or resources into the next.
 */
export function pools(): (
  options: Partial<PoolOptions<Resource>> & Pick<PoolOptions<Resource>, "create">,
) => Pool<Resource> {
  const open: Pool<Resource>[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close({ timeoutMs: 0 })));
  });
  return (options) => {
    const pool = new Pool<Resource>(options);
    open.push(pool);
    return pool;
  };
}
