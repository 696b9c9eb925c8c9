import { errorResponse as error, jsonContent as json } from "@app/kit";
import { createRoute } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import {
  ASK_MAX_BYTES,
  AskRequestSchema,
  AskResponseSchema,
  CacheStatsSchema,
  ClearCacheSchema,
  ContextSchema,
} from "./schemas.ts";

const notReady = error("The app is still starting (NOT_READY, with progress)");

/**
 * `POST /ask` (mounted: `POST /cag/ask`): an answer from the cache or the preloaded context.
 *
 * @example
 * ```ts
 * app.openapi(askRoute, async (c) => c.json(await service.ask(c.req.valid("json").question), 200));
 * ```
 */
export const askRoute = createRoute({
  method: "post",
  path: "/ask",
  summary: "Answer a question against the preloaded context, from the cache when possible",
  middleware: [bodyLimit({ maxSize: ASK_MAX_BYTES })] as const,
  request: { body: { required: true, content: json(AskRequestSchema) } },
  responses: {
    200: {
      description:
        "The answer; with stream: true or Accept: text/event-stream, Server-Sent Events: " +
        "`token` ({ content }) events, then `done` (this object), or `error` ({ code, message }); " +
        "`: ping` comments while the LLM is silent",
      content: {
        ...json(AskResponseSchema),
        "text/event-stream": { schema: AskResponseSchema },
      },
    },
    400: error("VALIDATION_FAILED or INVALID_JSON"),
    413: error("PAYLOAD_TOO_LARGE"),
    415: error("UNSUPPORTED_MEDIA_TYPE"),
    502: error("LLM_ERROR (the LLM answered an error status) or LLM_STREAM_ERROR (mid-answer)"),
    503: error("LLM_UNAVAILABLE (not cached, and the LLM is down) or NOT_READY"),
  },
});

/**
 * `GET /cache/stats`: the cache size and the counters since start-up.
 *
 * @example
 * ```ts
 * app.openapi(cacheStatsRoute, async (c) => c.json(stats(), 200));
 * ```
 */
export const cacheStatsRoute = createRoute({
  method: "get",
  path: "/cache/stats",
  summary: "Answer cache size and hit counters (since start-up)",
  responses: {
    200: { description: "The figures", content: json(CacheStatsSchema) },
    503: notReady,
  },
});

/**
 * `DELETE /cache`: empties the answer cache.
 *
 * @example
 * ```ts
 * app.openapi(clearCacheRoute, async (c) => c.json({ deleted: await cache.clear() }, 200));
 * ```
 */
export const clearCacheRoute = createRoute({
  method: "delete",
  path: "/cache",
  summary: "Empty the answer cache",
  responses: {
    200: { description: "How many entries were removed", content: json(ClearCacheSchema) },
    503: notReady,
  },
});

/**
 * `GET /context`: which addresses are preloaded, their estimated tokens, the hash, the warm-up.
 *
 * @example
 * ```ts
 * app.openapi(contextRoute, (c) => c.json(info, 200));
 * ```
 */
export const contextRoute = createRoute({
  method: "get",
  path: "/context",
  summary: "The preloaded context: chosen addresses, estimated tokens, hash, warm-up",
  responses: {
    200: { description: "The context", content: json(ContextSchema) },
    503: notReady,
  },
});
