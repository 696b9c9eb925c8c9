import { MAX_DELAY_MS } from "./option-checks.ts";

const ignore = (): void => {};

/**
 * Waits for `promise` to settle, but no longer than `ms`: resolves at whichever comes first,
 * never rejects (the outcome is not its business) and clears its timer either way. For waits in
 * `close()` that must end within a grace period whatever they wait for. `ms <= 0` resolves at
 * once; `Infinity` waits for the promise alone. The timer holds the process open, like the
 * caller's own await.
 *
 * @example
 * ```ts
 * await within(Promise.allSettled(destroys), 5_000); // then move on, finished or not
 * ```
 */
export function within(promise: PromiseLike<unknown>, ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  const settled = Promise.resolve(promise).then(ignore, ignore);
  if (ms === Number.POSITIVE_INFINITY) return settled;
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.min(ms, MAX_DELAY_MS));
    settled.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
