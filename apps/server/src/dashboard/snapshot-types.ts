/**
 * What `/pools/stream` sends once a second, shared by the server and the page. Everything here is
 * already in display units (ms, per second, ratios), so the page only plots.
 */

/** One pool (a generic pool, or one origin of an HTTP pool) at one instant. */
export interface PoolPoint {
  /** Stable key: `sqlite_writer`, `sqlite_readers`, `llm http://127.0.0.1:11434`. */
  id: string;
  /** For people: "SQLite writer", "LLM (http://127.0.0.1:11434)". */
  label: string;
  size: number;
  idle: number;
  borrowed: number;
  pending: number;
  /** Acquire wait over the pool's life (what `stats().wait` reports), ms. */
  waitP50Ms: number;
  waitP99Ms: number;
}

/** One origin of the LLM's `HttpPool`. */
export interface OriginPoint {
  origin: string;
  /** Sockets open now. */
  open: number;
  /** Requests holding a socket now. */
  inFlight: number;
  /** Requests waiting for a socket now. */
  queued: number;
  /** Sockets opened per second since the previous snapshot. */
  openedPerS: number;
  /** Requests sent on an already-used socket, per second since the previous snapshot. */
  reusedPerS: number;
  openedTotal: number;
  reusedTotal: number;
}

/** The SQLite pool's own figures beyond its generic pools. */
export interface SqlitePoint {
  /** Writes queued for the one writer connection. */
  writerPending: number;
  /** Off-thread readers running, busy, and queries waiting for one. */
  workers: number;
  workersBusy: number;
  workerQueue: number;
}

/** One mounted app's HTTP traffic, from the server's per-route request metrics. */
export interface TrafficPoint {
  /** The mount name: `search`, `rag`, `cag`. */
  app: string;
  /** Requests answered per second since the previous snapshot. */
  requestsPerS: number;
  /** Time to the response head over the last {@link LATENCY_WINDOW_S} s; `null` without requests. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** The CAG app's answer cache. */
export interface CachePoint {
  /** hits / (hits + misses) since start-up, as `/cag/cache/stats` reports it; `null` before any ask. */
  hitRatio: number | null;
  /** The same over the last {@link CACHE_WINDOW_S} s; `null` without asks in it. */
  recentHitRatio: number | null;
  hits: number;
  misses: number;
}

/**
 * One second of the server, as the dashboard plots it.
 *
 * @example
 * ```ts
 * source.addEventListener("snapshot", (e) => {
 *   const s = JSON.parse(e.data) as DashboardSnapshot;
 *   console.log(s.pendingTotal, s.pools.map((p) => p.id));
 * });
 * ```
 */
export interface DashboardSnapshot {
  /** When it was taken, ms since the epoch. */
  t: number;
  /** The apps mounted, by mount name. */
  apps: string[];
  /** Waiters over every pool: the one figure that says "queueing now". */
  pendingTotal: number;
  pools: PoolPoint[];
  origins: OriginPoint[];
  sqlite: SqlitePoint;
  traffic: TrafficPoint[];
  /** `null` when the CAG app is not mounted. */
  cache: CachePoint | null;
}

/** Window of the latency percentiles, seconds. */
export const LATENCY_WINDOW_S = 5;
/** Window of the recent cache hit ratio, seconds. */
export const CACHE_WINDOW_S = 10;
