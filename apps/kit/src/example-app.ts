import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Migration } from "@pool/sqlite";
import type { Progress, ProgressReporter } from "./progress.ts";

/**
 * An app's readiness as `/health` reports it. `ready` is `state === "ready"`; `progress` is
 * there while seeding, `detail` says why it failed.
 *
 * @example
 * ```ts
 * const health: AppHealth = { state: "seeding", ready: false, progress: { done: 40, total: 233, unit: "documents" } };
 * ```
 */
export interface AppHealth {
  state: "starting" | "seeding" | "ready" | "failed";
  ready: boolean;
  progress?: Progress;
  detail?: string;
}

/**
 * What every example app module exports (made by its factory, e.g. `createSearchApp`). The
 * server runs `db.migrate(app.name, app.migrations)`, mounts `app.app` at `/<name>`, then calls
 * `start()`; until `start()` resolves, the app's routes answer 503 `NOT_READY`.
 *
 * @example
 * ```ts
 * const search = createSearchApp({ db });
 * await db.migrate(search.name, search.migrations);
 * root.route(`/${search.name}`, search.app);
 * await search.start(createProgressReporter());
 * ```
 */
export interface ExampleApp {
  /** The mount path segment and the migration set's name. */
  name: string;
  app: OpenAPIHono;
  migrations: Migration[];
  /** Seeds (when needed) and resolves when the app is ready; rejects when it cannot be. */
  start(progress?: ProgressReporter): Promise<void>;
  health(): AppHealth;
  /** Stops background work the app started; it never closes the shared pools. */
  close?(): Promise<void>;
}
