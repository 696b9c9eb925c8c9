import {
  type AppHealth,
  createApi,
  type ExampleApp,
  liftIdleTimeout,
  loadCorpus,
  notReady,
  type ProgressReporter,
  Readiness,
} from "@app/kit";
import { AnswerCache } from "./answer-cache.ts";
import { AnswerService } from "./answer-service.ts";
import { streamAsk } from "./ask-stream.ts";
import { CagCounters, type CagMetrics, type PromptEvalEvent } from "./cag-metrics.ts";
import { type CagAppOptions, resolveCagOptions } from "./cag-options.ts";
import { cagMigrations } from "./migrations.ts";
import { buildContext, type PreloadedContext } from "./preloaded-context.ts";
import { askRoute, cacheStatsRoute, clearCacheRoute, contextRoute } from "./routes.ts";
import { type WarmupReport, warmUp } from "./warm-up.ts";

/**
 * The CAG app, plus what it knows of its context and its counters.
 *
 * @example
 * ```ts
 * const cag: CagApp = createCagApp({ db, llm });
 * cag.metrics().llmCallsSaved;
 * ```
 */
export interface CagApp extends ExampleApp {
  /** The preloaded context, once `start()` has built it. */
  context(): PreloadedContext | undefined;
  /** How the start-up warm-up went (`null` until it ran). */
  warmup(): WarmupReport | null;
  /** Counters since creation: hits by kind, misses, LLM calls, prompt evaluation sums and last. */
  metrics(): CagMetrics;
  /** Calls `listener` with each user generation's prompt evaluation; returns the unsubscribe. */
  onPromptEval(listener: (event: PromptEvalEvent) => void): () => void;
}

/**
 * Cache-augmented generation over the State of the Union addresses. `start()` chooses the most
 * recent addresses that fit `contextTokens`, builds the one byte-stable system prompt, purges
 * cached answers of another model or context, and warms the model with that prompt. Then
 * `POST /ask` answers from the cache (exact, then semantic) or with one LLM call per distinct
 * question; `GET /cache/stats`, `DELETE /cache`, `GET /context`. Routes answer 503 `NOT_READY`
 * until `start()` resolves.
 *
 * @example
 * ```ts
 * const cag = createCagApp({ db, llm });
 * await db.migrate(cag.name, cag.migrations);
 * root.route("/cag", cag.app);
 * await cag.start(createProgressReporter());
 * // POST /cag/ask { "question": "What did the president say about jobs?" }
 * ```
 */
