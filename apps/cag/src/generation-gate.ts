/**
 * Lets at most `limit` LLM generations run at once; the rest wait in FIFO order. The server's
 * LLM pool has a few connections (`LLM_CONNECTIONS`, 4) shared by every app and by the
 * embedding requests; Ollama generates `OLLAMA_NUM_PARALLEL` answers at once and keeps the
 * others waiting on their connections. Without a gate, a burst of misses holds every connection
 * and a semantic lookup's embedding (a few ms of work) waits seconds behind them. Waiting here
 * instead costs the misses nothing (Ollama would have queued them anyway).
 *
 * @example
 * ```ts
 * const gate = new GenerationGate(2);
 * const answer = await gate.run(signal, () => chat());
 * ```
 */
export class GenerationGate {
  readonly #limit: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Generations running now. */
  get running(): number {
    return this.#running;
  }

  /** Generations waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `fn` when a turn is free; rejects with `signal.reason` if it aborts while waiting. */
  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.#acquire(signal);
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  #acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#running < this.#limit && this.#waiting.length === 0) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      // The turn is handed over as it is: `running` stays counted for the woken waiter.
      const wake = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.#waiting.indexOf(wake);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(wake);
    });
  }
}
