import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "./app-error.ts";
import { errorBody } from "./error-schema.ts";

/** Codes for the `HTTPException`s Hono and its middleware throw on their own. */
const httpExceptionCodes: Record<number, string> = {
  // Hono's JSON validator throws 400 for a body that does not parse; no other 400 reaches here
  // without going through the validation hook first.
  400: "INVALID_JSON",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

const httpExceptionMessages: Record<number, string> = {
  400: "the request body is not valid JSON",
  413: "the request body is too large",
  415: "the request body must be application/json",
};

/**
 * The `onError` every app sets on itself (a mounted sub-app's `onError` applies to its routes):
 * `AppError` → its status and code; Hono's `HTTPException` (malformed JSON → 400 `INVALID_JSON`,
 * `hono/body-limit` → 413 `PAYLOAD_TOO_LARGE`, 415 `UNSUPPORTED_MEDIA_TYPE`) → its status;
 * anything else → 500 `INTERNAL`, logged here and never sent to the client (no stack, no SQL).
 *
 * @example
 * ```ts
 * const app = createApi(); // already has it
 * other.onError(onError);
 * ```
 */
export const onError: ErrorHandler = (error, c) => {
  if (error instanceof AppError) {
    return c.json(errorBody(error.code, error.message, { field: error.field }), error.status);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = httpExceptionCodes[status] ?? `HTTP_${status}`;
    const message = httpExceptionMessages[status] ?? error.message ?? "request refused";
    const response = c.json(errorBody(code, message), status);
    // A 401 from Hono's auth middleware carries WWW-Authenticate; keep the headers it set.
    error.getResponse().headers.forEach((value, name) => {
      if (name.toLowerCase() !== "content-type" && name.toLowerCase() !== "content-length") {
        response.headers.set(name, value);
      }
    });
    return response;
  }
  logInternal(c, error);
  return c.json(errorBody("INTERNAL", "internal server error"), 500);
};

/**
 * The JSON 404 for unknown routes. Set it on the root app: Hono ignores a mounted sub-app's
 * `notFound` (the root's answers), so an app's own is only used when it is served alone.
 *
 * @example
 * ```ts
 * const root = createApi();
 * root.route("/search", search.app);
 * root.notFound(notFound);
 * ```
 */
export const notFound: NotFoundHandler = (c) =>
  c.json(errorBody("NOT_FOUND", `no route ${c.req.method} ${c.req.path}`), 404);

function logInternal(c: Context, error: unknown): void {
  console.error(`500 ${c.req.method} ${c.req.path}:`, error);
}
