import type { Llm, LlmState } from "@app/kit";
import { type Standin, type StandinOptions, startStandin } from "@app/ollama-standin";
import { HttpPool } from "@pool/http";
import { Ollama } from "ollama";

/** A hold on `/api/embed` requests: they wait (still abortable) until released. */
export interface EmbedGate {
  /** Resolves when a request is being held. */
  held: Promise<void>;
  /** Lets every held and later request through. */
  release(): void;
}

/** An {@link Llm} on a fresh stand-in, as the server would build it, for tests. */
export interface TestLlm extends Llm {
  standinServer: Standin;
  /** What `state()` answers (mutable: tests flip `reachable`). */
  currentState: LlmState;
  /** Times an app asked the server to re-check the LLM. */
  readonly rechecks: number;
  /**
   * Holds `/api/embed` requests after the first `passFirst` of them, so a test can look at the
   * app while it waits on the LLM (without sleeping), or close it there.
   */
  gateEmbeds(passFirst: number): EmbedGate;
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
  let gate: { passLeft: number; open: Promise<void>; onHeld: () => void } | undefined;
  const gatedFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (gate !== undefined && url.endsWith("/api/embed") && gate.passLeft-- <= 0) {
      gate.onHeld();
      const signal = init?.signal;
      await new Promise<void>((resolve, reject) => {
        signal?.throwIfAborted();
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        void gate!.open.then(resolve);
      });
    }
    return http.fetch(input, init);
  };
  return {
    origin,
    standin: true,
    pool: http,
    fetch: gatedFetch,
    ollama: new Ollama({ host: origin, fetch: http.fetch }),
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
    gateEmbeds(passFirst) {
      let release!: () => void;
      let onHeld!: () => void;
      const open = new Promise<void>((resolve) => {
        release = resolve;
      });
      const held = new Promise<void>((resolve) => {
        onHeld = resolve;
      });
      gate = { passLeft: passFirst, open, onHeld };
      return {
        held,
        release() {
          gate = undefined;
          release();
        },
      };
    },
    async close() {
      await http.close({ timeoutMs: 1_000 });
      await standin.stop();
    },
  } as TestLlm;
}
