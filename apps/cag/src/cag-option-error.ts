/**
 * A bad option of {@link createCagApp}, or a bad `CAG_*` environment variable: thrown by the
 * factory, before anything runs. `option` names the field (or the variable).
 *
 * @example
 * ```ts
 * try {
 *   createCagApp({ db, llm, contextTokens: 40_000 });
 * } catch (error) {
 *   if (error instanceof CagOptionError) console.error(error.code, error.option); // CAG_INVALID_OPTION contextTokens
 * }
 * ```
 */
export class CagOptionError extends Error {
  override readonly name = "CagOptionError";
  readonly code = "CAG_INVALID_OPTION";
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}
