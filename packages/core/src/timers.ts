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
