import type { DashboardSnapshot } from "./snapshot-types.ts";

/**
 * Options of {@link DashboardFeed}.
 *
 * @example
 * ```ts
 * new DashboardFeed(() => builder.take(), { intervalMs: 1_000, historyLength: 300 });
 * ```
 */
export interface DashboardFeedOptions {
  /** Time between two snapshots. [intervalMs=1000] */
  intervalMs?: number;
  /** Snapshots kept for a page that connects (the charts' "last minutes"). [historyLength=300] */
  historyLength?: number;
}

interface Subscriber {
  send(snapshot: DashboardSnapshot): void;
  end(): void;
}

/**
 * One sampler for every viewer: a snapshot each `intervalMs` (from creation, so a page opened
 * late still sees the last minutes), kept in a bounded history and handed to each subscriber.
 * `close()` stops the timer and ends every subscription, so no stream outlives the server.
 *
 * @example
 * ```ts
 * const feed = new DashboardFeed(() => builder.take());
 * const unsubscribe = feed.subscribe({ send: (s) => console.log(s.pendingTotal), end: () => {} });
 * feed.close(); // calls end() of every subscriber
 * ```
 */
export class DashboardFeed {
  readonly #history: DashboardSnapshot[] = [];
  readonly #subscribers = new Set<Subscriber>();
  readonly #historyLength: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #sampling = false;
  #closed = false;

  constructor(
    private readonly sample: () => Promise<DashboardSnapshot>,
    options: DashboardFeedOptions = {},
  ) {
    const intervalMs = options.intervalMs ?? 1_000;
    this.#historyLength = options.historyLength ?? 300;
    this.#timer = setInterval(() => void this.#tick(), intervalMs);
    // The dashboard never keeps a process alive by itself.
    this.#timer.unref?.();
    void this.#tick();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Subscribers connected now. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** The snapshots kept, oldest first (a copy). */
  history(): DashboardSnapshot[] {
    return [...this.#history];
  }

  /**
   * Calls `send` with each new snapshot until the returned function is called or the feed
   * closes (then `end` is called once). Subscribing to a closed feed ends at once.
   */
  subscribe(subscriber: Subscriber): () => void {
    if (this.#closed) {
      subscriber.end();
      return () => {};
    }
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  }

  /** Stops sampling and ends every subscription. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    for (const s of subscribers) s.end();
  }

  async #tick(): Promise<void> {
    // A slow scrape is skipped over, not stacked up.
    if (this.#sampling || this.#closed) return;
    this.#sampling = true;
    let snapshot: DashboardSnapshot;
    try {
      snapshot = await this.sample();
    } catch {
      // A pool closing under the sampler (shutdown) has no figures to give: skip the tick.
      return;
    } finally {
      this.#sampling = false;
    }
    if (this.#closed) return;
    this.#history.push(snapshot);
    if (this.#history.length > this.#historyLength) this.#history.shift();
    for (const s of this.#subscribers) s.send(snapshot);
  }
}
