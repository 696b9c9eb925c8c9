import type { MiddlewareHandler } from "hono";
import { errorBody } from "./error-schema.ts";
import type { AppHealth } from "./example-app.ts";

/**
 * Middleware that answers 503 `{ error: { code: "NOT_READY", message, progress } }` (with
 * `Retry-After`) while `health()` is not ready, so nobody reads a half-seeded corpus.
 *
 * @example
 * ```ts
 * const readiness = new Readiness();
 * app.use("*", notReady(() => readiness.health()));
 * ```
 */
export function notReady(health: () => AppHealth): MiddlewareHandler {
  return async (c, next) => {
    const current = health();
    if (current.ready) return next();
    const message =
      current.state === "failed"
        ? `the app failed to start${current.detail ? `: ${current.detail}` : ""}`
        : `the app is ${current.state}; retry shortly`;
    c.header("Retry-After", current.state === "failed" ? "30" : "2");
    return c.json(errorBody("NOT_READY", message, { progress: current.progress }), 503);
  };
}
