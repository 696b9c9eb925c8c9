import type { Context } from "hono";

/**
 * Lifts Bun.serve's idle timeout for this one request, for routes that may stay silent longer
 * than `IDLE_TIMEOUT_S` (a non-streamed LLM answer sends nothing until it is done; Bun closes a
 * connection idle for 10 s by default, and `idleTimeout` is server-wide and at most 255 s).
 *
 * Under `Bun.serve({ fetch: app.fetch })` Hono receives the Bun server as `c.env`, so no
 * plumbing is needed; under `app.request()` (tests) there is no server and this does nothing.
 * A streamed answer (SSE) must still send a comment line (`: ping`) every few seconds while the
 * model is silent: proxies and browsers have idle limits of their own.
 *
 * @example
 * ```ts
 * app.openapi(askRoute, async (c) => {
 *   liftIdleTimeout(c);
 *   const answer = await llm.ollama.chat({ model, messages, stream: false });
 *   return c.json({ answer: answer.message.content }, 200);
 * });
 * ```
 */
export function liftIdleTimeout(c: Context): void {
  const server = c.env as { timeout?: (request: Request, seconds: number) => void } | undefined;
  if (typeof server?.timeout === "function") server.timeout(c.req.raw, 0);
}
