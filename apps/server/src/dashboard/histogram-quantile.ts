/** One cumulative bucket of a Prometheus histogram: observations `<= le`. */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * The `q` quantile of a histogram given as cumulative buckets (sorted by `le`, the last one
 * `+Inf`), interpolated linearly inside its bucket as Prometheus' `histogram_quantile` does.
 * Past the last finite bound it answers that bound: the histogram knows no more.
 *
 * @returns `null` when the histogram is empty.
 * @example
 * ```ts
 * histogramQuantile(0.5, [{ le: 0.01, count: 2 }, { le: 0.1, count: 4 }, { le: Infinity, count: 4 }]); // 0.01
 * ```
 */
export function histogramQuantile(q: number, buckets: Bucket[]): number | null {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return lowerLe;
      const inBucket = bucket.count - lowerCount;
      if (inBucket <= 0) return bucket.le;
      return lowerLe + (bucket.le - lowerLe) * ((rank - lowerCount) / inBucket);
    }
    lowerLe = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerLe;
}
