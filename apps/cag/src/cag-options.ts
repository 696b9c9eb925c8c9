import type { CorpusDocument, Llm } from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import { CagOptionError } from "./cag-option-error.ts";
import { defaultSemanticThreshold } from "./semantic-threshold.ts";

/**
 * Options of {@link createCagApp}. The tunables can also come from the environment (`env`,
 * default `process.env`): an option given here wins over its variable.
 *
 * @example
 * ```ts
 * createCagApp({ db, llm, contextTokens: 8_000, cacheTtlS: 3_600, env: {} });
 * ```
 */
export interface CagAppOptions {
  /** The shared pool; migrate `cagMigrations` under the set name "cag" before `start()`. */
  db: SqlitePool;
  /** The server's LLM (chat and embedding models, the pool's `ollama` client, num_ctx, keep_alive). */
  llm: Llm;
  /** `CAG_CONTEXT_TOKENS` [24000]: estimated tokens the preloaded context may take. */
  contextTokens?: number;
  /** `CAG_SEMANTIC_THRESHOLD` [per embedding model, see `SEMANTIC_THRESHOLDS`]: cosine for a semantic hit. */
  semanticThreshold?: number;
  /** `CAG_CACHE_TTL_S` [86400]: a cached answer is served for this long after it was generated. */
  cacheTtlS?: number;
  /** `CAG_CACHE_MAX_ENTRIES` [5000]: past this, the least recently used answers are evicted. */
  cacheMaxEntries?: number;
  /**
   * `CAG_MAX_GENERATIONS` [2]: LLM generations the app runs at once; more misses wait in the
   * app, so the LLM pool keeps connections free for embeddings (set it to `OLLAMA_NUM_PARALLEL`).
   */
  maxGenerations?: number;
  /**
   * Tokens of `llm.numCtx` kept free for the question and the answer [2048]: the context budget
   * plus this must fit, or Ollama would cut the front of the prompt (the cached prefix).
   */
  answerReserveTokens?: number;
  /** Longest wait for the start-up warm-up request before the app is ready anyway [120000]. */
  warmupTimeoutMs?: number;
  /** SSE comment heartbeat while the answer is silent [5000]. */
  heartbeatMs?: number;
  /** The documents to preload from [the State of the Union corpus, `loadCorpus()`]. */
  corpus?: () => readonly CorpusDocument[];
  /** The clock, in ms since the epoch [Date.now]: TTLs and LRU order read it (tests inject one). */
  now?: () => number;
  /** Start-up lines: the chosen documents, the warm-up [console.log]. */
  log?: (line: string) => void;
  /** Where `CAG_*` variables are read from [process.env]. */
  env?: Record<string, string | undefined>;
}

/**
 * {@link CagAppOptions} with every default filled in.
 *
 * @example
 * ```ts
 * const { contextTokens, semanticThreshold }: ResolvedCagOptions = resolveCagOptions({ db, llm });
 * ```
 */
export interface ResolvedCagOptions {
  contextTokens: number;
  semanticThreshold: number;
  cacheTtlS: number;
  cacheMaxEntries: number;
  maxGenerations: number;
  answerReserveTokens: number;
  warmupTimeoutMs: number;
  heartbeatMs: number;
  now: () => number;
  log: (line: string) => void;
}

const KNOWN = new Set([
  "db",
  "llm",
  "contextTokens",
  "semanticThreshold",
  "cacheTtlS",
  "cacheMaxEntries",
  "maxGenerations",
  "answerReserveTokens",
  "warmupTimeoutMs",
  "heartbeatMs",
  "corpus",
  "now",
  "log",
  "env",
]);

/**
 * Validates the options, reads the `CAG_*` variables for those not given, and fills in the
 * defaults. Throws {@link CagOptionError} (`CAG_INVALID_OPTION`) naming the option or variable.
 *
 * @example
 * ```ts
 * resolveCagOptions({ db, llm, env: { CAG_CACHE_TTL_S: "60" } }).cacheTtlS; // 60
 * ```
 */
