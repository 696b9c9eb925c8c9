/**
 * Stable codes of the stand-in's own errors (its HTTP answers follow Ollama's `{ error }` shape
 * instead).
 *
 * @example
 * ```ts
 * if (error instanceof StandinError && error.code === "STANDIN_INVALID_OPTION") console.log(error.option);
 * ```
 */
export type StandinErrorCode = "STANDIN_INVALID_OPTION" | "STANDIN_STOPPED";

/**
 * An error of the stand-in itself: a bad option or fault (`STANDIN_INVALID_OPTION`, `option`
 * names the field), or a call after `stop()` (`STANDIN_STOPPED`).
 *
 * @example
 * ```ts
 * try { await startStandin({ slots: 0 }); } catch (e) { if (e instanceof StandinError) console.log(e.code); }
 * ```
 */
export class StandinError extends Error {
  readonly code: StandinErrorCode;
  /** The option at fault, for `STANDIN_INVALID_OPTION`. */
  readonly option: string | undefined;

  constructor(code: StandinErrorCode, message: string, option?: string) {
    super(message);
    this.name = "StandinError";
    this.code = code;
    this.option = option;
  }
}

/**
 * Throws `STANDIN_INVALID_OPTION` for `option` unless `value` is an integer in `[min, max]`.
 * `undefined` passes: defaults are applied elsewhere.
 */
export function checkInteger(option: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new StandinError(
      "STANDIN_INVALID_OPTION",
      `${option} must be an integer from ${min} to ${max}, got ${String(value)}`,
      option,
    );
  }
}

/** Throws `STANDIN_INVALID_OPTION` naming the first key of `object` not in `known`. */
export function checkKeys(where: string, object: object, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new StandinError(
        "STANDIN_INVALID_OPTION",
        `unknown ${where} "${key}" (known: ${known.join(", ")})`,
        key,
      );
    }
  }
}
