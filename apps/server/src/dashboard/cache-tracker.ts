import type { ExampleApp } from "@app/kit";
import { SampleWindow } from "./sample-window.ts";
import { CACHE_WINDOW_S, type CachePoint } from "./snapshot-types.ts";

interface CacheCounts {
  hits: number;
  misses: number;
}

/**
 * The CAG app's counters, read through its `metrics()` (the figures its `/cache/stats` reports):
 * duck-typed, so the server does not depend on the CAG package to draw it.
 */
function cacheCounts(app: ExampleApp): CacheCounts | undefined {
  const metrics = (app as { metrics?: () => unknown }).metrics;
  if (typeof metrics !== "function") return undefined;
  const m = metrics.call(app) as {
    hits?: { exact?: unknown; semantic?: unknown };
    misses?: unknown;
  };
  const exact = Number(m?.hits?.exact);
  const semantic = Number(m?.hits?.semantic);
  const misses = Number(m?.misses);
  if (![exact, semantic, misses].every(Number.isFinite)) return undefined;
  return { hits: exact + semantic, misses };
}

function ratio(hits: number, misses: number): number | null {
  return hits + misses > 0 ? hits / (hits + misses) : null;
}

/**
 * The answer cache's hit ratio since start-up and over the last {@link CACHE_WINDOW_S} seconds.
 *
 * @example
 * ```ts
 * const cache = new CacheTracker(cagApp);
 * cache.point(Date.now()); // { hitRatio: 0.4, recentHitRatio: 0.75, hits: 40, misses: 60 }
 * ```
 */
export class CacheTracker {
  readonly #window = new SampleWindow<CacheCounts>(CACHE_WINDOW_S * 1000);

  constructor(private readonly app: ExampleApp) {}

  point(t: number): CachePoint | null {
    const now = cacheCounts(this.app);
    if (!now) return null;
    this.#window.push(t, now);
    const then = this.#window.since(CACHE_WINDOW_S * 1000)?.value ?? { hits: 0, misses: 0 };
    return {
      hitRatio: ratio(now.hits, now.misses),
      recentHitRatio: ratio(now.hits - then.hits, now.misses - then.misses),
      hits: now.hits,
      misses: now.misses,
    };
  }
}
