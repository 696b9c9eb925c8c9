import type { Context } from "hono";

/**
 * Lifts Bun.serve's idle timeout for this one request: an answer may take longer than the
 * server-wide `idleTimeout` (Bun closes a connection idle for 10 s by default). Under
 * `Bun.serve({ fetch: app.fetch })` Hono receives the Bun server as `c.env`; under
 * `app.request()` there is none and this does nothing. (The server has the same helper; this
 * copy keeps the app free of a dependency on the server.)
 *
 * @example
 * ```ts
 * app.openapi(askRoute, async (c) => { liftIdleTimeout(c); return c.json(await ask(), 200); });
 * ```
 */
export function liftIdleTimeout(c: Context): void {
  const server = c.env as { timeout?: (request: Request, seconds: number) => void } | undefined;
  if (typeof server?.timeout === "function") server.timeout(c.req.raw, 0);
}
