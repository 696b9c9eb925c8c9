import type { OpenAPIHono } from "@hono/zod-openapi";
import { createRoute, z } from "@hono/zod-openapi";
import type { Registry } from "prom-client";
import { type Health, HealthSchema } from "./health.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  summary: "Readiness of every app, state of each pool, and the LLM in use",
  description:
    "200 once every required app (search) is ready, 503 with the seeding progress until then. " +
    "An LLM outage is reported in `llm` and never makes this fail.",
  responses: {
    200: json(HealthSchema, "Ready"),
    503: json(HealthSchema, "Still seeding, failed, or shutting down"),
  },
});

const PoolsSchema = z
  .object({
    sqlite: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "SqlitePool.stats(): writer, readers, workers, statements, ..." }),
    llm: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "HttpPool.stats(): transport and per-origin figures" }),
  })
  .openapi("Pools");

const poolsRoute = createRoute({
  method: "get",
  path: "/pools",
  summary: "Every pool's stats() snapshot",
  responses: { 200: json(PoolsSchema, "Each pool's stats(); null once closed") },
});

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  summary: "Prometheus metrics: pools, LLM connections, HTTP requests by route",
  responses: {
    200: {
      description: "Prometheus text exposition format",
      content: { "text/plain": { schema: z.string() } },
    },
  },
});

/**
 * What the server's own routes read; everything is a function so each request sees the
 * present state.
 *
 * @example
 * ```ts
 * addServerRoutes(root, { health: () => healthOf(...), pools: () => ({ sqlite, llm }), registry });
 * ```
 */
export interface ServerRouteSources {
  health(): Health;
  pools(): { sqlite: object | null; llm: object | null };
  registry: Registry;
}

/**
 * Adds `GET /health`, `/pools` and `/metrics` to `app`, defined with their schemas so they
 * appear in `/openapi.json` next to the apps' routes.
 *
 * @example
 * ```ts
 * const root = createApi();
 * addServerRoutes(root, sources);
 * ```
 */
export function addServerRoutes(app: OpenAPIHono, sources: ServerRouteSources): void {
  app.openapi(healthRoute, (c) => {
    const body = sources.health();
    c.header("Cache-Control", "no-store");
    return body.ready ? c.json(body, 200) : c.json(body, 503);
  });
  app.openapi(poolsRoute, (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(sources.pools() as z.infer<typeof PoolsSchema>, 200);
  });
  app.openapi(metricsRoute, async (c) => {
    const text = await sources.registry.metrics();
    return c.text(text, 200, { "Content-Type": sources.registry.contentType });
  });
}
