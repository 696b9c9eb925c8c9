import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createApi, type ExampleApp, type ProgressReporter, silentProgress } from "@app/kit";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { SqlitePool } from "@pool/sqlite";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { timing } from "hono/timing";
import { Registry } from "prom-client";
import { registerAppMetrics } from "./app-metrics.ts";
import { APPS, type AppEntry } from "./apps.ts";
import type { ServerConfig } from "./config.ts";
import { addDashboard, type Dashboard } from "./dashboard/dashboard.ts";
import { type Health, healthOf, type MountedApp } from "./health.ts";
import { httpMetrics } from "./http-metrics.ts";
import { type OwnedLlm, openLlm, type StandinOptions } from "./llm.ts";
import { addLlmRoute } from "./llm-route.ts";
import { registerPoolMetrics } from "./pool-metrics.ts";
import { addServerRoutes } from "./server-routes.ts";

/**
 * Options of {@link createServer} beyond the configuration: mostly for tests.
 *
 * @example
 * ```ts
 * await createServer(config, { log: () => {}, standin: { faults: { headersDelayMs: 50 } } });
 * ```
 */
export interface CreateServerOptions {
  /** Start-up and LLM lines. [log=console.log] */
  log?: (line: string) => void;
  /** Options of the built-in stand-in, when `OLLAMA_HOST` is unset. */
  standin?: StandinOptions;
  /** The apps to mount instead of {@link APPS}. */
  apps?: AppEntry[];
}

/**
 * The combined server, built but not yet listening nor seeded.
 *
 * @example
 * ```ts
 * const server = await createServer(loadConfig(process.env));
 * const http = Bun.serve({ port: 3000, fetch: server.app.fetch });
 * await server.start(createProgressReporter());
 * ```
 */
export interface PoolServer {
  /** The root Hono app: pass `app.fetch` to `Bun.serve`, or call `app.request()` in tests. */
  app: OpenAPIHono;
  db: SqlitePool;
  llm: OwnedLlm;
  apps: ExampleApp[];
  /** The metrics registry (its own, not prom-client's global one). */
  registry: Registry;
  /** The live dashboard at `/` and its feed `/pools/stream`; `dashboard.close()` ends the streams. */
  dashboard: Dashboard;
  /**
   * Seeds every app, all at once. Resolves when every required app is ready, rejects when one
   * of them failed (the server keeps serving; `/health` says `failed`).
   */
  start(progress?: ProgressReporter): Promise<void>;
  health(): Health;
  /** Closes the apps, then the SqlitePool (WAL checkpointed) and the LLM side. Idempotent. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Builds exactly one `SqlitePool` and one `HttpPool` (to `OLLAMA_HOST`, or to the built-in
 * stand-in it starts), runs every app's named migrations, mounts each app at `/<name>` and adds
 * `/health`, `/pools`, `/metrics`, `/llm` and `/openapi.json`, with a request id, `Server-Timing`,
 * request metrics and a body limit on every route.
 *
 * @example
 * ```ts
 * const server = await createServer(loadConfig({ DATABASE_PATH: "/tmp/t.db" }), { log: () => {} });
 * const res = await server.app.request("/health"); // 503 until start() has seeded
 * await server.start();
 * await server.close();
 * ```
 */
export async function createServer(
  config: ServerConfig,
  options: CreateServerOptions = {},
): Promise<PoolServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  mkdirSync(dirname(config.sqlite.path), { recursive: true });
  const entries = options.apps ?? APPS;
  const extensions = [...new Set(entries.flatMap((entry) => entry.sqliteExtensions?.() ?? []))];
  const db = new SqlitePool({
    path: config.sqlite.path,
    workers: config.sqlite.workers,
    extensions,
    ...(config.sqlite.readers === undefined ? {} : { readers: config.sqlite.readers }),
  });
  let llm: OwnedLlm;
  try {
    llm = await openLlm(config.llm, {
      log,
      ...(options.standin ? { standin: options.standin } : {}),
    });
  } catch (error) {
    await db.close();
    throw error;
  }

  let mounted: MountedApp[];
  try {
    const ctx = { db, llm, config };
    mounted = entries.map((entry) => ({
      app: entry.create(ctx),
      required: entry.required,
    }));
    // One named set per app: adding an app or a migration never re-runs another app's.
    for (const { app } of mounted) await db.migrate(app.name, app.migrations);
  } catch (error) {
    await Promise.allSettled([db.close(), llm.close()]);
    throw error;
  }

  const registry = new Registry();
  registerPoolMetrics(registry, { sqlite: () => db.stats(), llm: () => llm.pool.stats() });
  registerAppMetrics(
    registry,
    mounted.map((m) => m.app),
  );

  let closing: Promise<void> | undefined;
  const health = () =>
    healthOf({
      apps: mounted,
      db,
      dbPath: config.sqlite.path,
      llm,
      closing: closing !== undefined,
    });

  const root = createApi();
  // Before everything else, so 404s, 413s, 503s and 500s carry them too.
  root.use("*", requestId(), timing(), httpMetrics(registry));
  root.use("*", bodyLimit({ maxSize: config.maxBodyBytes }));
  addServerRoutes(root, {
    health,
    pools: () => ({
      sqlite: db.closed ? null : db.stats(),
      llm: llm.pool.closed ? null : llm.pool.stats(),
    }),
    registry,
  });
  // The page and its SSE feed read the registry above: the same stats() mapping as /metrics.
  const dashboard = addDashboard(root, { registry, apps: mounted.map((m) => m.app) });
  addLlmRoute(root, llm);
  for (const { app } of mounted) root.route(`/${app.name}`, app.app);
  root.doc("/openapi.json", {
    openapi: "3.0.0",
    info: {
      title: "@pool example server",
      version: "0.0.0",
      description:
        "Example apps sharing one SqlitePool and one HttpPool to the LLM: " +
        mounted.map(({ app }) => `/${app.name}`).join(", "),
    },
  });

  return {
    app: root,
    db,
    llm,
    apps: mounted.map((m) => m.app),
    registry,
    dashboard,
    async start(progress = silentProgress) {
      const results = await Promise.allSettled(
        mounted.map(async ({ app, required }) => {
          try {
            await app.start(progress);
          } catch (error) {
            log(`${app.name}: failed to start: ${error instanceof Error ? error.message : error}`);
            if (required) throw error;
          }
        }),
      );
      const failure = results.find((r) => r.status === "rejected");
      if (failure) throw failure.reason;
    },
    health,
    close(timeoutMs = 10_000) {
      closing ??= (async () => {
        dashboard.close();
        await Promise.allSettled(mounted.map(({ app }) => app.close?.()));
        const [dbClosed, llmClosed] = await Promise.allSettled([
          db.close({ timeoutMs }),
          llm.close(timeoutMs),
        ]);
        for (const r of [dbClosed, llmClosed]) if (r.status === "rejected") throw r.reason;
      })();
      return closing;
    },
  };
}
