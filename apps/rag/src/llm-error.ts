import { AppError, type Llm } from "@app/kit";

/**
 * What went wrong talking to the LLM, as the client should see it:
 * - the pool could not reach it, or it timed out (`HTTP_*`, `POOL_*` codes): 503
 *   `LLM_UNAVAILABLE`, and the server's background check is asked to look again at once;
 * - Ollama answered an error (the `ollama` client's `ResponseError`): a missing model (404) is
 *   503 `LLM_UNAVAILABLE` too, anything else 502 `LLM_ERROR` with Ollama's message;
 * - an abort (the client went away): 503 `REQUEST_ABORTED`, which nobody reads, instead of a
 *   500 logged as a server fault;
 * - an `AppError` passes through; anything else is left for `onError` (500).
 *
 * @example
 * ```ts
 * try { await ollama.embed(request); } catch (error) { throw toLlmError(error, llm); }
 * ```
 */
export function toLlmError(error: unknown, llm: Llm): unknown {
  if (error instanceof AppError) return error;
  if (isAbort(error)) {
    // The client went away (its signal aborted our LLM call): nobody reads this answer, and it
    // is no server fault to log as a 500.
    return new AppError(
      503,
      "REQUEST_ABORTED",
      "the request was aborted by the client",
      undefined,
      {
        cause: error,
      },
    );
  }
  if (isTransportError(error)) {
    void llm.recheck().catch(() => {});
    return new AppError(
      503,
      "LLM_UNAVAILABLE",
      `the LLM at ${llm.origin} is unavailable (${error.code}); search still works`,
      undefined,
      { cause: error },
    );
  }
  if (isResponseError(error)) {
    if (error.status_code === 404) {
      return new AppError(503, "LLM_UNAVAILABLE", `the LLM refused: ${error.message}`, undefined, {
        cause: error,
      });
    }
    return new AppError(502, "LLM_ERROR", `the LLM failed: ${error.message}`, undefined, {
      cause: error,
    });
  }
  return error;
}

/** An error of the pool or of @pool/http: the LLM was not reached, or not in time. */
export function isTransportError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("HTTP_") || code.startsWith("POOL_"));
}

/** The `ollama` client's error for a non-2xx answer (it does not export the class). */
export function isResponseError(error: unknown): error is Error & { status_code: number } {
  return (
    error instanceof Error &&
    error.name === "ResponseError" &&
    typeof (error as { status_code?: unknown }).status_code === "number"
  );
}

function isAbort(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    ((error as { name?: unknown }).name === "AbortError" ||
      (error as { name?: unknown }).name === "TimeoutError")
  );
}
