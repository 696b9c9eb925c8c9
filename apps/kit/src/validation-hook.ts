import type { Context } from "hono";
import type { ZodError } from "zod";
import { errorBody } from "./error-schema.ts";

/** What `@hono/zod-openapi` hands a hook after validating one part of the request. */
export type ValidationResult =
  | { target: string; success: true; data: unknown }
  | { target: string; success: false; error: ZodError };

/**
 * The one validation hook: a failed check answers 400 `{ error: { code: "VALIDATION_FAILED",
 * message, field } }`, `field` being the dotted path of the first issue (`limit`,
 * `items.2.title`), or the request part (`query`, `json`) when the whole part is wrong.
 * `createApi()` installs it as the default hook, so every route of every app answers alike.
 *
 * @example
 * ```ts
 * const app = new OpenAPIHono({ defaultHook: validationHook });
 * ```
 */
export function validationHook(result: ValidationResult, c: Context): Response | undefined {
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  const field = path === "" ? result.target : path;
  const message = issue ? `${field}: ${issue.message}` : `invalid ${result.target}`;
  return c.json(errorBody("VALIDATION_FAILED", message, { field }), 400);
}
