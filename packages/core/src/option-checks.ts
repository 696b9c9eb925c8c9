import { PoolInvalidOptionError } from "./errors.ts";

/**
 * The longest delay a timer can take: `setTimeout` turns anything larger into 1 ms, which would
 * make a long timeout an instant one. Every duration option is capped at it.
 *
 * @example
 * ```ts
 * checkDurationMs(2 ** 31, "idleTimeoutMs"); // throws: above MAX_DELAY_MS
 * ```
 */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * What {@link checkDurationMs} and {@link checkCount} accept besides the value.
 *
 * @example
 * ```ts
 * checkCount(options.readers, "readers", { positive: true } satisfies RangeCheck);
 * ```
 */
export interface RangeCheck {
  /** Refuse `0`: for limits that must not be "off", such as how long a call may wait. @default false */
  positive?: boolean;
}

/**
 * The error for the first own key of `options` that `known` does not list, if any. Only own
 * keys count, and the lookups never reach `Object.prototype`: `{ constructor: 5 }`, `toString`
 * or a `"__proto__"` key from `JSON.parse` are unknown options like any other typo. Returned, not
 * thrown, so a promise-returning call can reject with it; a constructor throws it.
 *
 * @param what the call, for per-call options ("acquire", "close"); `""` for constructor options.
 * @param renamed other libraries' names for ours, turned into a "use X instead" hint.
 * @example
 * ```ts
 * const error = unknownOption(options, new Set(["path", "readers"]), "", { filename: "path" });
 * if (error !== undefined) throw error;
 * ```
 */
export function unknownOption(
  options: object,
  known: ReadonlySet<string>,
  what: string,
  renamed: Readonly<Record<string, string>> = {},
): PoolInvalidOptionError | undefined {
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    const hint = Object.hasOwn(renamed, key) ? renamed[key] : undefined;
    const unknown = what === "" ? "unknown option" : `unknown ${what} option`;
    const detail = hint
      ? `use "${hint}" instead`
      : what === ""
        ? ""
        : `known: ${[...known].map((k) => `"${k}"`).join(", ")}`;
    return new PoolInvalidOptionError(key, detail === "" ? unknown : `${unknown}, ${detail}`);
  }
  return undefined;
}

/**
 * Checks a duration option: a number of milliseconds in `[0, MAX_DELAY_MS]` (`(0, ...]` with
 * `positive`).
 *
 * @returns the value, typed.
 * @throws {PoolInvalidOptionError} naming `option`.
 * @example
 * ```ts
 * const idleTimeoutMs = checkDurationMs(options.idleTimeoutMs ?? 60_000, "idleTimeoutMs");
 * checkDurationMs(options.acquireTimeoutMs, "acquireTimeoutMs", { positive: true });
 * ```
 */
export function checkDurationMs(value: unknown, option: string, check?: RangeCheck): number {
  const error = durationError(value, option, check?.positive === true);
  if (error !== undefined) throw error;
  return value as number;
}

/** {@link checkDurationMs}'s test, returning the error: for per-call parsers, which reject. */
export function durationError(
  value: unknown,
  option: string,
  positive: boolean,
): PoolInvalidOptionError | undefined {
  if (typeof value === "number" && (positive ? value > 0 : value >= 0) && value <= MAX_DELAY_MS) {
    return undefined;
  }
  return new PoolInvalidOptionError(
    option,
    `must be a number of milliseconds in ${positive ? "(0" : "[0"}, ${MAX_DELAY_MS}]`,
  );
}

/**
 * Checks a count option: a safe integer, at least 0 (at least 1 with `positive`).
 *
 * @returns the value, typed.
 * @throws {PoolInvalidOptionError} naming `option`.
 * @example
 * ```ts
 * checkCount(options.maxWaiting, "maxWaiting"); // 0 allowed: unlimited
 * checkCount(options.max, "max", { positive: true });
 * ```
 */
export function checkCount(value: unknown, option: string, check?: RangeCheck): number {
  const positive = check?.positive === true;
  if (Number.isSafeInteger(value) && (value as number) >= (positive ? 1 : 0)) {
    return value as number;
  }
  throw new PoolInvalidOptionError(
    option,
    positive ? "must be a positive integer" : "must be a non-negative integer",
  );
}

/**
 * Checks that an option is one of a few strings.
 *
 * @returns the value, typed as one of `allowed`.
 * @throws {PoolInvalidOptionError} naming `option` and listing `allowed`.
 * @example
 * ```ts
 * const order = checkEnum(options.order, "order", ["lifo", "fifo"]); // "lifo" | "fifo"
 * ```
 */
export function checkEnum<const V extends string>(
  value: unknown,
  option: string,
  allowed: readonly V[],
): V {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
    return value as V;
  }
  const list = allowed.map((v) => `"${v}"`);
  const words =
    list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}` : list[0];
  throw new PoolInvalidOptionError(option, `must be ${words}`);
}

/**
 * Checks that an option is `true` or `false` (not a truthy string such as `"false"`).
 *
 * @returns the value, typed.
 * @throws {PoolInvalidOptionError} naming `option`.
 * @example
 * ```ts
 * const failFast = checkBoolean(options.failFast ?? false, "failFast");
 * ```
 */
export function checkBoolean(value: unknown, option: string): boolean {
  if (typeof value === "boolean") return value;
  throw new PoolInvalidOptionError(option, "must be a boolean");
}
