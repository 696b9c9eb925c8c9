/**
 * Counts calls that may outlive the tick they started in, so `close()` can wait for them
 * without keeping a list of promises.
 */
export class Inflight {
  private count = 0;
  private idle: (() => void) | undefined = undefined;

  /** Counts `promise` until it settles; returns it unchanged. */
  track<R>(promise: Promise<R>): Promise<R> {
    this.count++;
    promise.then(this.done, this.done);
    return promise;
  }

  /** Resolves once nothing is in flight, or after `timeoutMs`, whichever comes first. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.count === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.idle = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    this.idle = undefined;
  }

  private readonly done = (): void => {
    if (--this.count === 0) this.idle?.();
  };
}
