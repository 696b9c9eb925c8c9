/**
 * One LLM generation that several requests share: the first asker starts it, askers of the same
 * question that arrive while it runs join it instead of calling the LLM again. Each member gets
 * the pieces produced so far, then the live ones, and the outcome. A member that leaves (its
 * signal aborts) stops waiting at once; when the last member leaves before the end, the
 * generation itself is aborted, so a request nobody waits for does not keep the LLM busy.
 *
 * @example
 * ```ts
 * const generation = new SharedGeneration((signal, emit) => chat({ signal, onToken: emit }));
 * const mine = generation.join(request.signal, (text) => send(text));
 * const theirs = generation.join(other.signal); // same outcome, one LLM call
 * ```
 */
export class SharedGeneration<T> {
  /** Settles with the generation, whoever still waits; never rejects unhandled. */
  readonly done: Promise<T>;
  readonly #pieces: string[] = [];
  readonly #listeners = new Set<(text: string) => void>();
  readonly #controller = new AbortController();
  #members = 0;
  #settled = false;

  constructor(run: (signal: AbortSignal, emit: (text: string) => void) => Promise<T>) {
    const emit = (text: string) => {
      this.#pieces.push(text);
      for (const listener of this.#listeners) listener(text);
    };
    this.done = Promise.resolve()
      .then(() => run(this.#controller.signal, emit))
      .finally(() => {
        this.#settled = true;
        this.#listeners.clear();
      });
    this.done.catch(() => {});
  }

  /** Members waiting now. */
  get members(): number {
    return this.#members;
  }

  /** Whether it was aborted because every member left. */
  get abandoned(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Aborts the generation whatever its members (the app is closing); they get `reason`. */
  abort(reason: unknown): void {
    if (!this.#settled) this.#controller.abort(reason);
  }

  /**
   * Waits for the outcome; `onPiece` first receives every piece produced so far, then each new
   * one. Rejects with `signal.reason` when `signal` aborts first (this member leaves), or with
   * the generation's error.
   */
  join(signal?: AbortSignal, onPiece?: (text: string) => void): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (onPiece) {
      for (const piece of this.#pieces) onPiece(piece);
      if (!this.#settled) this.#listeners.add(onPiece);
    }
    this.#members++;
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        this.#members--;
        if (onPiece) this.#listeners.delete(onPiece);
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        leave();
        if (this.#members === 0 && !this.#settled) {
          this.#controller.abort(new DOMException("every asker left", "AbortError"));
        }
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.done.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error) => {
          leave();
          reject(error);
        },
      );
    });
  }
}
