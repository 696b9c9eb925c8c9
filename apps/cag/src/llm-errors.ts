import { AppError, type Llm } from "@app/kit";

/** Codes of the pool's errors that mean the LLM cannot be reached right now. */
const UNREACHABLE = new Set([
  "HTTP_CONNECT_FAILED",
  "HTTP_CONNECT_TIMEOUT",
  "HTTP_SOCKET_CLOSED",
  "HTTP_NO_HEALTHY_ORIGIN",
  "POOL_TIMEOUT",
  "POOL_QUEUE_FULL",
  "POOL_CLOSED",
]);
const TIMEOUTS = new Set(["HTTP_HEADERS_TIMEOUT", "HTTP_BODY_TIMEOUT"]);

/**
 * The `AppError` a failed LLM call answers with:
 * - 503 `LLM_UNAVAILABLE`: not reachable (refused, reset, pool timeout or closed); the server's
 *   availability check is asked to look again at once, so the next requests fail fast;
 * - 504 `LLM_TIMEOUT`: no response head or no body progress within the pool's limits;
 * - 502 `LLM_ERROR`: the LLM answered with an error (a status, or an error line mid-stream).
 * An abort (`AbortError`, the request's own signal) is returned unchanged: nobody is waiting.
 *
 * @example
 * ```ts
 * try { await chatWithContext(llm, prefix, q); } catch (error) { throw llmError(error, llm); }
 * ```
 */
export function llmError(error: unknown, llm: Llm, signal?: AbortSignal): unknown {
  if (error instanceof AppError) return error;
  if (signal?.aborted) return signal.reason;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNREACHABLE.has(code)) {
    llm.recheck().catch(() => {});
    return new AppError(
      503,
      "LLM_UNAVAILABLE",
      `the LLM at ${llm.origin} is unreachable (${code})`,
      undefined,
      { cause: error },
    );
  }
  if (typeof code === "string" && TIMEOUTS.has(code)) {
    return new AppError(
      504,
      "LLM_TIMEOUT",
      `the LLM at ${llm.origin} did not answer in time (${code})`,
      undefined,
      { cause: error },
    );
  }
  const status = (error as { status_code?: unknown } | null)?.status_code;
  const message = error instanceof Error ? error.message : String(error);
  const detail = typeof status === "number" ? `status ${status}: ${message}` : message;
  return new AppError(502, "LLM_ERROR", `the LLM failed: ${detail}`, undefined, { cause: error });
}

/**
 * 503 `LLM_UNAVAILABLE` for when the server's check already says the LLM is down (or lacks a
 * model), so a request does not wait for a connection that will fail.
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
