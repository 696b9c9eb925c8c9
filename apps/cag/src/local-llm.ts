import type { Llm, LlmState } from "@app/kit";
import { HttpPool } from "@pool/http";
import { Ollama } from "ollama";

/**
 * Options of {@link openLocalLlm}.
 *
 * @example
 * ```ts
 * await openLocalLlm({ origin: "http://127.0.0.1:11434", chatModel: "llama3.2", embedModel: "nomic-embed-text" });
 * ```
 */
export interface LocalLlmOptions {
  /** The Ollama (or stand-in) origin, e.g. `http://127.0.0.1:11434`. */
  origin: string;
  chatModel: string;
  embedModel: string;
  /** Whether `origin` is the stand-in. [false] */
  standin?: boolean;
  /** [32768] */
  numCtx?: number;
  /** [30m] */
  keepAlive?: string;
  /** Sockets to the LLM. [4] */
  connections?: number;
  /** [600000] */
  headersTimeoutMs?: number;
}

/**
 * An {@link Llm} that owns its pool: close it when done.
 *
 * @example
 * ```ts
 * const llm: LocalLlm = await openLocalLlm(options);
 * await llm.close();
 * ```
 */
export interface LocalLlm extends Llm {
  close(): Promise<void>;
}

/**
 * An `Llm` for running the app alone (`bun run dev`, the tests, the benchmark): one `HttpPool`
 * to `origin`, the `ollama` client on it, and a state from `/api/tags` checked at open and on
 * `recheck()` (the combined server has a monitor that also re-checks in the background).
 *
 * @example
 * ```ts
 * const standin = await startStandin();
 * const llm = await openLocalLlm({ origin: standin.url, chatModel: standin.chatModel, embedModel: standin.embedModel, standin: true });
 * llm.state().available; // true
 * await llm.close();
 * ```
 */
export async function openLocalLlm(options: LocalLlmOptions): Promise<LocalLlm> {
  const origin = new URL(options.origin).origin;
  const headersTimeoutMs = options.headersTimeoutMs ?? 600_000;
  const pool = new HttpPool({
    origin,
    connections: options.connections ?? 4,
    headersTimeoutMs,
    bodyTimeoutMs: headersTimeoutMs,
  });
  const models = { chat: options.chatModel, embed: options.embedModel };
  const standin = options.standin ?? false;
  let state: LlmState = {
    origin,
    standin,
    reachable: undefined,
    available: false,
    models,
    missing: [],
    pull: [],
    checkedAt: undefined,
    error: undefined,
  };

  async function check(): Promise<void> {
    const checkedAt = new Date().toISOString();
    try {
      const response = await pool.fetch("/api/tags", { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`/api/tags answered ${response.status}`);
      const body = (await response.json()) as { models?: { name?: string; model?: string }[] };
      const names = new Set(
        (body.models ?? []).flatMap((m) => [m.name, m.model]).filter((n): n is string => !!n),
      );
      const has = (model: string) => names.has(model) || names.has(`${model}:latest`);
      const missing = [models.chat, models.embed].filter((model) => !has(model));
      state = {
        ...state,
        reachable: true,
        available: missing.length === 0,
        missing,
        pull: missing.map((model) => `ollama pull ${model}`),
        checkedAt,
        error: undefined,
      };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      state = {
        ...state,
        reachable: false,
        available: false,
        checkedAt,
        error: {
          code: typeof code === "string" ? code : "LLM_UNREACHABLE",
          message: error instanceof Error ? error.message : String(error),
        },
      };
    }
  }

  await check();
  return {
    origin,
    standin,
    pool,
    fetch: pool.fetch,
    ollama: new Ollama({ host: origin, fetch: pool.fetch }),
    chatModel: models.chat,
    embedModel: models.embed,
    numCtx: options.numCtx ?? 32_768,
    keepAlive: options.keepAlive ?? "30m",
    state: () => state,
    recheck: check,
    close: () => pool.close(),
  };
}
