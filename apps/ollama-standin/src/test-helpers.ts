import { HttpPool } from "@pool/http";
import { Ollama } from "ollama";
import type { Standin } from "./standin.ts";

/**
 * The official `ollama` client on an `HttpPool` to a stand-in, as the apps use it; close the
 * pool when done.
 *
 * @example
 * ```ts
 * const { ollama, pool } = clientFor(standin);
 * ```
 */
export function clientFor(standin: Standin, connections = 4): { ollama: Ollama; pool: HttpPool } {
  const pool = new HttpPool({ origin: standin.url, connections });
  // The client's type wants Bun's whole `typeof fetch` (with `preconnect`); the pool's fetch is
  // call-compatible.
  return { pool, ollama: new Ollama({ host: standin.url, fetch: pool.fetch }) };
}

/**
 * Waits until `condition()` holds, checking every 5 ms, for at most `timeoutMs`; then throws.
 * For counters that settle after the client has seen its answer (a stream's end, an abort).
 *
 * @example
 * ```ts
 * await until(() => standin.aborted === 1);
 * ```
 */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(5);
  }
}

/**
 * Chat messages as the apps send them: a fixed system prompt, then the question.
 *
 * @example
 * ```ts
 * await ollama.chat({ model, messages: chatMessages(SYSTEM, "What do cats eat?"), stream: false });
 * ```
 */
export function chatMessages(system: string, question: string) {
  return [
    { role: "system", content: system },
    { role: "user", content: question },
  ];
}
