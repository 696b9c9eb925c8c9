import { AppError, type Llm } from "@app/kit";
import type { AnswerCache } from "./answer-cache.ts";
import type { CacheOutcome, CagCounters } from "./cag-metrics.ts";
import { GenerationGate } from "./generation-gate.ts";
import { type ChatStats, chatWithContext } from "./llm-chat.ts";
import { llmError, llmUnavailable } from "./llm-errors.ts";
import { normalizeQuestion } from "./normalize-question.ts";
import type { PreloadedContext } from "./preloaded-context.ts";
import { SharedGeneration } from "./shared-generation.ts";

/**
 * Where the time of one ask went, in milliseconds (and the LLM's own figures on a miss).
 *
 * @example
 * ```ts
 * const { totalMs, promptEvalMs }: AskTimings = (await service.ask(q)).timings;
 * ```
 */
export interface AskTimings {
  totalMs: number;
  /** The exact lookup in SQLite. */
  lookupMs: number;
  /** Embedding the question (not on an exact hit). */
  embedMs?: number;
  /** The semantic lookup (not on an exact hit). */
  semanticMs?: number;
  /** The LLM call (a miss), or waiting for another ask's (an ask that joined one in flight). */
  generationMs?: number;
  /** The LLM's `prompt_eval_duration`, on a miss. */
  promptEvalMs?: number;
  /** The LLM's `prompt_eval_count`, on a miss. */
  promptEvalTokens?: number;
  /** The LLM's `eval_count`, on a miss. */
  evalTokens?: number;
}

/**
 * The answer to one ask.
 *
 * @example
 * ```ts
 * const result: AskResult = await service.ask("What about jobs?"); // { answer, cache: "miss", ... }
 * ```
 */
export interface AskResult {
  answer: string;
  cache: CacheOutcome;
  /** The chat model the answer came from. */
  model: string;
  contextHash: string;
  /** The LLM's availability when this was answered: a cached answer is served when it is "down". */
  llm: "up" | "down";
  /** On a semantic hit: the cached question that matched, and its cosine similarity. */
  matched?: { question: string; score: number };
  timings: AskTimings;
}

/**
 * Options of one {@link AnswerService.ask}.
 *
 * @example
 * ```ts
 * await service.ask(q, { signal: c.req.raw.signal, onToken: (text) => send(text) } satisfies AskOptions);
 * ```
 */
export interface AskOptions {
  /** The asker left: stop waiting (and abort the generation if nobody else waits for it). */
  signal?: AbortSignal;
  /** Each piece of the answer as it comes (a cached answer comes as one piece). */
  onToken?: (text: string) => void;
}

/** What the one resolution of a question in flight found: a semantic hit or a new answer. */
interface Resolution {
  answer: string;
  kind: "semantic" | "miss";
  matched?: { question: string; score: number };
  embedMs: number;
  semanticMs: number;
  generationMs?: number;
  stats?: ChatStats;
}

/**
 * Answers questions against the preloaded context: an exact hit in the cache first; otherwise
 * one resolution per normalized question in flight, which embeds the question, looks for a
 * semantic hit and, failing that, makes the one LLM call (at most `maxGenerations` at once, see
 * {@link GenerationGate}) and stores its answer before leaving
 * the in-flight map. Concurrent asks of the same question join that resolution instead of
 * repeating any of it, and report `exact` (or `semantic` when that is what it found). A cached
 * answer is served even when the LLM is down; anything that needs the LLM then fails with 503
 * `LLM_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const service = new AnswerService({ llm, cache, counters, context, semanticThreshold: 0.93 });
 * const result = await service.ask("What did the president say about jobs?");
 * result.cache; // "miss", then "exact" for the same question
 * ```
 */
export class AnswerService {
  readonly #llm: Llm;
  readonly #cache: AnswerCache;
  readonly #counters: CagCounters;
  readonly #context: PreloadedContext;
  readonly #threshold: number;
  readonly #gate: GenerationGate;
  readonly #inFlight = new Map<string, SharedGeneration<Resolution>>();
  #closed = false;

  constructor(options: {
    llm: Llm;
    cache: AnswerCache;
    counters: CagCounters;
    context: PreloadedContext;
    semanticThreshold: number;
    /** LLM generations at once; more misses wait their turn here. [2] */
    maxGenerations?: number;
  }) {
    this.#gate = new GenerationGate(options.maxGenerations ?? 2);
    this.#llm = options.llm;
    this.#cache = options.cache;
    this.#counters = options.counters;
    this.#context = options.context;
    this.#threshold = options.semanticThreshold;
  }

