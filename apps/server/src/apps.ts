import { createCagApp } from "@app/cag";
import type { ExampleApp, Llm } from "@app/kit";
import { perRequestReads } from "@app/kit";
import { createRagApp, ragSqliteExtensions } from "@app/rag";
import { createSearchApp } from "@app/search";
import type { SqlitePool } from "@pool/sqlite";
import type { ServerConfig } from "./config.ts";

/**
 * What the server hands every app factory: the shared pools (never one of their own) and the
 * configuration.
 *
 * @example
 * ```ts
 * const app = createSearchApp({ db: ctx.db, llm: ctx.llm });
 * ```
 */
export interface AppContext {
  db: SqlitePool;
  llm: Llm;
  config: ServerConfig;
}

/**
 * One entry of the server's app list.
 *
 * @example
 * ```ts
 * const entry: AppEntry = { create: (ctx) => createRagApp({ db: ctx.db, llm: ctx.llm }), required: false };
 * ```
 */
export interface AppEntry {
  create(ctx: AppContext): ExampleApp;
  /** `/health` answers 503 until this app is ready. Apps that seed for long (RAG) say no. */
  required: boolean;
  /**
   * SQLite extensions (file paths) the app needs on every connection of the shared pool, such
   * as sqlite-vec's `getLoadablePath()`; loaded before any migration runs.
   */
  sqliteExtensions?: () => string[];
}

/**
 * The apps the combined server mounts, each at `/<name>`, in this order. Adding an app is one
 * line here.
 *
 * @example
 * ```ts
 * const apps = APPS.map((entry) => entry.create(ctx));
 * ```
 */
export const APPS: AppEntry[] = [
  {
    // SQLITE_PER_REQUEST=1: the benchmark's baseline, a connection opened per read.
    create: ({ db, llm, config }) =>
      createSearchApp({
        db: config.sqlite.perRequest ? perRequestReads(db, config.sqlite.path) : db,
        llm,
      }),
    required: true,
  },
  {
    create: ({ db, llm }) => createRagApp({ db, llm }),
    required: false,
    sqliteExtensions: () => ragSqliteExtensions(),
  },
  { create: ({ db, llm }) => createCagApp({ db, llm }), required: false },
];
