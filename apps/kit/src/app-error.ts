import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An error a route throws on purpose: `onError` answers it with `status` and
 * `{ error: { code, message, field? } }`, so handlers never build error bodies by hand.
 *
 * @example
 * ```ts
 * const row = await db.get("select * from search_documents where id = ?", [id]);
 * if (!row) throw new AppError(404, "DOCUMENT_NOT_FOUND", `no document ${id}`);
 * ```
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly status: ContentfulStatusCode;
  /** Stable, SCREAMING_SNAKE_CASE; clients match on it, never on `message`. */
  readonly code: string;
  /** The dotted path of the input at fault, when one is. */
  readonly field: string | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}
