import type { MetricSample } from "./metric-reader.ts";
import type { PoolPoint, SqlitePoint } from "./snapshot-types.ts";

const LABELS: Record<string, string> = {
  sqlite_writer: "SQLite writer",
  sqlite_readers: "SQLite readers",
  llm: "LLM",
};

function poolId(labels: MetricSample["labels"]): string {
  return labels.origin === undefined ? String(labels.pool) : `${labels.pool} ${labels.origin}`;
}

function poolLabel(labels: MetricSample["labels"]): string {
  const name = LABELS[String(labels.pool)] ?? String(labels.pool);
  return labels.origin === undefined ? name : `${name} (${labels.origin})`;
}

/**
 * Every pool's gauges and wait percentiles from the server's metrics (`pool_size`, `pool_idle`,
 * `pool_borrowed`, `pool_pending`, `pool_acquire_wait_seconds`), one point per `pool` (and
 * `origin`) label set, in the order the metrics list them.
 *
 * @example
 * ```ts
 * const pools = poolPoints(groupByName(await readMetrics(registry)));
 * pools[0]; // { id: "sqlite_writer", label: "SQLite writer", size: 1, pending: 0, ... }
 * ```
 */
export function poolPoints(byName: Map<string, MetricSample[]>): PoolPoint[] {
  const points = new Map<string, PoolPoint>();
  for (const s of byName.get("pool_size") ?? []) {
    points.set(poolId(s.labels), {
      id: poolId(s.labels),
      label: poolLabel(s.labels),
      size: s.value,
      idle: 0,
      borrowed: 0,
      pending: 0,
      waitP50Ms: 0,
      waitP99Ms: 0,
    });
  }
  const fields = [
    ["pool_idle", "idle"],
    ["pool_borrowed", "borrowed"],
    ["pool_pending", "pending"],
  ] as const;
  for (const [name, field] of fields) {
    for (const s of byName.get(name) ?? []) {
      const point = points.get(poolId(s.labels));
      if (point) point[field] = s.value;
    }
  }
  for (const s of byName.get("pool_acquire_wait_seconds") ?? []) {
    const point = points.get(poolId(s.labels));
    if (!point) continue;
    if (s.labels.quantile === "0.5") point.waitP50Ms = s.value * 1000;
    if (s.labels.quantile === "0.99") point.waitP99Ms = s.value * 1000;
  }
  return [...points.values()];
}

/**
 * The SQLite pool's writer queue and off-thread readers.
 *
 * @example
 * ```ts
 * sqlitePoint(byName); // { writerPending: 0, workers: 2, workersBusy: 1, workerQueue: 0 }
 * ```
 */
export function sqlitePoint(byName: Map<string, MetricSample[]>): SqlitePoint {
  const one = (name: string) => byName.get(name)?.[0]?.value ?? 0;
  return {
    writerPending: one("pool_sqlite_writer_pending"),
    workers: one("pool_sqlite_workers"),
    workersBusy: one("pool_sqlite_workers_busy"),
    workerQueue: one("pool_sqlite_worker_queue"),
  };
}
