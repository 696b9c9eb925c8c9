import { AppError, type Llm } from "@app/kit";

/**
 * The `AppError` a failed LLM call answers with (the same mapping as the RAG app's):
 * - the pool could not reach it or it timed out (`HTTP_*`, `POOL_*` codes): 503
 *   `LLM_UNAVAILABLE`, and the server's availability check is asked to look again at once, so
 *   the next asks fail fast;
 * - Ollama answered an error status (the `ollama` client's `ResponseError`): a missing model
 *   (404) is 503 `LLM_UNAVAILABLE` too, anything else 502 `LLM_ERROR`;
 * - an `AppError` passes through; so does the asker's own abort (`signal.reason`) and anything
 *   else (a SQLite error is the server's fault: `onError` makes it a 500).
 *
 * @example
 * ```ts
 * try { await service.ask(q); } catch (error) { throw llmError(error, llm, signal); }
 * ```
 */
export function llmError(error: unknown, llm: Llm, signal?: AbortSignal): unknown {
  if (error instanceof AppError) return error;
  if (signal?.aborted) return signal.reason;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (code.startsWith("HTTP_") || code.startsWith("POOL_"))) {
    llm.recheck().catch(() => {});
    return new AppError(
      503,
      "LLM_UNAVAILABLE",
      `the LLM at ${llm.origin} is unavailable (${code})`,
      undefined,
      { cause: error },
    );
  }
  if (isResponseError(error)) {
    const status = error.status_code === 404 ? 503 : 502;
    const appCode = status === 503 ? "LLM_UNAVAILABLE" : "LLM_ERROR";
    return new AppError(status, appCode, `the LLM refused: ${error.message}`, undefined, {
      cause: error,
    });
  }
  return error;
}

/**
 * 502 `LLM_STREAM_ERROR`: the LLM began answering, then sent an `{"error": ...}` line (Ollama
 * does this after its 200, e.g. when it runs out of memory mid-answer).
 *
 * @example
 * ```ts
 * for await (const part of stream) { ... } // throws Error(message) on an error line
 * ```
 */
export function llmStreamError(error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  return new AppError(502, "LLM_STREAM_ERROR", `the LLM failed mid-answer: ${message}`, undefined, {
    cause: error,
  });
}

/**
 * 503 `LLM_UNAVAILABLE` for when the server's check already says the LLM is down (or lacks a
 * model), so an ask does not wait for a connection that will fail.
 *
 * @example
 * ```ts
 * if (!llm.state().available) throw llmUnavailable(llm);
 * ```
 */
export function llmUnavailable(llm: Llm): AppError {
  const state = llm.state();
  const why =
    state.missing.length > 0
      ? `missing model(s) ${state.missing.join(", ")}: run ${state.pull.join("; ")}`
      : (state.error?.message ?? "it does not answer");
  return new AppError(503, "LLM_UNAVAILABLE", `the LLM at ${llm.origin} is unavailable: ${why}`);
}

/** The `ollama` client's error for a non-2xx answer (it does not export the class). */
function isResponseError(error: unknown): error is Error & { status_code: number } {
  return (
    error instanceof Error &&
    error.name === "ResponseError" &&
    typeof (error as { status_code?: unknown }).status_code === "number"
  );
}
