import type { DashboardSnapshot, PoolPoint } from "../snapshot-types.ts";
import { CACHE_WINDOW_S, LATENCY_WINDOW_S } from "../snapshot-types.ts";

/** One line of a chart: its legend label and how to read it from a snapshot. */
export interface SeriesSpec {
  label: string;
  value: (s: DashboardSnapshot) => number | null;
}

/** One chart: what it shows, in which unit, and its lines. */
export interface ChartSpec {
  /** Stable across snapshots; also the chart's `data-chart` attribute. */
  id: string;
  title: string;
  /** The y axis label: the unit, short (the title says what is counted). */
  axis: string;
  /** The unit after each current value ("", "ms", "/s", "%"). */
  unit: string;
  series: SeriesSpec[];
  /** A fixed y range (percentages); otherwise from 0 to at least `minYMax`. */
  yRange?: [number, number];
  minYMax?: number;
  /** A log10 y axis, for figures that span decades (latencies from 1 ms to 10 s). */
  log?: boolean;
}

/** A titled group of charts. */
export interface SectionSpec {
  id: string;
  title: string;
  charts: ChartSpec[];
}

const pool = (s: DashboardSnapshot, id: string): PoolPoint | undefined =>
  s.pools.find((p) => p.id === id);

function poolCharts(p: PoolPoint): ChartSpec[] {
  const isHttp = p.id.includes(" ");
  const noun = isHttp ? "connections" : "resources";
  return [
    {
      id: `pool:${p.id}`,
      title: `${p.label}: ${noun} and waiters`,
      axis: "count",
      unit: "",
      minYMax: 2,
      series: (["size", "idle", "borrowed", "pending"] as const).map((field) => ({
        label: field === "borrowed" && isHttp ? "borrowed (in flight)" : field,
        value: (s) => pool(s, p.id)?.[field] ?? null,
      })),
    },
    {
      id: `wait:${p.id}`,
      title: `${p.label}: acquire wait since start-up`,
      axis: "ms",
      unit: "ms",
      minYMax: 1,
      series: [
        { label: "p50", value: (s) => pool(s, p.id)?.waitP50Ms ?? null },
        { label: "p99", value: (s) => pool(s, p.id)?.waitP99Ms ?? null },
      ],
    },
  ];
}

/**
 * The dashboard's sections for what a snapshot contains: request traffic of the mounted apps,
 * every pool (LLM first, then SQLite), the LLM's connections per origin, the SQLite writer queue
 * and off-thread readers, and the CAG cache when CAG is mounted.
 *
 * @example
 * ```ts
 * for (const section of layoutOf(snapshot)) console.log(section.title, section.charts.length);
 * ```
 */
export function layoutOf(latest: DashboardSnapshot): SectionSpec[] {
  const sections: SectionSpec[] = [];
  if (latest.traffic.length > 0) {
    const apps = latest.traffic.map((t) => t.app);
    const traffic = (s: DashboardSnapshot, app: string) => s.traffic.find((t) => t.app === app);
    sections.push({
      id: "requests",
      title: `Requests: ${apps.map((a) => `/${a}`).join(", ")}`,
      charts: [
        {
          id: "requests:rate",
          title: "Requests answered per second, by app",
          axis: "requests / s",
          unit: "/s",
          minYMax: 1,
          series: apps.map((app) => ({
            label: `/${app}`,
            value: (s) => traffic(s, app)?.requestsPerS ?? null,
          })),
        },
        {
          id: "requests:latency",
          title: `Latency to the response head, last ${LATENCY_WINDOW_S} s`,
          axis: "ms (log scale)",
          log: true,
          unit: "ms",
          minYMax: 1,
          series: apps.flatMap((app) => [
            { label: `/${app} p50`, value: (s) => traffic(s, app)?.p50Ms ?? null },
            { label: `/${app} p99`, value: (s) => traffic(s, app)?.p99Ms ?? null },
          ]),
        },
      ],
    });
  }
  const llmPools = latest.pools.filter((p) => p.id.startsWith("llm"));
  const llm: ChartSpec[] = llmPools.flatMap(poolCharts);
  for (const o of latest.origins) {
    const origin = (s: DashboardSnapshot) => s.origins.find((x) => x.origin === o.origin);
    // In flight and queued are the pool chart's borrowed and pending: not drawn twice.
    llm.push({
      id: `sockets:${o.origin}`,
      title: `Sockets to ${o.origin}: opened vs reused`,
      axis: "per second",
      unit: "/s",
      minYMax: 1,
      series: [
        { label: "opened", value: (s) => origin(s)?.openedPerS ?? null },
        { label: "requests on a reused socket", value: (s) => origin(s)?.reusedPerS ?? null },
      ],
    });
  }
  if (llm.length > 0) sections.push({ id: "llm", title: "LLM: one HttpPool", charts: llm });

  // Each pool's two charts side by side, then the queues.
  const sqlite: ChartSpec[] = [
    ...latest.pools.filter((p) => p.id.startsWith("sqlite")).flatMap(poolCharts),
    {
      id: "sqlite:queues",
      title:
        latest.sqlite.workers > 0
          ? "SQLite writer queue and off-thread readers"
          : "SQLite writer queue (no off-thread readers: SQLITE_WORKERS=0)",
      axis: "count",
      unit: "",
      minYMax: 2,
      series: [
        { label: "writes queued", value: (s) => s.sqlite.writerPending },
        { label: "off-thread readers", value: (s) => s.sqlite.workers },
        { label: "readers busy", value: (s) => s.sqlite.workersBusy },
        { label: "reads queued for a reader", value: (s) => s.sqlite.workerQueue },
      ],
    },
  ];
  sections.push({ id: "sqlite", title: "SQLite: one SqlitePool", charts: sqlite });

  const others = latest.pools.filter((p) => !p.id.startsWith("llm") && !p.id.startsWith("sqlite"));
  if (others.length > 0) {
    sections.push({ id: "pools", title: "Other pools", charts: others.flatMap(poolCharts) });
  }
  if (latest.cache) {
    sections.push({
      id: "cag",
      title: "CAG: answer cache",
      charts: [
        {
          id: "cag:hit-ratio",
          title: "Answer cache hit ratio",
          axis: "% of asks",
          unit: "%",
          yRange: [0, 100],
          series: [
            {
              label: "since start-up",
              value: (s) => (s.cache?.hitRatio == null ? null : s.cache.hitRatio * 100),
            },
            {
              label: `last ${CACHE_WINDOW_S} s`,
              value: (s) => (s.cache?.recentHitRatio == null ? null : s.cache.recentHitRatio * 100),
            },
          ],
        },
      ],
    });
  }
  return sections;
}

/**
 * What decides the layout: two snapshots with the same key get the same charts, so the page
 * rebuilds its panels only when this changes (a restarted server, a new origin).
 *
 * @example
 * ```ts
 * if (layoutKey(next) !== layoutKey(current)) rebuild(layoutOf(next));
 * ```
 */
export function layoutKey(s: DashboardSnapshot): string {
  return JSON.stringify([
    s.apps,
    s.pools.map((p) => p.id),
    s.origins.map((o) => o.origin),
    s.traffic.map((t) => t.app),
    s.cache !== null,
    s.sqlite.workers > 0,
  ]);
}
