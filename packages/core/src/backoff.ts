/**
 * Capped exponential backoff with equal jitter: the delay before retry number `attempt`
 * (1-based) is `min(maxMs, baseMs * 2 ** (attempt - 1))`, of which a random half is taken off,
 * so clients that failed together do not retry together, yet never sooner than half the delay.
 *
 * @param attempt 1 for the first retry; smaller values count as 1.
 * @param random a source in `[0, 1)`, for tests. @default Math.random
 * @returns milliseconds, in `[capped / 2, capped]`.
 * @example
 * ```ts
 * const delay = backoffMs(failures, 100, 5_000); // 50–100, 100–200, 200–400, ... up to 2.5–5 s
 * ```
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return capped / 2 + random() * (capped / 2);
}
