/** A request body that is not what an endpoint takes: answered as 400 `{ error }`. */
export class BadRequest extends Error {}

/**
 * Reads a request's JSON object body; throws {@link BadRequest} when it is not JSON or not an
 * object.
 *
 * @example
 * ```ts
 * const body = await readJsonObject(req);
 * ```
 */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new BadRequest(`invalid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequest("the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/**
 * The `model` field of a body; throws {@link BadRequest} "model is required" (Ollama's words)
 * when it is missing or not a non-empty string.
 *
 * @example
 * ```ts
 * const model = requireModel(body);
 * ```
 */
export function requireModel(body: Record<string, unknown>): string {
  const model = body.model;
  if (typeof model !== "string" || model === "") throw new BadRequest("model is required");
  return model;
}

/**
 * `options.num_ctx` of a body, or `undefined`; throws {@link BadRequest} on a value that is not a
 * positive integer.
 *
 * @example
 * ```ts
 * const numCtx = readNumCtx(body) ?? 4096;
 * ```
 */
export function readNumCtx(body: Record<string, unknown>): number | undefined {
  const options = body.options;
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") throw new BadRequest("options must be an object");
  const numCtx = (options as Record<string, unknown>).num_ctx;
  if (numCtx === undefined) return undefined;
  if (typeof numCtx !== "number" || !Number.isInteger(numCtx) || numCtx < 1) {
    throw new BadRequest("options.num_ctx must be a positive integer");
  }
  return numCtx;
}

/**
 * `keep_alive` of a body (a number of seconds or a duration string), or `undefined`.
 *
 * @example
 * ```ts
 * readKeepAlive({ keep_alive: "30m" }); // "30m"
 * ```
 */
export function readKeepAlive(body: Record<string, unknown>): string | number | undefined {
  const keepAlive = body.keep_alive;
  if (keepAlive === undefined || keepAlive === null) return undefined;
  if (typeof keepAlive !== "string" && typeof keepAlive !== "number") {
    throw new BadRequest("keep_alive must be a number of seconds or a duration string");
  }
  return keepAlive;
}

/**
 * Whether a `keep_alive` asks Ollama to unload the model right after the request.
 *
 * @example
 * ```ts
 * unloadsAfter(0); // true
 * unloadsAfter("5m"); // false
 * ```
 */
export function unloadsAfter(keepAlive: string | number | undefined): boolean {
  return keepAlive === 0 || (typeof keepAlive === "string" && /^0+(\.0+)?[a-z]*$/.test(keepAlive));
}