export function createCagApp(options: CagAppOptions): CagApp {
  const settings = resolveCagOptions(options);
  const { db, llm } = options;
  const readiness = new Readiness();
  const counters = new CagCounters();
  const cache = new AnswerCache(db, {
    now: settings.now,
    ttlS: settings.cacheTtlS,
    maxEntries: settings.cacheMaxEntries,
  });
  const stop = new AbortController();
  let context: PreloadedContext | undefined;
  let service: AnswerService | undefined;
  let warmup: WarmupReport | null = null;
  let starting: Promise<void> | undefined;

  const app = createApi();
  app.use(
    "*",
    notReady(() => readiness.health()),
  );

  app.openapi(askRoute, async (c) => {
    const { question, stream } = c.req.valid("json");
    liftIdleTimeout(c);
    const ask = service!;
    const wantsStream =
      stream === true ||
      (stream === undefined && (c.req.header("accept") ?? "").includes("text/event-stream"));
    if (wantsStream) {
      const response = await streamAsk(
        c,
        (signal, onToken) => ask.ask(question, { signal, onToken }),
        settings.heartbeatMs,
      );
      return response as never;
    }
    const signal = c.req.raw.signal;
    try {
      return c.json(await ask.ask(question, { signal }), 200);
    } catch (error) {
      // 499, nginx's "client closed request": nobody reads it, but logs and metrics should not say 500.
      if (signal.aborted) return new Response(null, { status: 499 }) as never;
      throw error;
    }
  });

  app.openapi(cacheStatsRoute, async (c) => {
    const { entries, bytes } = await cache.size();
    const m = counters.snapshot();
    const hits = m.hits.exact + m.hits.semantic;
    return c.json(
      {
        entries,
        bytes,
        maxEntries: settings.cacheMaxEntries,
        ttlS: settings.cacheTtlS,
        semanticThreshold: settings.semanticThreshold,
        hits: m.hits,
        coalesced: m.coalesced,
        misses: m.misses,
        hitRatio: hits + m.misses === 0 ? 0 : Math.round((hits / (hits + m.misses)) * 1e4) / 1e4,
        errors: m.errors,
        llmCalls: m.llmCalls,
        llmCallsSaved: m.llmCallsSaved,
        inFlight: service?.inFlight ?? 0,
      },
      200,
    );
  });

  app.openapi(clearCacheRoute, async (c) => c.json({ deleted: await cache.clear() }, 200));

  app.openapi(contextRoute, (c) => {
    const { prefix: _prefix, ...info } = context!;
    return c.json({ ...info, warmup }, 200);
  });

  async function runStart(progress: ProgressReporter | undefined): Promise<void> {
    const label = "cag: context";
    try {
      readiness.seeding({ done: 0, total: 2, unit: "steps", detail: "choosing the documents" });
      context = buildContext(options.corpus?.() ?? loadCorpus(), {
        budgetTokens: settings.contextTokens,
        model: llm.chatModel,
      });
      settings.log(describeContext(context));
      const purged = await cache.open({
        model: llm.chatModel,
        contextHash: context.hash,
        embedModel: llm.embedModel,
      });
      if (purged > 0) {
        settings.log(`cag: purged ${purged} cached answers of another model, context or age`);
      }
      service = new AnswerService({
        llm,
        cache,
        counters,
        context,
        semanticThreshold: settings.semanticThreshold,
        maxGenerations: settings.maxGenerations,
      });
      readiness.seeding({ done: 1, total: 2, unit: "steps", detail: "warming the model" });
      progress?.update(label, { done: 1, total: 2, unit: "steps" });
      warmup = await warmUp(
        llm,
        context,
        AbortSignal.any([stop.signal, AbortSignal.timeout(settings.warmupTimeoutMs)]),
      );
      const summary = warmup.ok
        ? `warm-up in ${warmup.ms} ms (prompt evaluation ${warmup.promptEvalMs ?? "?"} ms)`
        : `not warmed up: ${warmup.error}`;
      settings.log(`cag: ${summary}`);
      progress?.end(
        label,
        `${context.documents.length} addresses, ~${context.tokens} tokens; ${summary}`,
      );
      readiness.ready();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      readiness.failed(message);
      progress?.end(label, `failed: ${message}`);
      throw error;
    }
  }

  return {
    name: "cag",
    app,
    migrations: cagMigrations,
    async start(progress?: ProgressReporter) {
      starting ??= runStart(progress);
      await starting;
    },
    health(): AppHealth {
      const health = readiness.health();
      if (health.ready && context) {
        health.detail =
          `${context.documents.length} addresses, ~${context.tokens} tokens, ` +
          `context ${context.hash.slice(0, 12)}; warm-up ${warmup?.ok ? "done" : "not done"}`;
      }
      return health;
    },
    async close() {
      stop.abort(new Error("the cag app is closing"));
      await starting?.catch(() => {});
      await service?.close();
    },
    context: () => context,
    warmup: () => warmup,
    metrics: () => counters.snapshot(),
    onPromptEval: (listener) => counters.onPromptEval(listener),
  };
}

function describeContext(context: PreloadedContext): string {
  const titles = context.documents.map((doc) => `${doc.title} (~${doc.tokens})`).join("; ");
  return (
    `cag: preloaded ${context.documents.length} addresses, ~${context.tokens} of ` +
    `${context.budgetTokens} tokens (max of chars/4 and words×1.3), ${context.bytes} bytes, ` +
    `context ${context.hash.slice(0, 12)}: ${titles}`
  );
}
