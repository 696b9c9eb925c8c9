import type { Llm } from "@app/kit";
import { type Standin, type StandinOptions, startStandin } from "@app/ollama-standin";
import { HttpPool } from "@pool/http";
import { Ollama } from "ollama";
import type { ServerConfig } from "./config.ts";
import { LlmMonitor } from "./llm-monitor.ts";

export type { StandinOptions };

/**
 * An {@link Llm} with its lifecycle, as the server owns it.
 *
 * @example
 * ```ts
 * const llm = await openLlm(config.llm);
 * await llm.close();
 * ```
 */
export interface OwnedLlm extends Llm {
  /** The stand-in, when one was started: tests read its counters. */
  standinServer: Standin | undefined;
  /** Stops the checks, closes the pool (letting requests finish up to `timeoutMs`), stops the stand-in. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Opens the LLM side: with `config.origin` the given Ollama, otherwise the built-in stand-in on
 * a free loopback port (announced through `log`). Builds the one `HttpPool`, checks `/api/tags`
 * once and keeps checking in the background. Resolves even when the LLM is down.
 *
 * @example
 * ```ts
 * const llm = await openLlm(loadConfig(process.env).llm, { log: console.log });
 * llm.state(); // { origin, standin, reachable, available, missing, pull, ... }
 * ```
 */
export async function openLlm(
  config: ServerConfig["llm"],
  options: { log?: (line: string) => void; standin?: StandinOptions } = {},
): Promise<OwnedLlm> {
  const log = options.log ?? ((line: string) => console.log(line));
  const standinServer =
    config.origin === undefined ? await startStandin(options.standin ?? {}) : undefined;
  const origin = standinServer ? new URL(standinServer.url).origin : config.origin!;
  const chatModel = standinServer?.chatModel ?? config.chatModel;
  const embedModel = standinServer?.embedModel ?? config.embedModel;
  if (standinServer) {
    log(
      `LLM: OLLAMA_HOST is not set: serving the built-in Ollama stand-in at ${origin} ` +
        `(models ${chatModel}, ${embedModel}: extractive answers, hashed embeddings)`,
    );
  }
  const pool = new HttpPool({
    origin,
    connections: config.connections,
    headersTimeoutMs: config.headersTimeoutMs,
    // A streamed answer can pause while the model loads or thinks; as long as the head can.
    bodyTimeoutMs: config.headersTimeoutMs,
  });
  const monitor = new LlmMonitor({
    fetch: pool.fetch,
    origin,
    standin: standinServer !== undefined,
    models: { chat: chatModel, embed: embedModel },
    log,
    busy: () => (pool.stats().origins[origin]?.requests.inFlight ?? 0) >= config.connections,
  });
  await monitor.start();
  let closing: Promise<void> | undefined;
  return {
    origin,
    standin: standinServer !== undefined,
    pool,
    fetch: pool.fetch,
    ollama: new Ollama({ host: origin, fetch: pool.fetch }),
    chatModel,
    embedModel,
    numCtx: config.numCtx,
    keepAlive: config.keepAlive,
    state: () => monitor.state(),
    recheck: () => monitor.check(),
    standinServer,
    close(timeoutMs = 10_000) {
      closing ??= (async () => {
        monitor.stop();
        await pool.close({ timeoutMs });
        await standinServer?.stop();
      })();
      return closing;
    },
  };
}
