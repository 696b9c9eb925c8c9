import type { Llm } from "@app/kit";
import { type ChatResponse, type Message, Ollama } from "ollama";
import { llmStreamError } from "./llm-errors.ts";

/**
 * The figures of Ollama's last chat line, in its units (nanoseconds, tokens).
 *
 * @example
 * ```ts
 * const { stats } = await chatWithContext(llm, prefix, q);
 * stats?.promptEvalDurationNs; // small once the prefix is cached
 * ```
 */
export interface ChatStats {
  /** Tokens of the whole prompt, the reused prefix included. */
  promptEvalCount: number;
  /** Time spent evaluating the prompt: small when the prefix was reused from the slot's cache. */
  promptEvalDurationNs: number;
  evalCount: number;
  evalDurationNs: number;
  loadDurationNs: number;
  totalDurationNs: number;
}

/**
 * A finished chat answer.
 *
 * @example
 * ```ts
 * const { answer, stats }: ChatOutcome = await chatWithContext(llm, prefix, q);
 * ```
 */
export interface ChatOutcome {
  answer: string;
  /** `undefined` when the LLM sent no final statistics. */
  stats: ChatStats | undefined;
}

/**
 * Options of {@link chatWithContext}.
 *
 * @example
 * ```ts
 * await chatWithContext(llm, prefix, q, { signal, onToken: (t) => out.push(t), numPredict: 1 });
 * ```
 */
export interface ChatOptions {
  /** Aborts the request to the LLM, before its head or mid-stream. */
  signal?: AbortSignal;
  /** Each piece of the answer as it streams in. */
  onToken?: (text: string) => void;
  /** `options.num_predict`: the warm-up asks for one token only. */
  numPredict?: number;
}

/**
 * The two messages of every CAG request: the preloaded context as the system message, byte for
 * byte the same each time so the LLM reuses its evaluated prefix, then the question alone.
 *
 * @example
 * ```ts
 * cagMessages(context.prefix, "What about jobs?"); // [{ role: "system", ... }, { role: "user", content: "What about jobs?" }]
 * ```
 */
export function cagMessages(prefix: string, question: string): Message[] {
  return [
    { role: "system", content: prefix },
    { role: "user", content: question },
  ];
}

/**
 * Asks the chat model `question` against the preloaded `prefix`, streamed (so a long answer
 * never waits on one response head, and the caller can relay it), with the server-wide
 * `options.num_ctx` and `keep_alive` on every request (another `num_ctx` would make Ollama
 * reload the model and lose the cached prefix). Goes through the LLM pool's fetch; `signal`
 * aborts it, before the response head too (the shared `llm.ollama` client can only abort a
 * stream once it has started, and only all of them at once).
 *
 * @throws {AppError} 502 `LLM_STREAM_ERROR` for an error line mid-answer; otherwise the `ollama`
 *   client's `ResponseError` (with `status_code`), the pool's errors (`HTTP_*`, `POOL_*` codes),
 *   or `signal.reason`.
 * @example
 * ```ts
 * const { answer, stats } = await chatWithContext(llm, context.prefix, "What about jobs?", {
 *   onToken: (text) => process.stdout.write(text),
 * });
 * ```
 */
export async function chatWithContext(
  llm: Llm,
  prefix: string,
  question: string,
  options: ChatOptions = {},
): Promise<ChatOutcome> {
  const { signal, onToken, numPredict } = options;
  signal?.throwIfAborted();
  const fetchWithSignal = (input: string | URL | Request, init?: RequestInit) => {
    const signals = [init?.signal, signal].filter((s): s is AbortSignal => s != null);
    return llm.fetch(input, {
      ...(init as Parameters<Llm["fetch"]>[1]),
      ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
    });
  };
  const client = new Ollama({ host: llm.origin, fetch: fetchWithSignal as typeof fetch });
  const stream = await client.chat({
    model: llm.chatModel,
    messages: cagMessages(prefix, question),
    stream: true,
    keep_alive: llm.keepAlive,
    options: {
      num_ctx: llm.numCtx,
      ...(numPredict === undefined ? {} : { num_predict: numPredict }),
    },
  });
  let answer = "";
  let stats: ChatStats | undefined;
  try {
    for await (const part of stream) {
      const text = part.message?.content ?? "";
      if (text !== "") {
        answer += text;
        onToken?.(text);
      }
      if (part.done) stats = statsOf(part);
    }
  } catch (error) {
    // The client turns an `{"error": ...}` line into a plain Error; the pool's errors carry a code.
    const coded = typeof (error as { code?: unknown } | null)?.code === "string";
    if (signal?.aborted || coded || !(error instanceof Error)) throw error;
    throw llmStreamError(error);
  }
  return { answer, stats };
}

function statsOf(part: ChatResponse): ChatStats {
  return {
    promptEvalCount: part.prompt_eval_count ?? 0,
    promptEvalDurationNs: part.prompt_eval_duration ?? 0,
    evalCount: part.eval_count ?? 0,
    evalDurationNs: part.eval_duration ?? 0,
    loadDurationNs: part.load_duration ?? 0,
    totalDurationNs: part.total_duration ?? 0,
  };
}
