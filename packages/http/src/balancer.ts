import { HttpNoHealthyOriginError } from "./errors.ts";
import type { OriginTransport } from "./origin-transport.ts";

/**
 * An origin as the balancer tracks it.
 */
export interface Upstream {
  readonly transport: OriginTransport;
  healthy: boolean;
  /** Consecutive connection failures since the last success. */
  failures: number;
  /** Sequence number of the last time it was picked: ties go to the least recently picked. */
  lastPick: number;
}

/**
 * Chooses an upstream for a request given as a path: the healthy one with the fewest requests
 * holding or waiting for a connection; ties go to the least recently picked, so equal upstreams
 * take turns.
 * Health itself is decided by the caller (`markFailure`, `markSuccess`) and the prober.
 *
 * @example
 * ```ts
 * const upstream = balancer.pick();
 * ```
 */
export class Balancer {
  private picks = 0;
  private readonly byOrigin = new Map<string, Upstream>();

  constructor(
    readonly upstreams: readonly Upstream[],
    private readonly unhealthyAfter: number,
    /** Called when an upstream goes down, to start probing it. */
    private readonly onDown: (upstream: Upstream) => void,
    /** Whether failures take upstreams out of rotation (only when balancing several). */
    private readonly tracksHealth: boolean,
  ) {
    for (const u of upstreams) this.byOrigin.set(u.transport.origin, u);
  }

  get(origin: string): Upstream | undefined {
    return this.byOrigin.get(origin);
  }

  /**
   * @param exclude upstreams already tried by this request.
   * @throws {HttpNoHealthyOriginError} when every upstream is down.
   */
  pick(exclude?: ReadonlySet<Upstream>): Upstream {
    const list = this.upstreams;
    if (list.length === 1) {
      const only = list[0]!;
      if (!only.healthy) throw new HttpNoHealthyOriginError(list.map((u) => u.transport.origin));
      return only;
    }
    let best: Upstream | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const u of list) {
      if (!u.healthy || exclude?.has(u)) continue;
      const load = u.transport.load();
      if (load < bestLoad || (load === bestLoad && u.lastPick < best!.lastPick)) {
        best = u;
        bestLoad = load;
      }
    }
    if (best === undefined) throw new HttpNoHealthyOriginError(list.map((u) => u.transport.origin));
    best.lastPick = ++this.picks;
    return best;
  }

  /** True if another healthy upstream is left to try after `tried`. */
  hasAlternative(tried: ReadonlySet<Upstream>): boolean {
    return this.upstreams.some((u) => u.healthy && !tried.has(u));
  }

  markSuccess(u: Upstream): void {
    u.failures = 0;
  }

  markFailure(u: Upstream): void {
    if (!this.tracksHealth) return;
    u.failures++;
    if (u.healthy && u.failures >= this.unhealthyAfter) {
      u.healthy = false;
      this.onDown(u);
    }
  }
}
