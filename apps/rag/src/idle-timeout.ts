import type { Context } from "hono";

/**
 * Lifts Bun.serve's idle timeout for this one request (a non-streamed answer sends nothing until
 * the model is done; Bun closes a connection silent for `idleTimeout`, 10 s by default, at most
 * 255 s). Under `Bun.serve({ fetch: app.fetch })` Hono receives the Bun server as `c.env`, so
 * `server.timeout(request, 0)` is at hand; under `app.request()` there is no server and this
 * does nothing. The same helper as the server's `liftIdleTimeout`, kept here so the app does
 * not depend on the server.
 *
 * @example
 * ```ts
 * liftIdleTimeout(c);
 * const answer = await ollama.chat({ model, messages, stream: false });
 * ```
 */
export function liftIdleTimeout(c: Context): void {
  const server = c.env as { timeout?: (request: Request, seconds: number) => void } | undefined;
  if (typeof server?.timeout === "function") server.timeout(c.req.raw, 0);
}
