import type { Llm } from "@app/kit";
import { Ollama } from "ollama";

/**
 * An `ollama` client for one request, on the shared pool, whose every call is aborted when
 * `signal` fires. The client takes no per-call signal (only a streamed answer's iterator has
 * `abort()`, and only once its head has arrived), so the signal rides on the `fetch` it is given:
 * an embedding, a non-streamed answer, or a stream still waiting for its head are cut as well.
 * The pool closes an aborted request's socket instead of reusing it. Cheap: a client is a config
 * object.
 *
 * @example
 * ```ts
 * const ollama = requestOllama(llm, c.req.raw.signal);
 * await ollama.embed({ model: llm.embedModel, input: [question], keep_alive: llm.keepAlive });
 * ```
 */
export function requestOllama(llm: Llm, signal: AbortSignal): Ollama {
  const fetchWithSignal = (input: string | URL | Request, init?: RequestInit) =>
    llm.fetch(input, {
      ...init,
      // The client passes its own signal for streams (the iterator's abort()): keep both.
      signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
    });
  return new Ollama({ host: llm.origin, fetch: fetchWithSignal as typeof fetch });
}
