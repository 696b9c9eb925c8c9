import type { z } from "@hono/zod-openapi";
import { ErrorSchema } from "./error-schema.ts";

/**
 * The `content` of an OpenAPI response or request body in JSON, for `createRoute`.
 *
 * @example
 * ```ts
 * responses: { 200: { description: "The document", content: jsonContent(DocumentSchema) } }
 * ```
 */
export function jsonContent<T extends z.ZodType>(schema: T) {
  return { "application/json": { schema } };
}

/**
 * An OpenAPI error response: `description` and the one error body every app answers with.
 *
 * @example
 * ```ts
 * responses: { 404: errorResponse("DOCUMENT_NOT_FOUND"), 503: errorResponse("NOT_READY") }
 * ```
 */
export function errorResponse(description: string) {
  return { description, content: jsonContent(ErrorSchema) };
}
