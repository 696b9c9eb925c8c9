import { z } from "@hono/zod-openapi";

/**
 * Longest question, in characters.
 *
 * @example
 * ```ts
 * question.length <= QUESTION_MAX_CHARS;
 * ```
 */
export const QUESTION_MAX_CHARS = 2_000;
/**
 * Largest `/ask` body, in bytes (a 2,000-character question of 4-byte characters, and JSON).
 *
 * @example
 * ```ts
 * bodyLimit({ maxSize: ASK_MAX_BYTES });
 * ```
 */
export const ASK_MAX_BYTES = 16 * 1024;

/**
 * The body of `POST /ask`: a question (1–2,000 characters), optionally streamed.
 *
 * @example
 * ```ts
 * AskRequestSchema.parse({ question: "What about jobs?", stream: true });
 * ```
 */
export const AskRequestSchema = z
  .object({
    question: z
      .string()
      .trim()
      .min(1)
      .max(QUESTION_MAX_CHARS)
      .openapi({ example: "What did the president say about jobs and the economy?" }),
    stream: z.boolean().optional().openapi({
      description:
        "Answer as Server-Sent Events (token, then done); so does Accept: text/event-stream",
    }),
  })
  .strict()
  .openapi("CagAskRequest");

/**
 * Where the time of one ask went (see `AskTimings`).
 *
 * @example
 * ```ts
 * AskTimingsSchema.parse({ totalMs: 0.5, lookupMs: 0.4 });
 * ```
 */
export const AskTimingsSchema = z
  .object({
    totalMs: z.number(),
    lookupMs: z.number().openapi({ description: "The exact lookup in SQLite" }),
    embedMs: z.number().optional(),
    semanticMs: z.number().optional(),
    generationMs: z
      .number()
      .optional()
      .openapi({ description: "The LLM call, or the wait for another ask's in flight" }),
    promptEvalMs: z.number().optional().openapi({ description: "The LLM's prompt_eval_duration" }),
    promptEvalTokens: z.number().optional().openapi({ description: "The LLM's prompt_eval_count" }),
    evalTokens: z.number().optional().openapi({ description: "The LLM's eval_count" }),
  })
  .openapi("CagAskTimings");

/**
 * The JSON answer of `POST /ask` (and the data of the SSE `done` event).
 *
 * @example
 * ```ts
 * AskResponseSchema.parse(await res.json());
 * ```
 */
export const AskResponseSchema = z
  .object({
    answer: z.string(),
    cache: z.enum(["exact", "semantic", "miss"]).openapi({
      description:
        "exact: the same normalized question was cached or in flight; semantic: a cached question's embedding was close enough; miss: this ask called the LLM",
    }),
    model: z.string(),
    contextHash: z
      .string()
      .openapi({ description: "sha256 of the model and the preloaded context" }),
    llm: z.enum(["up", "down"]).openapi({
      description: "The LLM's availability; a cached answer is still served when it is down",
    }),
    matched: z
      .object({ question: z.string(), score: z.number() })
      .optional()
      .openapi({ description: "On a semantic hit: the cached question and its cosine similarity" }),
    timings: AskTimingsSchema,
  })
  .openapi("CagAskResponse");

/**
 * The body of `GET /cache/stats`.
 *
 * @example
 * ```ts
 * CacheStatsSchema.parse(await (await app.request("/cache/stats")).json());
 * ```
 */
export const CacheStatsSchema = z
  .object({
    entries: z.number().int(),
    bytes: z.number().int().openapi({ description: "Question, answer and embedding bytes stored" }),
    maxEntries: z.number().int(),
    ttlS: z.number().int(),
    semanticThreshold: z.number(),
    hits: z.object({ exact: z.number().int(), semantic: z.number().int() }),
    coalesced: z
      .number()
      .int()
      .openapi({ description: "Asks served by another ask in flight (in hits)" }),
    misses: z.number().int(),
    hitRatio: z.number().openapi({ description: "hits / (hits + misses); 0 before any" }),
    errors: z.number().int(),
    llmCalls: z.number().int().openapi({ description: "Chat requests made for users" }),
    llmCallsSaved: z.number().int(),
    inFlight: z.number().int(),
  })
  .openapi("CagCacheStats");

/**
 * The body of `DELETE /cache`.
 *
 * @example
 * ```ts
 * ClearCacheSchema.parse({ deleted: 2 });
 * ```
 */
export const ClearCacheSchema = z
  .object({ deleted: z.number().int().openapi({ description: "Entries removed" }) })
  .openapi("CagCacheCleared");

/**
 * The body of `GET /context`: the preloaded context without its text, and the warm-up.
 *
 * @example
 * ```ts
 * ContextSchema.parse(await (await app.request("/context")).json());
 * ```
 */
export const ContextSchema = z
  .object({
    hash: z.string(),
    model: z.string(),
    tokens: z.number().int().openapi({ description: "Estimated: max(chars / 4, words × 1.3)" }),
    budgetTokens: z.number().int(),
    bytes: z.number().int(),
    documents: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        year: z.number().int(),
        tokens: z.number().int(),
      }),
    ),
    warmup: z
      .object({
        ok: z.boolean(),
        ms: z.number(),
        promptEvalMs: z.number().optional(),
        promptEvalTokens: z.number().optional(),
        error: z.string().optional(),
      })
      .nullable(),
  })
  .openapi("CagContext");
