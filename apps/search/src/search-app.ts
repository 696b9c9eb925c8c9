import {
  type AppHealth,
  createApi,
  type ExampleApp,
  notReady,
  type ProgressReporter,
  Readiness,
} from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import { DocumentStore } from "./document-store.ts";
import { searchMigrations } from "./migrations.ts";
import { parseQuery, toFtsQuery } from "./query-parser.ts";
import {
  createDocumentRoute,
  deleteDocumentRoute,
  getDocumentRoute,
  replaceDocumentRoute,
  searchRoute,
} from "./routes.ts";
import { search } from "./search-index.ts";
import { type SeedOptions, type SeedResult, seedCorpus } from "./seed.ts";

/** Options of {@link createSearchApp}. */
export interface SearchAppOptions {
  /** The shared pool; the search tables must be migrated (`db.migrate("search", searchMigrations)`) before `start()`. */
  db: SqlitePool;
  /** Accepted for the apps' common factory shape; search never calls the LLM. */
  llm?: unknown;
  /** Seeding overrides (a small fixture corpus in tests, the batch size). */
  seed?: Pick<SeedOptions, "corpus" | "batchPassages">;
}

/** The search app, plus what its last `start()` measured. */
export interface SearchApp extends ExampleApp {
  /** Set once `start()` resolved: how long the seed took, or `seeded: false` when reused. */
  readonly lastSeed: SeedResult | undefined;
}

/**
 * Full-text search over the State of the Union addresses (FTS5, BM25, one hit per document with
 * the snippet of its best passage) and the documents routes. Routes answer 503 `NOT_READY`
 * until `start()` has seeded the corpus (once; later starts reuse it).
 *
 * @example
 * ```ts
 * const search = createSearchApp({ db });
 * await db.migrate(search.name, search.migrations);
 * root.route("/search", search.app);
 * await search.start(createProgressReporter());
 * // GET /search?q=emancipation&limit=5
 * ```
 */
export function createSearchApp(options: SearchAppOptions): SearchApp {
  const { db } = options;
  const readiness = new Readiness();
  const store = new DocumentStore(db);
  const stop = new AbortController();
  let seeding: Promise<SeedResult> | undefined;
  let lastSeed: SeedResult | undefined;

  const app = createApi();
  app.use(
    "*",
    notReady(() => readiness.health()),
  );

  app.openapi(searchRoute, async (c) => {
    const query = c.req.valid("query");
    const match = toFtsQuery(parseQuery(query.q));
    const page = await search(db, { ...query, match });
    return c.json({ ...page, limit: query.limit, offset: query.offset }, 200);
  });

  app.openapi(createDocumentRoute, async (c) => {
    const id = await store.create(c.req.valid("json"));
    c.header("Location", `${c.req.path.replace(/\/$/, "")}/${id}`);
    return c.json({ id }, 201);
  });

  app.openapi(getDocumentRoute, async (c) => c.json(await store.get(c.req.valid("param").id), 200));

  app.openapi(replaceDocumentRoute, async (c) => {
    const { id } = c.req.valid("param");
    await store.replace(id, c.req.valid("json"));
    return c.json(await store.get(id), 200);
  });

  app.openapi(deleteDocumentRoute, async (c) => {
    await store.delete(c.req.valid("param").id);
    return c.body(null, 204);
  });

  async function runSeed(progress: ProgressReporter | undefined): Promise<SeedResult> {
    try {
      const result = await seedCorpus(db, {
        ...options.seed,
        progress,
        signal: stop.signal,
        onProgress: (progress) => readiness.seeding(progress),
      });
      lastSeed = result;
      readiness.ready();
      return result;
    } catch (error) {
      readiness.failed(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  return {
    name: "search",
    app,
    migrations: searchMigrations,
    get lastSeed() {
      return lastSeed;
    },
    async start(progress?: ProgressReporter) {
      seeding ??= runSeed(progress);
      await seeding;
    },
    health(): AppHealth {
      return readiness.health();
    },
    async close() {
      stop.abort(new Error("the search app is closing"));
      await seeding?.catch(() => {});
    },
  };
}