  /** Questions being resolved now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Aborts every resolution in flight (their askers get 503 `LLM_UNAVAILABLE`: the app is
   * closing) and waits until each has settled, so nothing keeps using the pools after it.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#inFlight.values()];
    const reason = new AppError(503, "LLM_UNAVAILABLE", "the cag app is closing");
    for (const resolution of running) resolution.abort(reason);
    await Promise.allSettled(running.map((resolution) => resolution.done));
  }

  /**
   * Answers `question`.
   * @throws {AppError} 400 `VALIDATION_FAILED` (no words), 503 `LLM_UNAVAILABLE`, 502
   *   `LLM_ERROR` or `LLM_STREAM_ERROR`; `signal.reason` when the asker left.
   */
  async ask(question: string, options: AskOptions = {}): Promise<AskResult> {
    const { signal, onToken } = options;
    const started = performance.now();
    const normalized = normalizeQuestion(question);
    if (normalized === "") {
      throw new AppError(400, "VALIDATION_FAILED", "question: has no words", "question");
    }
    if (this.#closed) throw new AppError(503, "LLM_UNAVAILABLE", "the cag app is closing");
    const key = this.#cache.keyOf(normalized);
    try {
      // In flight first: its answer is stored before it leaves the map, so no window opens
      // between "not in the cache yet" and "no longer in flight".
      let running = this.#joinable(key);
      let lookupMs = 0;
      if (!running) {
        const exact = await this.#cache.getExact(key);
        lookupMs = elapsed(started);
        if (exact) {
          this.#counters.served("exact");
          onToken?.(exact.answer);
          return this.#result(exact.answer, "exact", { totalMs: elapsed(started), lookupMs });
        }
        running = this.#joinable(key);
      }
      const leader = !running;
      const resolution = running ?? this.#resolve(key, question, normalized);
      const waitStarted = performance.now();
      const found = await resolution.join(signal, onToken);
      const timings: AskTimings = { totalMs: elapsed(started), lookupMs };
      if (!leader) {
        // Served by another ask's work: no LLM call of its own.
        const kind = found.kind === "miss" ? "exact" : "semantic";
        this.#counters.served(kind, true);
        return this.#result(found.answer, kind, {
          ...timings,
          generationMs: elapsed(waitStarted),
        });
      }
      this.#counters.served(found.kind);
      Object.assign(timings, { embedMs: found.embedMs, semanticMs: found.semanticMs });
      if (found.generationMs !== undefined) timings.generationMs = found.generationMs;
      if (found.stats) {
        timings.promptEvalMs = round(found.stats.promptEvalDurationNs / 1e6);
        timings.promptEvalTokens = found.stats.promptEvalCount;
        timings.evalTokens = found.stats.evalCount;
      }
      const result = this.#result(found.answer, found.kind, timings);
      return found.matched ? { ...result, matched: found.matched } : result;
    } catch (error) {
      this.#counters.failed();
      throw llmError(error, this.#llm, signal);
    }
  }

  /**
   * The resolution of `key` in flight, unless every asker left it: it is being aborted, and an
   * ask joining it would get that abort instead of an answer. A new resolution replaces it.
   */
  #joinable(key: string): SharedGeneration<Resolution> | undefined {
    const running = this.#inFlight.get(key);
    return running?.abandoned ? undefined : running;
  }

  /** Starts the one resolution of `key`; it leaves the in-flight map only once it settled. */
  #resolve(key: string, question: string, normalized: string): SharedGeneration<Resolution> {
    const resolution = new SharedGeneration<Resolution>(async (signal, emit) => {
      if (!this.#llm.state().available) throw llmUnavailable(this.#llm);
      const embedStarted = performance.now();
      const embedding = await this.#embed(question, signal);
      const embedMs = elapsed(embedStarted);
      const semanticStarted = performance.now();
      const similar = await this.#cache.findSemantic(embedding, this.#threshold);
      const semanticMs = elapsed(semanticStarted);
      if (similar) {
        emit(similar.answer);
        return {
          answer: similar.answer,
          kind: "semantic",
          matched: { question: similar.question, score: round(similar.score, 4) },
          embedMs,
          semanticMs,
        };
      }
      const generationStarted = performance.now();
      const { answer, stats } = await this.#gate.run(signal, () => {
        this.#counters.llmCall();
        return chatWithContext(this.#llm, this.#context.prefix, question, {
          signal,
          onToken: emit,
        });
      });
      const generationMs = elapsed(generationStarted);
      if (stats) this.#counters.promptEval(stats);
      try {
        await this.#cache.put({ key, question, normalized, answer, embedding });
      } catch (error) {
        // The answer is good; only later asks lose the cache.
        console.error("cag: storing an answer in the cache failed:", error);
      }
      const found: Resolution = { answer, kind: "miss", embedMs, semanticMs, generationMs };
      if (stats) found.stats = stats;
      return found;
    });
    this.#inFlight.set(key, resolution);
    const forget = () => {
      if (this.#inFlight.get(key) === resolution) this.#inFlight.delete(key);
    };
    resolution.done.then(forget, forget);
    return resolution;
  }

  async #embed(question: string, signal: AbortSignal): Promise<number[]> {
    const { embeddings } = await this.#llm.ollama.embed({
      model: this.#llm.embedModel,
      input: question,
      keep_alive: this.#llm.keepAlive,
    });
    signal.throwIfAborted();
    const embedding = embeddings[0];
    if (!embedding || embedding.length === 0) {
      throw new AppError(502, "LLM_ERROR", "the LLM returned no embedding for the question");
    }
    return embedding;
  }

  #result(answer: string, cache: CacheOutcome, timings: AskTimings): AskResult {
    return {
      answer,
      cache,
      model: this.#context.model,
      contextHash: this.#context.hash,
      llm: this.#llm.state().available ? "up" : "down",
      timings,
    };
  }
}

function elapsed(since: number): number {
  return round(performance.now() - since);
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
