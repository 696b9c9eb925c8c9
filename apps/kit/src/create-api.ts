import { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "hono";
import { notFound, onError } from "./error-handlers.ts";
import { validationHook } from "./validation-hook.ts";

/**
 * An `OpenAPIHono` with the shared conventions already set: the one validation hook (400
 * `VALIDATION_FAILED` with `field`), `onError` (typed codes, 500 `INTERNAL` without the stack)
 * and the JSON `notFound`. Every app builds its routes on one of these.
 *
 * @example
 * ```ts
 * const app = createApi();
 * app.openapi(createRoute({ method: "get", path: "/ping", responses: { 200: { description: "pong" } } }),
 *   (c) => c.json({ ok: true }));
 * ```
 */
export function createApi<E extends Env = Env>(): OpenAPIHono<E> {
  const app = new OpenAPIHono<E>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);
  return app;
}
