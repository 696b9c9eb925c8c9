import type { ExampleApp } from "@app/kit";
import type { Registry } from "prom-client";
import { CacheTracker } from "./cache-tracker.ts";
import { groupByName, readMetrics } from "./metric-reader.ts";
import { OriginTracker } from "./origin-points.ts";
import { poolPoints, sqlitePoint } from "./pool-points.ts";
import type { DashboardSnapshot } from "./snapshot-types.ts";
import { TrafficTracker } from "./traffic-tracker.ts";

/** Apps whose request rates and latencies the dashboard plots, when mounted. */
const TRAFFIC_APPS = ["search", "rag", "cag"];

/**
 * Takes one {@link DashboardSnapshot} per call from the server's metrics registry (the mapping of
 * every pool's `stats()` that `/metrics` serves, and the per-route request metrics) and the CAG
 * app's counters; keeps what it needs of earlier calls for rates and windows.
 *
 * @example
 * ```ts
 * const builder = new SnapshotBuilder({ registry, apps: server.apps });
 * const snapshot = await builder.take(); // { t, pendingTotal, pools, origins, sqlite, traffic, cache }
 * ```
 */
export class SnapshotBuilder {
  readonly #apps: string[];
  readonly #origins = new OriginTracker();
  readonly #traffic: TrafficTracker;
  readonly #cache: CacheTracker | undefined;

  constructor(
    private readonly sources: { registry: Registry; apps: readonly ExampleApp[] },
    private readonly now: () => number = Date.now,
  ) {
    this.#apps = sources.apps.map((a) => a.name);
    this.#traffic = new TrafficTracker(TRAFFIC_APPS.filter((name) => this.#apps.includes(name)));
    const cag = sources.apps.find((a) => a.name === "cag");
    this.#cache = cag ? new CacheTracker(cag) : undefined;
  }

  async take(): Promise<DashboardSnapshot> {
    const byName = groupByName(await readMetrics(this.sources.registry));
    const t = this.now();
    const pools = poolPoints(byName);
    return {
      t,
      apps: this.#apps,
      pendingTotal: pools.reduce((sum, p) => sum + p.pending, 0),
      pools,
      origins: this.#origins.points(t, byName),
      sqlite: sqlitePoint(byName),
      traffic: this.#traffic.points(t, byName),
      cache: this.#cache?.point(t) ?? null,
    };
  }
}
