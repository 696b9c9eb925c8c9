import { DEFAULT_DIMENSIONS } from "./embed-text.ts";
import { checkInteger, checkKeys, StandinError } from "./errors.ts";
import { checkFaults, type Faults } from "./faults.ts";

/**
 * Options of {@link startStandin}. Every field is optional; the defaults are in
 * {@link resolveOptions}.
 *
 * @example
 * ```ts
 * const standin = await startStandin({ chunkDelayMs: 5, slots: 1, faults: { headersDelayMs: 50 } });
 * ```
 */
export interface StandinOptions {
  /** TCP port; `0` (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  hostname?: string;
  /** Name of the chat model (default `standin-chat`). */
  chatModel?: string;
  /** Name of the embedding model (default `standin-embed`). */
  embedModel?: string;
  /** Length of the embeddings (default 384). */
  dimensions?: number;
  /** Pause between two streamed chat chunks (default 0). */
  chunkDelayMs?: number;
  /** Words per streamed chat chunk (default 3). */
  wordsPerChunk?: number;
  /** Parallel chat slots, like `OLLAMA_NUM_PARALLEL` (default 2). */
  slots?: number;
  /** Modelled prompt evaluation cost per token not reused, in ns (default 200,000: 5k tokens/s). */
  promptEvalNsPerToken?: number;
  /** `num_ctx` assumed when a request sets none (default 4096, Ollama's). */
  defaultNumCtx?: number;
  /** Entries kept in the request log (default 1000). */
  maxLogEntries?: number;
  /** Faults injected from the start (see {@link Faults}). */
  faults?: Faults;
}

/** {@link StandinOptions} with every default filled in. */
export type ResolvedStandinOptions = Required<StandinOptions>;

const DEFAULTS: ResolvedStandinOptions = {
  port: 0,
  hostname: "127.0.0.1",
  chatModel: "standin-chat",
  embedModel: "standin-embed",
  dimensions: DEFAULT_DIMENSIONS,
  chunkDelayMs: 0,
  wordsPerChunk: 3,
  slots: 2,
  promptEvalNsPerToken: 200_000,
  defaultNumCtx: 4096,
  maxLogEntries: 1000,
  faults: {},
};

/**
 * Validates options and fills in the defaults; throws `STANDIN_INVALID_OPTION` naming the field
 * on an unknown key or a bad value.
 *
 * @example
 * ```ts
 * resolveOptions({ slots: 4 }).chatModel; // "standin-chat"
 * ```
 */
export function resolveOptions(options: StandinOptions = {}): ResolvedStandinOptions {
  checkKeys("option", options, Object.keys(DEFAULTS));
  checkInteger("port", options.port, 0, 65_535);
  checkInteger("dimensions", options.dimensions, 1, 65_536);
  checkInteger("chunkDelayMs", options.chunkDelayMs, 0, 600_000);
  checkInteger("wordsPerChunk", options.wordsPerChunk, 1, 10_000);
  checkInteger("slots", options.slots, 1, 1024);
  checkInteger("promptEvalNsPerToken", options.promptEvalNsPerToken, 0, 1_000_000_000);
  checkInteger("defaultNumCtx", options.defaultNumCtx, 1, 10_000_000);
  checkInteger("maxLogEntries", options.maxLogEntries, 0, 10_000_000);
  for (const name of ["hostname", "chatModel", "embedModel"] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw new StandinError("STANDIN_INVALID_OPTION", `${name} must be a non-empty string`, name);
    }
  }
  if (options.faults !== undefined) checkFaults(options.faults);
  const resolved = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) Object.assign(resolved, { [key]: value });
  }
  return resolved;
}
