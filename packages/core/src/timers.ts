type Timer = ReturnType<typeof setTimeout>;

/** A timer that does not keep the process alive: for background work nobody is waiting on. */
export function backgroundTimeout(fn: () => void, ms: number): Timer {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return timer;
}

/** An interval that does not keep the process alive. */
export function backgroundInterval(fn: () => void, ms: number): ReturnType<typeof setInterval> {
  const timer = setInterval(fn, ms);
  timer.unref?.();
  return timer;
}

/** Capped exponential backoff with equal jitter: between half and all of the capped delay. */
export function backoffMs(failures: number, baseMs: number, maxMs: number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return capped / 2 + Math.random() * (capped / 2);
}

/**
 * Settles with `promise`, or rejects with `onTimeout()` after `ms` (never, when `ms` is 0).
 * The timer is background: an abandoned operation must not keep the process alive.
 */
export function withTimeout<R>(
  promise: PromiseLike<R>,
  ms: number,
  onTimeout: () => unknown,
): Promise<R> {
  if (ms <= 0) return Promise.resolve(promise);
  return new Promise<R>((resolve, reject) => {
    const timer = backgroundTimeout(() => reject(onTimeout()), ms);
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
