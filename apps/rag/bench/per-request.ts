import type { Llm } from "@app/kit";
import { Ollama } from "ollama";

/**
 * The benchmark's baseline for the LLM: an `Llm` whose `fetch` opens a new connection for every
 * request (Bun's fetch with `keepalive: false`), as a client without a pool would.
 *
 * @example
 * ```ts
 * createRagApp({ db, llm: perRequestLlm(llm) });
 * ```
 */
export function perRequestLlm(llm: Llm): Llm {
  const fetchOnce = (input: string | URL | Request, init?: RequestInit) =>
    fetch(typeof input === "string" && input.startsWith("/") ? `${llm.origin}${input}` : input, {
      ...init,
      keepalive: false,
    });
  return {
    ...llm,
    fetch: fetchOnce as Llm["fetch"],
    ollama: new Ollama({ host: llm.origin, fetch: fetchOnce as typeof fetch }),
  };
}
