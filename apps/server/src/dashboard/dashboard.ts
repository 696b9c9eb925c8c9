import type { ExampleApp } from "@app/kit";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Registry } from "prom-client";
import { buildDashboard } from "./dashboard-assets.ts";
import { DashboardFeed } from "./dashboard-feed.ts";
import { SnapshotBuilder } from "./snapshot-builder.ts";
import { addStreamRoute } from "./stream-route.ts";

/**
 * What the dashboard reads: the server's metrics registry (pools and per-route requests, as
 * `/metrics` serves them) and the mounted apps (which panels to show; the CAG cache's counters).
 *
 * @example
 * ```ts
 * addDashboard(root, { registry, apps: mounted.map((m) => m.app) });
 * ```
 */
export interface DashboardSources {
  registry: Registry;
  apps: readonly ExampleApp[];
  /** Time between two snapshots. [intervalMs=1000] */
  intervalMs?: number;
}

/**
 * The mounted dashboard.
 *
 * @example
 * ```ts
 * const dashboard = addDashboard(root, sources);
 * dashboard.close(); // ends every /pools/stream response
 * ```
 */
export interface Dashboard {
  feed: DashboardFeed;
  /** Stops sampling and ends every open stream, so a server's drain does not wait on them. */
  close(): void;
}

// The page may load nothing from elsewhere: the point is that it works offline.
const CSP =
  "default-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

/**
 * Adds the live pool dashboard: the page at `/` (its bundle under `/dashboard/`, built in memory
 * by Bun with uPlot) and its Server-Sent Events feed at `/pools/stream`, one snapshot a second.
 *
 * @example
 * ```ts
 * const root = createApi();
 * const dashboard = addDashboard(root, { registry, apps });
 * // open http://127.0.0.1:3000/
 * await server.close(); // after dashboard.close()
 * ```
 */
export function addDashboard(app: OpenAPIHono, sources: DashboardSources): Dashboard {
  const builder = new SnapshotBuilder({ registry: sources.registry, apps: sources.apps });
  const feed = new DashboardFeed(
    () => builder.take(),
    sources.intervalMs === undefined ? {} : { intervalMs: sources.intervalMs },
  );
  addStreamRoute(app, feed);
  app.get("/", async (c) => {
    const { html } = await buildDashboard();
    return c.html(html, 200, { "Cache-Control": "no-cache", "Content-Security-Policy": CSP });
  });
  app.get("/dashboard/app.js", async (c) => {
    const { js } = await buildDashboard();
    return c.body(await js.arrayBuffer(), 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "no-cache",
    });
  });
  app.get("/dashboard/app.css", async (c) => {
    const { css } = await buildDashboard();
    return c.body(await css.arrayBuffer(), 200, {
      "Content-Type": "text/css; charset=utf-8",
      "Cache-Control": "no-cache",
    });
  });
  return { feed, close: () => feed.close() };
}
