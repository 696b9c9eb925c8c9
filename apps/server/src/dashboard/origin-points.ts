import type { MetricSample } from "./metric-reader.ts";
import { SampleWindow } from "./sample-window.ts";
import type { OriginPoint } from "./snapshot-types.ts";

interface Totals {
  opened: number;
  reused: number;
}

/**
 * The LLM pool's connections per origin: open sockets, requests in flight and queued, and
 * sockets opened vs reused per second (from the `pool_http_*` counters' growth since the
 * previous snapshot).
 *
 * @example
 * ```ts
 * const origins = new OriginTracker();
 * origins.points(Date.now(), groupByName(await readMetrics(registry)));
 * // [{ origin: "http://127.0.0.1:11434", open: 1, inFlight: 1, queued: 3, openedPerS: 0, reusedPerS: 2, ... }]
 * ```
 */
export class OriginTracker {
  readonly #windows = new Map<string, SampleWindow<Totals>>();

  points(t: number, byName: Map<string, MetricSample[]>): OriginPoint[] {
    const points = new Map<string, OriginPoint>();
    const point = (s: MetricSample): OriginPoint | undefined => {
      if (s.labels.origin === undefined) return undefined;
      const origin = String(s.labels.origin);
      let p = points.get(origin);
      if (!p) {
        p = {
          origin,
          open: 0,
          inFlight: 0,
          queued: 0,
          openedPerS: 0,
          reusedPerS: 0,
          openedTotal: 0,
          reusedTotal: 0,
        };
        points.set(origin, p);
      }
      return p;
    };
    for (const s of byName.get("pool_http_requests_in_flight") ?? []) {
      const p = point(s);
      if (p) p.inFlight = s.value;
    }
    for (const s of byName.get("pool_http_requests_queued") ?? []) {
      const p = point(s);
      if (p) p.queued = s.value;
    }
    for (const s of byName.get("pool_http_connections") ?? []) {
      const p = point(s);
      if (p && s.labels.state !== "connecting") p.open += s.value;
    }
    for (const s of byName.get("pool_http_connections_opened_total") ?? []) {
      const p = point(s);
      if (p) p.openedTotal = s.value;
    }
    for (const s of byName.get("pool_http_connections_reused_total") ?? []) {
      const p = point(s);
      if (p) p.reusedTotal = s.value;
    }
    for (const p of points.values()) {
      let window = this.#windows.get(p.origin);
      if (!window) {
        window = new SampleWindow<Totals>(1_000);
        this.#windows.set(p.origin, window);
      }
      window.push(t, { opened: p.openedTotal, reused: p.reusedTotal });
      const before = window.previous();
      if (before && t > before.t) {
        const dtS = (t - before.t) / 1000;
        p.openedPerS = Math.max(0, p.openedTotal - before.value.opened) / dtS;
        p.reusedPerS = Math.max(0, p.reusedTotal - before.value.reused) / dtS;
      }
    }
    return [...points.values()];
  }
}
