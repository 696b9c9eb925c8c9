/**
 * A bad environment variable, found at start-up. `code` is always `CONFIG_INVALID`; `variable`
 * names the variable and the message says what it accepts.
 *
 * @example
 * ```ts
 * try {
 *   loadConfig({ PORT: "http" });
 * } catch (error) {
 *   if (error instanceof ConfigError) console.error(error.variable); // "PORT"
 * }
 * ```
 */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  override readonly name = "ConfigError";

  constructor(
    readonly variable: string,
    readonly value: string,
    expected: string,
  ) {
    super(`${variable}=${JSON.stringify(value)} is not valid: expected ${expected}`);
  }
}
