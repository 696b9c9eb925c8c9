import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, Histogram, type Registry } from "prom-client";

/** Buckets from 1 ms (a cached lookup) to 2 min (a long LLM answer). */
const BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

/**
 * Counts the server's own HTTP requests and their latency, labelled by method, the matched
 * route pattern (`/search/documents/:id`, never the raw path, so the series stay few) and
 * status. Requests no route matched are labelled `route="unmatched"`.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * app.use("*", httpMetrics(registry));
 * ```
 */
export function httpMetrics(registry: Registry): MiddlewareHandler {
  const labelNames = ["method", "route", "status"];
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to the response head, by method, route pattern and status.",
    labelNames,
    buckets: BUCKETS_S,
    registers: [registry],
  });
  return async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const labels = {
        method: c.req.method,
        route: routeLabel(c),
        status: String(c.res.status),
      };
      requests.inc(labels);
      duration.observe(labels, (performance.now() - start) / 1000);
    }
  };
}

/**
 * The pattern of the handler the path matched, even when a middleware answered before it (a
 * 503 while seeding, a 413): middleware (`use`, method ALL) does not count.
 */
function routeLabel(c: Parameters<MiddlewareHandler>[0]): string {
  const route = matchedRoutes(c).findLast((r) => r.method !== "ALL");
  return route?.path ?? "unmatched";
}
