import type { Llm } from "@app/kit";
import { chatWithContext } from "./llm-chat.ts";
import type { PreloadedContext } from "./preloaded-context.ts";

/**
 * The question of the warm-up request: short, and asking for one token.
 *
 * @example
 * ```ts
 * cagMessages(context.prefix, WARMUP_QUESTION);
 * ```
 */
export const WARMUP_QUESTION = "Reply with OK.";

/**
 * How the start-up warm-up went.
 *
 * @example
 * ```ts
 * const report: WarmupReport = await warmUp(llm, context, signal); // { ok: true, ms: 1200, promptEvalMs: 950 }
 * ```
 */
export interface WarmupReport {
  ok: boolean;
  ms: number;
  promptEvalMs?: number;
  promptEvalTokens?: number;
  /** Why it failed or was skipped. */
  error?: string;
}

/**
 * Sends one chat request carrying the preloaded context (with the same `num_ctx` and
 * `keep_alive` as every user request, and `num_predict: 1`), so Ollama loads the model and
 * evaluates the prefix now, not on the first user's request (10–70 s with a real model). Never
 * throws: a down LLM only means the first user pays for it.
 *
 * @example
 * ```ts
 * const report = await warmUp(llm, context, AbortSignal.timeout(120_000));
 * log(report.ok ? `warm in ${report.ms} ms` : `not warmed: ${report.error}`);
 * ```
 */
export async function warmUp(
  llm: Llm,
  context: PreloadedContext,
  signal: AbortSignal,
): Promise<WarmupReport> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  if (!llm.state().available) {
    return { ok: false, ms: 0, error: "the LLM is unavailable; the first miss will load it" };
  }
  try {
    const { stats } = await chatWithContext(llm, context.prefix, WARMUP_QUESTION, {
      signal,
      numPredict: 1,
    });
    const report: WarmupReport = { ok: true, ms: ms() };
    if (stats) {
      report.promptEvalMs = Math.round(stats.promptEvalDurationNs / 1e6);
      report.promptEvalTokens = stats.promptEvalCount;
    }
    return report;
  } catch (error) {
    return { ok: false, ms: ms(), error: error instanceof Error ? error.message : String(error) };
  }
}
