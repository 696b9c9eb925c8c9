import { AppError, ErrorSchema, type Llm } from "@app/kit";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";

const LlmInfoSchema = z
  .object({
    origin: z.string(),
    standin: z.boolean(),
    models: z.object({ chat: z.string(), embed: z.string() }),
    missing: z.array(z.string()),
    pull: z.array(z.string()),
    running: z
      .array(
        z.object({
          name: z.string(),
          size: z.number().optional(),
          expiresAt: z.string().optional(),
        }),
      )
      .openapi({ description: "Models loaded in memory now (Ollama's /api/ps)" }),
  })
  .openapi("LlmInfo");

const llmRoute = createRoute({
  method: "get",
  path: "/llm",
  summary: "The LLM in use, its models, and the models it has loaded now",
  description:
    "Asks the LLM (`/api/ps`) through the shared pool, so it also shows whether it answers. " +
    "503 `LLM_UNAVAILABLE` when it does not; the rest of the server is unaffected.",
  responses: {
    200: {
      description: "The LLM answered",
      content: { "application/json": { schema: LlmInfoSchema } },
    },
    503: {
      description: "LLM_UNAVAILABLE: the LLM did not answer",
      content: { "application/json": { schema: ErrorSchema } },
    },
  },
});

/** How long `/llm` waits for the LLM: it is a status route, not a generation. */
const PS_TIMEOUT_MS = 5_000;

/**
 * Adds `GET /llm`: the LLM's origin and models with what it has loaded now, fetched through the
 * shared pool. Also the pattern for LLM routes: a failure becomes 503 `LLM_UNAVAILABLE` (and
 * triggers an immediate re-check), never a 500.
 *
 * @example
 * ```ts
 * addLlmRoute(root, llm);
 * // curl localhost:3000/llm → { origin, standin, models, running: [{ name, expiresAt }] }
 * ```
 */
export function addLlmRoute(app: OpenAPIHono, llm: Llm): void {
  app.openapi(llmRoute, async (c) => {
    let running: Array<{ name: string; size?: number; expires_at?: string }>;
    try {
      const res = await llm.fetch("/api/ps", { signal: AbortSignal.timeout(PS_TIMEOUT_MS) });
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`GET /api/ps answered ${res.status}`);
      }
      running = ((await res.json()) as { models?: typeof running }).models ?? [];
    } catch (error) {
      void llm.recheck();
      const code = (error as { code?: unknown }).code;
      throw new AppError(
        503,
        "LLM_UNAVAILABLE",
        `the LLM at ${llm.origin} did not answer (${typeof code === "string" ? code : String(error)})`,
        undefined,
        { cause: error },
      );
    }
    const state = llm.state();
    return c.json(
      {
        origin: llm.origin,
        standin: llm.standin,
        models: state.models,
        missing: state.missing,
        pull: state.pull,
        running: running.map((m) => ({
          name: m.name,
          ...(m.size === undefined ? {} : { size: m.size }),
          ...(m.expires_at === undefined ? {} : { expiresAt: m.expires_at }),
        })),
      },
      200,
    );
  });
}
