/**
 * Wait-time figures in milliseconds, as `stats()` reports them.
 *
 * @example
 * ```ts
 * const { p99Ms }: WaitStats = pool.stats().wait;
 * ```
 */
export interface WaitStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

// Log-linear buckets over microseconds: exact below 32 µs, then 16 buckets per power of two,
// so any percentile is within ~6% of the truth, recording is O(1) and memory is fixed.
const LINEAR = 32;
const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
const MAX_US = 2 ** 31 - 1;
const BUCKETS = LINEAR + (31 - 5) * SUB + SUB;

function bucketOf(us: number): number {
  if (us < LINEAR) return us;
  const exp = 31 - Math.clz32(us);
  return LINEAR + (exp - 5) * SUB + ((us >>> (exp - SUB_BITS)) & (SUB - 1));
}

function midpointOf(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  const exp = ((bucket - LINEAR) >> SUB_BITS) + 5;
  const sub = (bucket - LINEAR) & (SUB - 1);
  const width = 1 << (exp - SUB_BITS);
  return (SUB + sub) * width + width / 2;
}

/**
 * A fixed-size latency histogram: `record` is O(1) and cheap enough for every acquire, and any
 * percentile is within ~6% of the truth.
 *
 * @example
 * ```ts
 * const ttfb = new Histogram();
 * ttfb.record(performance.now() - sentAt);
 * console.log(ttfb.snapshot()); // { count, meanMs, p50Ms, p99Ms, maxMs }
 * ```
 */
export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private count = 0;
  private totalMs = 0;
  private maxMs = 0;

  record(ms: number): void {
    const us = ms <= 0 ? 0 : Math.min(MAX_US, Math.round(ms * 1000));
    this.counts[bucketOf(us)]!++;
    this.count++;
    this.totalMs += Math.max(ms, 0);
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Counts `n` zero-length waits at once: the fast path's contribution. */
  recordZeros(n: number): void {
    this.counts[0]! += n;
    this.count += n;
  }

  snapshot(): WaitStats {
    return {
      count: this.count,
      meanMs: this.count === 0 ? 0 : this.totalMs / this.count,
      p50Ms: this.percentile(0.5),
      p99Ms: this.percentile(0.99),
      maxMs: this.maxMs,
    };
  }

  private percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(midpointOf(b) / 1000, this.maxMs);
    }
    return this.maxMs;
  }
}
