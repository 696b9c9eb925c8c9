import { type Bucket, histogramQuantile } from "./histogram-quantile.ts";
import type { MetricSample } from "./metric-reader.ts";
import { SampleWindow } from "./sample-window.ts";
import { LATENCY_WINDOW_S, type TrafficPoint } from "./snapshot-types.ts";

/** One app's running totals: requests, and the latency histogram's cumulative buckets. */
interface Totals {
  requests: number;
  buckets: Bucket[];
}

/** The app a route pattern belongs to: `/search/documents/:id` → `search`. */
function appOf(route: string | number | undefined): string | undefined {
  if (typeof route !== "string") return undefined;
  return /^\/([^/]+)/.exec(route)?.[1];
}

function le(value: string | number | undefined): number {
  return value === "+Inf" ? Number.POSITIVE_INFINITY : Number(value);
}

/**
 * Request rates and latency percentiles per mounted app, from the server's per-route request
 * metrics (`http_requests_total`, `http_request_duration_seconds`, see http-metrics.ts), summed
 * over each app's routes, methods and statuses.
 *
 * @example
 * ```ts
 * const traffic = new TrafficTracker(["search", "rag"]);
 * traffic.points(Date.now(), groupByName(await readMetrics(registry)));
 * // [{ app: "search", requestsPerS: 120, p50Ms: 2.1, p99Ms: 9.8 }, { app: "rag", ... }]
 * ```
 */
export class TrafficTracker {
  readonly #windows = new Map<string, SampleWindow<Totals>>();

  constructor(private readonly apps: readonly string[]) {
    for (const app of apps) this.#windows.set(app, new SampleWindow(LATENCY_WINDOW_S * 1000));
  }

  points(t: number, byName: Map<string, MetricSample[]>): TrafficPoint[] {
    const totals = new Map<string, Totals>(
      this.apps.map((app) => [app, { requests: 0, buckets: [] }]),
    );
    for (const s of byName.get("http_requests_total") ?? []) {
      const total = totals.get(appOf(s.labels.route) ?? "");
      if (total) total.requests += s.value;
    }
    const buckets = new Map<string, Map<number, number>>();
    for (const s of byName.get("http_request_duration_seconds_bucket") ?? []) {
      const app = appOf(s.labels.route);
      if (app === undefined || !totals.has(app)) continue;
      let byLe = buckets.get(app);
      if (!byLe) {
        byLe = new Map();
        buckets.set(app, byLe);
      }
      const bound = le(s.labels.le);
      byLe.set(bound, (byLe.get(bound) ?? 0) + s.value);
    }
    for (const [app, byLe] of buckets) {
      totals.get(app)!.buckets = [...byLe]
        .map(([bound, count]) => ({ le: bound, count }))
        .sort((a, b) => a.le - b.le);
    }
    return this.apps.map((app) => this.#point(app, t, totals.get(app)!));
  }

  #point(app: string, t: number, now: Totals): TrafficPoint {
    const window = this.#windows.get(app)!;
    window.push(t, now);
    const previous = window.previous();
    const requestsPerS =
      previous && t > previous.t
        ? Math.max(0, now.requests - previous.value.requests) / ((t - previous.t) / 1000)
        : 0;
    const then = window.since(LATENCY_WINDOW_S * 1000);
    const recent = now.buckets.map((b) => ({
      le: b.le,
      count: b.count - (then?.value.buckets.find((x) => x.le === b.le)?.count ?? 0),
    }));
    const ms = (q: number) => {
      const s = histogramQuantile(q, recent);
      return s === null ? null : s * 1000;
    };
    return { app, requestsPerS, p50Ms: ms(0.5), p99Ms: ms(0.99) };
  }
}