export function resolveCagOptions(options: CagAppOptions): ResolvedCagOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new CagOptionError(key, "unknown option");
  }
  if (typeof options.db !== "object" || options.db === null) {
    throw new CagOptionError("db", "the SqlitePool is required");
  }
  if (typeof options.llm !== "object" || options.llm === null) {
    throw new CagOptionError("llm", "the Llm is required");
  }
  const env = options.env ?? process.env;
  const pick = (name: keyof CagAppOptions, variable: string, min: number, max: number) =>
    integer(name, options[name], variable, env[variable], min, max);

  const resolved: ResolvedCagOptions = {
    contextTokens: pick("contextTokens", "CAG_CONTEXT_TOKENS", 256, 10_000_000) ?? 24_000,
    semanticThreshold:
      threshold(options.semanticThreshold, env.CAG_SEMANTIC_THRESHOLD) ??
      defaultSemanticThreshold(options.llm.embedModel),
    cacheTtlS: pick("cacheTtlS", "CAG_CACHE_TTL_S", 1, 10 * 365 * 86_400) ?? 86_400,
    cacheMaxEntries: pick("cacheMaxEntries", "CAG_CACHE_MAX_ENTRIES", 1, 10_000_000) ?? 5_000,
    maxGenerations: pick("maxGenerations", "CAG_MAX_GENERATIONS", 1, 1_024) ?? 2,
    answerReserveTokens:
      integer("answerReserveTokens", options.answerReserveTokens, "", undefined, 0, 1_000_000) ??
      2_048,
    warmupTimeoutMs:
      integer("warmupTimeoutMs", options.warmupTimeoutMs, "", undefined, 1, 3_600_000) ?? 120_000,
    heartbeatMs: integer("heartbeatMs", options.heartbeatMs, "", undefined, 10, 600_000) ?? 5_000,
    now: fn("now", options.now) ?? Date.now,
    log: fn("log", options.log) ?? ((line: string) => console.log(line)),
  };
  if (options.corpus !== undefined) fn("corpus", options.corpus);
  const fits = resolved.contextTokens + resolved.answerReserveTokens <= options.llm.numCtx;
  if (!fits) {
    throw new CagOptionError(
      options.contextTokens === undefined && env.CAG_CONTEXT_TOKENS
        ? "CAG_CONTEXT_TOKENS"
        : "contextTokens",
      `${resolved.contextTokens} tokens of context plus ${resolved.answerReserveTokens} for the ` +
        `question and answer exceed the LLM's num_ctx of ${options.llm.numCtx} (LLM_NUM_CTX): ` +
        "Ollama would cut the front of the prompt",
    );
  }
  return resolved;
}

function integer(
  name: string,
  given: unknown,
  variable: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (given !== undefined) {
    if (typeof given !== "number" || !Number.isSafeInteger(given) || given < min || given > max) {
      throw new CagOptionError(
        name,
        `expected an integer from ${min} to ${max}, got ${String(given)}`,
      );
    }
    return given;
  }
  const text = raw?.trim();
  if (text === undefined || text === "") return undefined;
  const n = /^\d[\d_]*$/.test(text) ? Number(text.replaceAll("_", "")) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CagOptionError(variable, `expected an integer from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

function threshold(given: unknown, raw: string | undefined): number | undefined {
  const check = (value: number) => Number.isFinite(value) && value > 0 && value <= 1;
  if (given !== undefined) {
    if (typeof given !== "number" || !check(given)) {
      throw new CagOptionError(
        "semanticThreshold",
        `expected a number in (0, 1], got ${String(given)}`,
      );
    }
    return given;
  }
  const text = raw?.trim();
  if (text === undefined || text === "") return undefined;
  const value = /^\d*\.?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!check(value)) {
    throw new CagOptionError(
      "CAG_SEMANTIC_THRESHOLD",
      `expected a number in (0, 1], got "${text}"`,
    );
  }
  return value;
}

function fn<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new CagOptionError(name, "expected a function");
  }
  return value;
}
