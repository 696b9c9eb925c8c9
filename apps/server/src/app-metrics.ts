import type { ExampleApp } from "@app/kit";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** What the server reads of an app that reports LLM work (the CAG app does). */
interface LlmReportingApp extends ExampleApp {
  metrics(): {
    hits: { exact: number; semantic: number };
    coalesced: number;
    misses: number;
    llmCalls: number;
    llmCallsSaved: number;
    promptEval: { seconds: number; tokens: number };
  };
  onPromptEval(listener: (event: { seconds: number }) => void): () => void;
}

function reportsLlmWork(app: ExampleApp): app is LlmReportingApp {
  return (
    typeof (app as Partial<LlmReportingApp>).metrics === "function" &&
    typeof (app as Partial<LlmReportingApp>).onPromptEval === "function"
  );
}

/** From a prefix-cached question (milliseconds) to a cold model load with a long prompt. */
const PROMPT_EVAL_BUCKETS_S = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

/**
 * The apps' own figures in the server's metric names, mapped here (as `pool-metrics.ts` maps
 * the pools') so a change inside an app touches this file and no dashboard: the answer cache's
 * hits by kind, misses and LLM calls saved, and the prompt evaluation time of each LLM call,
 * which is what a real Ollama shows of the reuse of a preloaded prefix. Values are read at
 * scrape time; the histogram is fed as generations finish.
 *
 * @returns the metric names registered (none when no mounted app reports LLM work).
 * @example
 * ```ts
 * registerAppMetrics(registry, [search, rag, cag]);
 * ```
 */
export function registerAppMetrics(registry: Registry, apps: ExampleApp[]): string[] {
  const reporting = apps.filter(reportsLlmWork);
  if (reporting.length === 0) return [];
  const labelNames = ["app"];
  const promptEval = new Histogram({
    name: "llm_prompt_eval_seconds",
    help: "Prompt evaluation time of each LLM call (Ollama's prompt_eval_duration), by app.",
    labelNames,
    buckets: PROMPT_EVAL_BUCKETS_S,
    registers: [registry],
  });
  for (const app of reporting) {
    app.onPromptEval((event) => promptEval.observe({ app: app.name }, event.seconds));
  }
  type Figures = ReturnType<LlmReportingApp["metrics"]>;
  const counter = (name: string, help: string, pick: (m: Figures) => number) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const app of reporting) this.inc({ app: app.name }, pick(app.metrics()));
      },
    });
  new Counter({
    name: "app_answer_cache_hits_total",
    help: "Answers served from the app's answer cache, by kind (exact includes answers shared with a generation in flight).",
    labelNames: ["app", "kind"],
    registers: [registry],
    collect() {
      this.reset();
      for (const app of reporting) {
        const m = app.metrics();
        this.inc({ app: app.name, kind: "exact" }, m.hits.exact);
        this.inc({ app: app.name, kind: "semantic" }, m.hits.semantic);
      }
    },
  });
  counter(
    "app_answer_cache_misses_total",
    "Asks answered by an LLM call of their own.",
    (m) => m.misses,
  );
  counter(
    "app_llm_calls_total",
    "LLM chat calls made for users (warm-ups excluded).",
    (m) => m.llmCalls,
  );
  counter(
    "app_llm_calls_saved_total",
    "LLM chat calls the answer cache and shared generations saved.",
    (m) => m.llmCallsSaved,
  );
  counter(
    "app_prompt_eval_tokens_total",
    "Prompt tokens the LLM reported evaluating (prompt_eval_count).",
    (m) => m.promptEval.tokens,
  );
  new Gauge({
    name: "app_answer_cache_hit_ratio",
    help: "Share of asks served without an LLM call of their own, since start.",
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const app of reporting) {
        const m = app.metrics();
        const total = m.llmCallsSaved + m.misses;
        this.set({ app: app.name }, total === 0 ? 0 : m.llmCallsSaved / total);
      }
    },
  });
  return [
    "llm_prompt_eval_seconds",
    "app_answer_cache_hits_total",
    "app_answer_cache_misses_total",
    "app_llm_calls_total",
    "app_llm_calls_saved_total",
    "app_prompt_eval_tokens_total",
    "app_answer_cache_hit_ratio",
  ];
}
