/**
 * Resolves once `promise` settles (either way) or after `ms`, whichever comes first: for waits
 * in `close()` that must end within its grace period whatever they wait for.
 */
export function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
