import { AppError, type Llm } from "@app/kit";

/**
 * Fails fast with 503 `LLM_UNAVAILABLE` when the server's background check already knows the LLM
 * is down or lacks a model (and asks it to look again), instead of making the client wait for a
 * connect error. When the check has not answered yet, or says all is well, the call goes ahead:
 * its own errors are mapped by `toLlmError`.
 *
 * @throws {AppError} 503 `LLM_UNAVAILABLE`
 * @example
 * ```ts
 * assertLlmAvailable(llm);
 * ```
 */
export function assertLlmAvailable(llm: Llm): void {
  const state = llm.state();
  if (state.reachable === false) {
    void llm.recheck().catch(() => {});
    const why = state.error ? ` (${state.error.code})` : "";
    throw new AppError(
      503,
      "LLM_UNAVAILABLE",
      `the LLM at ${state.origin} is unreachable${why}; search still works`,
    );
  }
  if (state.reachable === true && state.missing.length > 0) {
    throw new AppError(
      503,
      "LLM_UNAVAILABLE",
      `the LLM lacks ${state.missing.join(", ")}: run ${state.pull.join(" && ")}`,
    );
  }
}
