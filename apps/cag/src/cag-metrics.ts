import type { ChatStats } from "./llm-chat.ts";

/**
 * How an ask was served.
 *
 * @example
 * ```ts
 * const outcome: CacheOutcome = (await service.ask(q)).cache; // "exact" | "semantic" | "miss"
 * ```
 */
export type CacheOutcome = "exact" | "semantic" | "miss";

/**
 * One user generation's prompt evaluation, as Ollama reported it.
 *
 * @example
 * ```ts
 * cag.onPromptEval((event: PromptEvalEvent) => histogram.observe(event.seconds));
 * ```
 */
export interface PromptEvalEvent {
  /** `prompt_eval_duration` in seconds: what a real Ollama shows of the prefix reuse. */
  seconds: number;
  /** `prompt_eval_count`: tokens of the whole prompt (the reused prefix included). */
  tokens: number;
  /** `eval_count`: tokens generated. */
  evalTokens: number;
}

/**
 * The counters `metrics()` returns, since the app was created.
 *
 * @example
 * ```ts
 * const { hits, misses, promptEval }: CagMetrics = cag.metrics();
 * ```
 */
export interface CagMetrics {
  /** Asks answered or failed after validation. */
  asks: number;
  /** Served from the cache, by kind; `exact` includes `coalesced`. */
  hits: { exact: number; semantic: number };
  /** Asks that joined another ask's generation in flight (reported as `exact`). */
  coalesced: number;
  /** Asks answered by a generation of their own. */
  misses: number;
  /** Asks that failed (LLM unavailable, LLM error, ...), or whose asker left. */
  errors: number;
  /** Chat requests made for users (the warm-up is not one). */
  llmCalls: number;
  /** Chat requests the cache and coalescing saved: `hits.exact + hits.semantic`. */
  llmCallsSaved: number;
  /** Prompt evaluation over the user generations that reported it. */
  promptEval: {
    requests: number;
    /** Sum of `prompt_eval_duration`, seconds. */
    seconds: number;
    /** Sum of `prompt_eval_count`. */
    tokens: number;
    last: PromptEvalEvent | null;
  };
}

/**
 * The app's counters, and the listeners that want each prompt evaluation as it happens (the
 * server feeds a Prometheus histogram from them).
 *
 * @example
 * ```ts
 * const counters = new CagCounters();
 * counters.served("exact");
 * counters.snapshot().llmCallsSaved; // 1
 * ```
 */
export class CagCounters {
  readonly #metrics: CagMetrics = {
    asks: 0,
    hits: { exact: 0, semantic: 0 },
    coalesced: 0,
    misses: 0,
    errors: 0,
    llmCalls: 0,
    llmCallsSaved: 0,
    promptEval: { requests: 0, seconds: 0, tokens: 0, last: null },
  };
  readonly #listeners = new Set<(event: PromptEvalEvent) => void>();

  /** An ask answered: from the cache, by another ask's generation (`coalesced`), or by its own (`miss`). */
  served(kind: CacheOutcome, coalesced = false): void {
    this.#metrics.asks++;
    if (kind === "miss") {
      this.#metrics.misses++;
      return;
    }
    this.#metrics.hits[kind]++;
    this.#metrics.llmCallsSaved++;
    if (coalesced) this.#metrics.coalesced++;
  }

  /** An ask that failed (after validation). */
  failed(): void {
    this.#metrics.asks++;
    this.#metrics.errors++;
  }

  /** A chat request made for a user. */
  llmCall(): void {
    this.#metrics.llmCalls++;
  }

  promptEval(stats: ChatStats): void {
    const event: PromptEvalEvent = {
      seconds: stats.promptEvalDurationNs / 1e9,
      tokens: stats.promptEvalCount,
      evalTokens: stats.evalCount,
    };
    const p = this.#metrics.promptEval;
    p.requests++;
    p.seconds += event.seconds;
    p.tokens += event.tokens;
    p.last = event;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error("cag: a prompt evaluation listener threw:", error);
      }
    }
  }

  /** Calls `listener` after each user generation; returns the unsubscribe function. */
  onPromptEval(listener: (event: PromptEvalEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  snapshot(): CagMetrics {
    const m = this.#metrics;
    return {
      ...m,
      hits: { ...m.hits },
      promptEval: { ...m.promptEval, last: m.promptEval.last ? { ...m.promptEval.last } : null },
    };
  }
}
