import type { HttpFetch, HttpPool } from "@pool/http";
import type { Ollama } from "ollama";

/**
 * What the server knows of its LLM, as `/health` reports it. `available` is what LLM routes
 * check: reachable, with every model present.
 *
 * @example
 * ```ts
 * const s: LlmState = llm.state();
 * if (!s.reachable) console.log(`LLM down since ${s.checkedAt}: ${s.error?.code}`);
 * ```
 */
export interface LlmState {
  origin: string;
  /** True when this is the built-in stand-in, not a real Ollama. */
  standin: boolean;
  /** The last `/api/tags` check answered. `undefined` until the first check ends. */
  reachable: boolean | undefined;
  available: boolean;
  models: { chat: string; embed: string };
  /** Configured models the LLM does not have; pull them with `pull`. */
  missing: string[];
  /** `ollama pull <model>` for each missing model. */
  pull: string[];
  /** ISO time of the last check. */
  checkedAt: string | undefined;
  /** Why the last check failed. */
  error: { code: string; message: string } | undefined;
}

/**
 * Everything an app needs to call the LLM, built once by the server (apps never open their own
 * pool): the one `HttpPool` to its origin, an `ollama` client that goes through it, the model
 * names and the per-request options every chat request must send identically (a change of
 * `num_ctx` makes Ollama reload the model).
 *
 * @example
 * ```ts
 * if (!llm.state().available) throw new AppError(503, "LLM_UNAVAILABLE", "the LLM is down");
 * const { embeddings } = await llm.ollama.embed({ model: llm.embedModel, input: ["hello"] });
 * const stream = await llm.ollama.chat({
 *   model: llm.chatModel,
 *   messages,
 *   stream: true,
 *   keep_alive: llm.keepAlive,
 *   options: { num_ctx: llm.numCtx },
 * });
 * ```
 */
export interface Llm {
  /** The Ollama origin (the stand-in's loopback URL when `standin`). */
  origin: string;
  /** True when the built-in stand-in answers, not a real Ollama: say so in every `model` field. */
  standin: boolean;
  /** The one connection pool to the LLM; `pool.stats()` feeds `/pools` and `/metrics`. */
  pool: HttpPool;
  /** The pool's fetch, for clients that take one. */
  fetch: HttpFetch;
  /** `new Ollama({ host: origin, fetch })`: the official client on the pool. */
  ollama: Ollama;
  chatModel: string;
  embedModel: string;
  /** `options.num_ctx` for every chat request. */
  numCtx: number;
  /** `keep_alive` for every request. */
  keepAlive: string;
  /** Reachability and models, from the background check; never throws. */
  state(): LlmState;
  /** Re-checks at once (after a connection error, say) instead of waiting for the next check. */
  recheck(): Promise<void>;
}
