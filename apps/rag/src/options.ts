import { type CorpusDocument, type Llm, loadCorpus } from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";

/**
 * Options of `createRagApp`. Only `db` and `llm` are required: the server's shared pools.
 *
 * @example
 * ```ts
 * createRagApp({ db, llm, seedDocs: 20, onLongRequest: (req) => server.timeout(req, 0) });
 * ```
 */
export interface RagAppOptions {
  /** The shared SQLite pool; the app never opens its own. */
  db: SqlitePool;
  /** The shared LLM (pool, client, models, `numCtx`, `keepAlive`). */
  llm: Llm;
  /**
   * Corpus addresses to seed, most recent first, or `"all"`; `0` seeds none. Default: the
   * `RAG_SEED_DOCS` environment variable, else `"all"` with the stand-in (it embeds the ~12,000
   * chunks in seconds) and 20 with a real Ollama (where that takes a long time).
   */
  seedDocs?: number | "all";
  /** Where the seed documents come from. [corpus=loadCorpus] */
  corpus?: () => CorpusDocument[];
  /** Longest chunk in characters. [chunkMaxChars=1000] */
  chunkMaxChars?: number;
  /** Whole trailing sentences of up to this many characters repeated at the start of the next chunk. [chunkOverlapChars=200] */
  chunkOverlapChars?: number;
  /** Chunks per `/api/embed` request. [embedBatchSize=32] */
  embedBatchSize?: number;
  /** A streamed answer silent this long gets a `: ping` comment. [heartbeatMs=15000] */
  heartbeatMs?: number;
  /** `"auto"` uses `vec0` when sqlite-vec is loaded on every pool connection, else the JS scan. [vectorBackend="auto"] */
  vectorBackend?: "auto" | "vec0" | "js";
  /**
   * Called with each `/ask` request, which may stay silent longer than the server's idle limit.
   * Under `Bun.serve({ fetch: app.fetch })` the app already lifts Bun's limit itself through the
   * server that Hono passes as `c.env`; give this when serving another way.
   */
  onLongRequest?: (request: Request) => void;
  /** First wait before retrying an unreachable LLM while seeding (doubles up to 30 s). [llmRetryMs=1000] */
  llmRetryMs?: number;
  /** Start-up lines (which backend, what was seeded). [log=console.log] */
  log?: (line: string) => void;
}

/** {@link RagAppOptions} with the defaults filled in. */
export type ResolvedRagOptions = Required<Omit<RagAppOptions, "onLongRequest">> & {
  onLongRequest: ((request: Request) => void) | undefined;
};

/** A bad option of `createRagApp`; `option` names it. */
export class RagOptionError extends Error {
  override readonly name = "RagOptionError";
  readonly code = "RAG_INVALID_OPTION";
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

const KNOWN: ReadonlySet<string> = new Set([
  "db",
  "llm",
  "seedDocs",
  "corpus",
  "chunkMaxChars",
  "chunkOverlapChars",
  "embedBatchSize",
  "heartbeatMs",
  "vectorBackend",
  "onLongRequest",
  "llmRetryMs",
  "log",
]);

/** Seed documents with a real Ollama, where each address costs seconds of embedding. */
const REAL_OLLAMA_SEED_DOCS = 20;

/**
 * Parses `RAG_SEED_DOCS`: a non-negative integer or `all`; `undefined` when unset or empty.
 *
 * @throws {RagOptionError} on anything else
 * @example
 * ```ts
 * parseSeedDocs("all"); // "all"
 * parseSeedDocs("20"); // 20
 * ```
 */
export function parseSeedDocs(value: string | undefined): number | "all" | undefined {
  const text = value?.trim().toLowerCase();
  if (text === undefined || text === "") return undefined;
  if (text === "all") return "all";
  if (/^\d+$/.test(text)) return Number(text);
  throw new RagOptionError(
    "RAG_SEED_DOCS",
    `expected a number of addresses or "all", got ${value}`,
  );
}

/**
 * Fills in defaults and checks each option, naming the bad one.
 *
 * @throws {RagOptionError}
 * @example
 * ```ts
 * resolveRagOptions({ db, llm }).chunkMaxChars; // 1000
 * ```
 */
export function resolveRagOptions(options: RagAppOptions): ResolvedRagOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new RagOptionError(key, "is not an option of createRagApp");
  }
  const { db, llm } = options;
  if (db === undefined || llm === undefined) {
    throw new RagOptionError(db === undefined ? "db" : "llm", "is required");
  }
  const seedDocs =
    options.seedDocs ??
    parseSeedDocs(process.env.RAG_SEED_DOCS) ??
    (llm.standin ? "all" : REAL_OLLAMA_SEED_DOCS);
  if (seedDocs !== "all" && !(Number.isInteger(seedDocs) && seedDocs >= 0)) {
    throw new RagOptionError(
      "seedDocs",
      `expected a non-negative integer or "all", got ${seedDocs}`,
    );
  }
  const resolved: ResolvedRagOptions = {
    db,
    llm,
    seedDocs,
    corpus: options.corpus ?? loadCorpus,
    chunkMaxChars: integer("chunkMaxChars", options.chunkMaxChars ?? 1_000, 100, 100_000),
    chunkOverlapChars: integer("chunkOverlapChars", options.chunkOverlapChars ?? 200, 0, 100_000),
    embedBatchSize: integer("embedBatchSize", options.embedBatchSize ?? 32, 1, 4_096),
    heartbeatMs: integer("heartbeatMs", options.heartbeatMs ?? 15_000, 1, 3_600_000),
    vectorBackend: options.vectorBackend ?? "auto",
    llmRetryMs: integer("llmRetryMs", options.llmRetryMs ?? 1_000, 1, 3_600_000),
    log: options.log ?? ((line: string) => console.log(line)),
    onLongRequest: options.onLongRequest,
  };
  if (resolved.chunkOverlapChars >= resolved.chunkMaxChars) {
    throw new RagOptionError("chunkOverlapChars", "must be smaller than chunkMaxChars");
  }
  if (!["auto", "vec0", "js"].includes(resolved.vectorBackend)) {
    throw new RagOptionError(
      "vectorBackend",
      `expected "auto", "vec0" or "js", got ${resolved.vectorBackend}`,
    );
  }
  return resolved;
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RagOptionError(name, `expected an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
