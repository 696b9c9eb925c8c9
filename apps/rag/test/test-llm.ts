import type { Llm, LlmState } from "@app/kit";
import { type Standin, type StandinOptions, startStandin } from "@app/ollama-standin";
import { HttpPool } from "@pool/http";
import { Ollama } from "ollama";

/** An {@link Llm} on a fresh stand-in, as the server would build it, for tests. */
export interface TestLlm extends Llm {
  standinServer: Standin;
  /** What `state()` answers (mutable: tests flip `reachable`). */
  currentState: LlmState;
  close(): Promise<void>;
}

/**
 * Starts a stand-in and builds the `Llm` the server would hand an app: one `HttpPool` to it,
 * the `ollama` client on that pool, the stand-in's model names, `numCtx` 8192, `keepAlive` "7m".
 * `state()` reports it reachable with both models until a test changes `currentState`.
 *
 * @example
 * ```ts
 * const llm = await openTestLlm({ chunkDelayMs: 5 });
 * createRagApp({ db, llm });
 * await llm.close();
 * ```
 */
export async function openTestLlm(
  options: StandinOptions = {},
  pool: { connections?: number } = {},
): Promise<TestLlm> {
  const standin = await startStandin(options);
  const origin = new URL(standin.url).origin;
  const http = new HttpPool({ origin, connections: pool.connections ?? 4 });
  const currentState: LlmState = {
    origin,
    standin: true,
    reachable: true,
    available: true,
    models: { chat: standin.chatModel, embed: standin.embedModel },
    missing: [],
    pull: [],
    checkedAt: new Date(0).toISOString(),
    error: undefined,
  };
  let rechecks = 0;
  return {
    origin,
    standin: true,
    pool: http,
    fetch: http.fetch,
    ollama: new Ollama({ host: origin, fetch: http.fetch as typeof fetch }),
    chatModel: standin.chatModel,
    embedModel: standin.embedModel,
    numCtx: 8192,
    keepAlive: "7m",
    standinServer: standin,
    currentState,
    state: () => currentState,
    recheck: async () => {
      rechecks++;
    },
    get rechecks() {
      return rechecks;
    },
    async close() {
      await http.close({ timeoutMs: 1_000 });
      await standin.stop();
    },
  } as TestLlm;
}
