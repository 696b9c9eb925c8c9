/**
 * The measured loops. The benchmark imports this module once per contender (`loops.ts?name`),
 * so each contender gets its own copy of the code and its own inline caches: call sites stay
 * monomorphic, as in an application that uses one pool library, while every contender still
 * runs in the same process, interleaved, under the same machine weather.
 */
import type { BenchPool } from "./contenders.ts";

export const WAITERS = 100;
export const POOL_SIZE = 4;

/** µs per acquire+release, one caller. */
export async function sequential(pool: BenchPool, ops: number): Promise<number> {
  const start = Bun.nanoseconds();
  for (let i = 0; i < ops; i++) pool.release(await pool.acquire());
  return (Bun.nanoseconds() - start) / ops / 1_000;
}

/** µs per acquire+release, 100 callers on a pool of 4. */
export async function contended(pool: BenchPool, ops: number): Promise<number> {
  const perWaiter = Math.ceil(ops / WAITERS);
  const worker = async () => {
    for (let i = 0; i < perWaiter; i++) pool.release(await pool.acquire());
  };
  const start = Bun.nanoseconds();
  await Promise.all(Array.from({ length: WAITERS }, worker));
  return (Bun.nanoseconds() - start) / (perWaiter * WAITERS) / 1_000;
}
