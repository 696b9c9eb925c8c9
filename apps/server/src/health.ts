import type { AppHealth, ExampleApp } from "@app/kit";
import { z } from "@hono/zod-openapi";
import type { SqlitePool } from "@pool/sqlite";
import type { OwnedLlm } from "./llm.ts";

const ProgressSchema = z.object({
  done: z.number(),
  total: z.number(),
  unit: z.string(),
  etaS: z.number().optional(),
});

/** The body of `GET /health`, for the OpenAPI document. */
export const HealthSchema = z
  .object({
    status: z.enum(["starting", "ready", "failed", "closing"]),
    ready: z.boolean(),
    apps: z.record(
      z.string(),
      z.object({
        state: z.enum(["starting", "seeding", "ready", "failed"]),
        ready: z.boolean(),
        required: z.boolean().openapi({ description: "whether /health waits for this app" }),
        progress: ProgressSchema.optional(),
        detail: z.string().optional(),
      }),
    ),
    pools: z.object({
      sqlite: z.object({
        state: z.enum(["open", "closed"]),
        path: z.string(),
        writerPending: z.number(),
        readers: z.number(),
        workers: z.number(),
      }),
      llm: z.object({
        state: z.enum(["open", "closed"]),
        origin: z.string(),
        connections: z.number(),
        inFlight: z.number(),
        queued: z.number(),
      }),
    }),
    llm: z.object({
      origin: z.string(),
      standin: z.boolean(),
      reachable: z.boolean().nullable(),
      available: z.boolean(),
      models: z.object({ chat: z.string(), embed: z.string() }),
      missing: z.array(z.string()),
      pull: z.array(z.string()),
      checkedAt: z.string().nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    }),
  })
  .openapi("Health");

/** The body of `GET /health` as a type. @example `const h = (await res.json()) as Health;` */
export type Health = z.infer<typeof HealthSchema>;

/** An app as the server holds it: whether `/health` waits for it. */
export interface MountedApp {
  app: ExampleApp;
  /** `/health` answers 503 until this app is ready (search); other apps report in the body. */
  required: boolean;
}

/**
 * Builds the `/health` body: ready (200) once every required app is, whatever the LLM's state
 * (an LLM outage is reported in `llm`, never fails the check).
 *
 * @example
 * ```ts
 * const body = healthOf({ apps, db, llm, dbPath, closing: false });
 * return c.json(body, body.ready ? 200 : 503);
 * ```
 */
export function healthOf(input: {
  apps: MountedApp[];
  db: SqlitePool;
  dbPath: string;
  llm: OwnedLlm;
  closing: boolean;
}): Health {
  const { apps, db, llm } = input;
  const appHealth: Health["apps"] = {};
  for (const { app, required } of apps) appHealth[app.name] = { ...safeHealth(app), required };
  const required = apps.filter((a) => a.required).map((a) => appHealth[a.app.name]!);
  const failed = required.some((h) => h.state === "failed");
  const ready = !input.closing && !db.closed && required.every((h) => h.ready) && !failed;
  const sqlite = db.closed ? undefined : db.stats();
  const origin = llm.pool.closed ? undefined : llm.pool.stats().origins[llm.origin];
  const state = llm.state();
  return {
    status: input.closing ? "closing" : failed ? "failed" : ready ? "ready" : "starting",
    ready,
    apps: appHealth,
    pools: {
      sqlite: {
        state: db.closed ? "closed" : "open",
        path: input.dbPath,
        writerPending: sqlite?.writer.pending ?? 0,
        readers: sqlite?.readers?.size ?? 0,
        workers: sqlite?.workers?.size ?? 0,
      },
      llm: {
        state: llm.pool.closed ? "closed" : "open",
        origin: llm.origin,
        connections: origin?.connections?.size ?? 0,
        inFlight: origin?.requests.inFlight ?? 0,
        queued: origin?.requests.pending ?? 0,
      },
    },
    llm: {
      ...state,
      reachable: state.reachable ?? null,
      checkedAt: state.checkedAt ?? null,
      error: state.error ?? null,
    },
  };
}

/** An app whose `health()` throws is reported failed instead of failing `/health`. */
function safeHealth(app: ExampleApp): AppHealth {
  try {
    return app.health();
  } catch (error) {
    return { state: "failed", ready: false, detail: `health() threw: ${String(error)}` };
  }
}
