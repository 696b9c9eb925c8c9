/**
 * The last few timed values of something cumulative (counters, histogram buckets), to turn
 * running totals into rates and windowed figures.
 *
 * @example
 * ```ts
 * const w = new SampleWindow<number>(5_000);
 * w.push(0, 10);
 * w.push(1_000, 25);
 * const then = w.since(5_000); // { t: 0, value: 10 }: (25 - 10) / 1 s = 15/s
 * ```
 */
export class SampleWindow<T> {
  readonly #entries: Array<{ t: number; value: T }> = [];

  /** @param maxAgeMs how far back {@link since} may need to look. */
  constructor(private readonly maxAgeMs: number) {}

  push(t: number, value: T): void {
    this.#entries.push({ t, value });
    // Keep one entry at or past the window's start, so a full window always has its left edge.
    while (this.#entries.length > 2 && t - this.#entries[1]!.t >= this.maxAgeMs) {
      this.#entries.shift();
    }
  }

  /** The entry before the newest: what "since the previous snapshot" compares with. */
  previous(): { t: number; value: T } | undefined {
    return this.#entries.at(-2);
  }

  /** The newest entry at least `ageMs` older than the newest one, else the oldest kept. */
  since(ageMs: number): { t: number; value: T } | undefined {
    const newest = this.#entries.at(-1);
    if (!newest || this.#entries.length < 2) return undefined;
    for (let i = this.#entries.length - 2; i >= 0; i--) {
      const entry = this.#entries[i]!;
      if (newest.t - entry.t >= ageMs) return entry;
    }
    return this.#entries[0];
  }
}
