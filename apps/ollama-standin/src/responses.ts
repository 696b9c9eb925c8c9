const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

/**
 * A JSON response, as Ollama sends them.
 *
 * @example
 * ```ts
 * return jsonResponse({ version: "0.12.0" });
 * ```
 */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_TYPE });
}

/**
 * An error in Ollama's shape: `{ "error": message }` with the status.
 *
 * @example
 * ```ts
 * return ollamaError(404, `model "x" not found, try pulling it first`);
 * ```
 */
export function ollamaError(status: number, message: string): Response {
  return jsonResponse({ error: message }, status);
}

/**
 * The 404 Ollama answers for a model it does not have.
 *
 * @example
 * ```ts
 * modelNotFound("llama3.2"); // 404 {"error":"model \"llama3.2\" not found, try pulling it first"}
 * ```
 */
export function modelNotFound(model: string): Response {
  return ollamaError(404, `model "${model}" not found, try pulling it first`);
}

/**
 * A 200 whose body is cut before it ends: the client sees the connection reset mid-body, as
 * when a server dies. Erroring with no reason makes Bun cut the socket without logging an error.
 *
 * @example
 * ```ts
 * if (faults.dropAfterChunks !== undefined) return droppedResponse();
 * ```
 */
export function droppedResponse(onEnd: () => void): Response {
  const body = new ReadableStream({
    start(controller) {
      onEnd();
      controller.error(undefined);
    },
  });
  return new Response(body, { headers: JSON_TYPE });
}

/**
 * Sleeps `ms`, or less if `signal` aborts; resolves `false` when it was aborted.
 *
 * @example
 * ```ts
 * if (!(await sleepUnlessAborted(faults.headersDelayMs, req.signal))) return;
 * ```
 */
export async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
