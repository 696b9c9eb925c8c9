import { setTimeout as sleep } from "node:timers/promises";
import { isResponseError, isTransportError } from "./llm-error.ts";

/** Options of {@link untilLlmAnswers}. */
export interface LlmRetryOptions {
  signal: AbortSignal;
  /** Called before each wait with what failed, for `/health`'s detail. */
  onWait(reason: string): void;
  /** First wait; doubles up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * Runs `work` until it succeeds, waiting (1 s, 2 s, 4 s, … up to `maxDelayMs`) after each
 * failure that a later attempt may not meet: the LLM unreachable or timing out, a missing model
 * (someone may `ollama pull` it), a 5xx. Other errors, and `signal` firing, end it at once.
 * Background seeding uses it: a real Ollama may start after the server does.
 *
 * @example
 * ```ts
 * const vectors = await untilLlmAnswers(() => embedTexts(ollama, llm, texts, opts), {
 *   signal, onWait: (reason) => (detail = reason), minDelayMs: 1_000, maxDelayMs: 30_000,
 * });
 * ```
 */
export async function untilLlmAnswers<T>(
  work: () => Promise<T>,
  options: LlmRetryOptions,
): Promise<T> {
  let delayMs = options.minDelayMs;
  for (;;) {
    options.signal.throwIfAborted();
    try {
      return await work();
    } catch (error) {
      if (options.signal.aborted || !retriable(error)) throw error;
      options.onWait(
        `waiting for the LLM (${describe(error)}); next try in ${Math.round(delayMs / 100) / 10} s`,
      );
      await sleep(delayMs, undefined, { signal: options.signal });
      delayMs = Math.min(delayMs * 2, options.maxDelayMs);
    }
  }
}

function retriable(error: unknown): boolean {
  if (isTransportError(error)) return true;
  return isResponseError(error) && (error.status_code === 404 || error.status_code >= 500);
}

function describe(error: unknown): string {
  if (isTransportError(error)) return error.code;
  if (isResponseError(error)) return `${error.status_code}: ${error.message}`;
  return String(error);
}
