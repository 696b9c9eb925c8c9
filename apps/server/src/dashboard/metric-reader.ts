import type { Registry } from "prom-client";

/** One series' value at one scrape: `name` is the sample's own (`..._bucket`, `..._count`). */
export interface MetricSample {
  name: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * Scrapes `registry` as `/metrics` does (the same collect(), so the same `stats()` snapshot of
 * every pool) and flattens it into samples. The dashboard reads the server's metric names, never
 * the packages' `stats()` shapes: pool-metrics.ts stays the one mapping.
 *
 * @example
 * ```ts
 * const samples = await readMetrics(registry);
 * samples.filter((s) => s.name === "pool_pending"); // [{ labels: { pool: "llm", origin }, value: 3 }, ...]
 * ```
 */
export async function readMetrics(registry: Registry): Promise<MetricSample[]> {
  const metrics = await registry.getMetricsAsJSON();
  const samples: MetricSample[] = [];
  for (const metric of metrics) {
    // Histograms name each sample (`_bucket`, `_sum`, `_count`); the types leave it out.
    for (const v of metric.values as Array<
      (typeof metric.values)[number] & { metricName?: string }
    >) {
      samples.push({
        name: v.metricName ?? metric.name,
        labels: v.labels as Record<string, string | number>,
        value: v.value,
      });
    }
  }
  return samples;
}

/**
 * Samples grouped by name, for lookups by name then labels.
 *
 * @example
 * ```ts
 * const byName = groupByName(await readMetrics(registry));
 * byName.get("pool_size")?.length;
 * ```
 */
export function groupByName(samples: MetricSample[]): Map<string, MetricSample[]> {
  const byName = new Map<string, MetricSample[]>();
  for (const sample of samples) {
    const list = byName.get(sample.name);
    if (list) list.push(sample);
    else byName.set(sample.name, [sample]);
  }
  return byName;
}
