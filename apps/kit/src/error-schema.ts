import { z } from "@hono/zod-openapi";

/**
 * The one error body every app answers with, for the OpenAPI responses of each route.
 *
 * @example
 * ```ts
 * const route = createRoute({
 *   method: "get", path: "/things/{id}",
 *   responses: { 404: { description: "No such thing", content: { "application/json": { schema: ErrorSchema } } } },
 * });
 * ```
 */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION_FAILED" }),
      message: z.string(),
      field: z.string().optional().openapi({ example: "limit" }),
      progress: z
        .object({
          done: z.number(),
          total: z.number(),
          unit: z.string(),
          etaS: z.number().optional(),
          detail: z.string().optional(),
        })
        .optional(),
    }),
  })
  .openapi("Error");

/** The error body as a TypeScript type. @example `const body = (await res.json()) as ErrorBody;` */
export type ErrorBody = z.infer<typeof ErrorSchema>;

/**
 * Builds an error body (the shape of {@link ErrorSchema}); `field` is left out when undefined.
 *
 * @example
 * ```ts
 * return c.json(errorBody("NOT_FOUND", "no route GET /nope"), 404);
 * ```
 */
export function errorBody(
  code: string,
  message: string,
  extra: { field?: string | undefined; progress?: ErrorBody["error"]["progress"] } = {},
): ErrorBody {
  const error: ErrorBody["error"] = { code, message };
  if (extra.field !== undefined) error.field = extra.field;
  if (extra.progress !== undefined) error.progress = extra.progress;
  return { error };
}
