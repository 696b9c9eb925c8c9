/**
 * Stable error codes thrown by @pool/core. Match on these, never on messages.
 *
 * @example
 * ```ts
 * try {
 *   await pool.acquire({ timeoutMs: 100 });
 * } catch (error) {
 *   if (error instanceof PoolError && error.code === "POOL_TIMEOUT") retryLater();
 * }
 * ```
 */
export type PoolErrorCode =
  | "POOL_TIMEOUT"
  | "POOL_ABORTED"
  | "POOL_CLOSED"
  | "POOL_CREATE_FAILED"
  | "POOL_CREATE_TIMEOUT"
  | "POOL_DESTROY_TIMEOUT"
  | "POOL_VALIDATE_TIMEOUT"
  | "POOL_INVALID_OPTION"
  | "POOL_ALREADY_RELEASED"
  | "POOL_QUEUE_FULL"
  | (string & {});

/**
 * Base class of every error @pool packages throw (except aborts that must look like `fetch`'s).
 * Each carries a stable `code`; downstream packages extend it with their own codes.
 *
 * @example
 * ```ts
 * if (error instanceof PoolError) console.log(error.code);
 * ```
 */
export class PoolError extends Error {
  readonly code: PoolErrorCode;

  constructor(code: PoolErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }

  /**
   * `instanceof` for a branded class (see {@link brandErrorClass}) looks for its brand, so an
   * error from another copy of the package is recognised; other subclasses check as usual.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: the class right of `instanceof`, often a subclass
    return isInstance(this, value);
  }
}

function isInstance(Class: object, value: unknown): boolean {
  const brand = Object.hasOwn(Class, BRAND) ? (Class as Branded)[BRAND] : undefined;
  if (brand === undefined) return Function.prototype[Symbol.hasInstance].call(Class, value);
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** The static key under which a branded class keeps its brand: the same in every copy. */
const BRAND = Symbol.for("@pool/core.errorBrand");

interface Branded {
  [BRAND]?: symbol;
}

/**
 * Makes `instanceof ErrorClass` true for errors made by any copy of the class, not only this
 * one: an app can end up with two copies of a package (its own dependency and another
 * package's, or the source and the build output), and an error thrown by one must still match
 * the other's class. The brand is `Symbol.for(id)`, set on the class's prototype, so `id` must
 * be the same in every copy and unique to the class (`"<package>.<ClassName>"`). Every
 * @pool/core error class is branded; call it for your own `PoolError` subclasses.
 *
 * @example
 * ```ts
 * export class SqliteError extends PoolError { ... }
 * brandErrorClass(SqliteError, "@pool/sqlite.SqliteError");
 * ```
 */
export function brandErrorClass(
  ErrorClass: abstract new (...args: never[]) => PoolError,
  id: string,
): void {
  const brand = Symbol.for(id);
  Object.defineProperty(ErrorClass, BRAND, { value: brand });
  Object.defineProperty(ErrorClass.prototype, brand, { value: true });
}

/**
 * Counts a timeout error reports, so the reader can tell exhaustion from a dead factory.
 *
 * @example
 * ```ts
 * if (error instanceof PoolTimeoutError && error.snapshot.borrowed === error.snapshot.size) scaleUp();
 * ```
 */
export interface PoolSnapshot {
  size: number;
  borrowed: number;
  idle: number;
  pending: number;
  creating: number;
}

/**
 * An acquire waited longer than its timeout. The message says how full the pool was;
 * `cause` is the last create error while creation is failing.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof PoolTimeoutError) console.log(e.snapshot.borrowed, e.cause); }
 * ```
 */
export class PoolTimeoutError extends PoolError {
  readonly snapshot: PoolSnapshot;
  readonly timeoutMs: number;

  constructor(name: string, timeoutMs: number, snapshot: PoolSnapshot, cause?: unknown) {
    const s = snapshot;
    super(
      "POOL_TIMEOUT",
      `${name}: acquire timed out after ${timeoutMs} ms ` +
        `(total=${s.size}, borrowed=${s.borrowed}, idle=${s.idle}, pending=${s.pending}, creating=${s.creating})` +
        (cause === undefined ? "" : `; last create error: ${describe(cause)}`),
      cause === undefined ? undefined : { cause },
    );
    this.snapshot = snapshot;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An acquire was aborted through its `signal`; `cause` is the signal's reason.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * const p = pool.acquire({ signal: ac.signal });
 * ac.abort(); // p rejects with PoolAbortedError
 * ```
 */
export class PoolAbortedError extends PoolError {
  constructor(name: string, reason: unknown) {
    super("POOL_ABORTED", `${name}: acquire aborted`, { cause: reason });
  }
}

/**
 * The pool is closing or closed: waiters are rejected and new acquires fail at once.
 *
 * @example
 * ```ts
 * await pool.close();
 * await pool.acquire(); // rejects with PoolClosedError
 * ```
 */
export class PoolClosedError extends PoolError {
  constructor(name: string) {
    super("POOL_CLOSED", `${name}: pool is closed`);
  }
}

/**
 * Creating a resource failed (or timed out); `cause` is what the factory threw.
 * Thrown to waiters when `failFast` is set and the factory is known to be failing.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof PoolCreateError) log(e.cause); }
 * ```
 */
export class PoolCreateError extends PoolError {
  constructor(
    name: string,
    cause: unknown,
    code: "POOL_CREATE_FAILED" | "POOL_CREATE_TIMEOUT" = "POOL_CREATE_FAILED",
  ) {
    super(code, `${name}: create failed: ${describe(cause)}`, { cause });
  }
}

/**
 * A constructor option is unknown or out of range; `option` names it.
 *
 * @example
 * ```ts
 * new Pool({ create, max: -1 }); // throws PoolInvalidOptionError, option === "max"
 * ```
 */
export class PoolInvalidOptionError extends PoolError {
  readonly option: string;

  constructor(option: string, message: string) {
    super("POOL_INVALID_OPTION", `invalid option "${option}": ${message}`);
    this.option = option;
  }
}

/**
 * A lease was released or destroyed twice.
 *
 * @example
 * ```ts
 * lease.release();
 * lease.release(); // throws PoolAlreadyReleasedError
 * ```
 */
export class PoolAlreadyReleasedError extends PoolError {
  constructor(name: string) {
    super("POOL_ALREADY_RELEASED", `${name}: lease was already released`);
  }
}

/**
 * More acquires are waiting than `maxWaiting` allows: shed load instead of queueing it.
 *
 * @example
 * ```ts
 * const pool = new Pool({ create, max: 1, maxWaiting: 100 });
 * ```
 */
export class PoolQueueFullError extends PoolError {
  constructor(name: string, maxWaiting: number) {
    super("POOL_QUEUE_FULL", `${name}: ${maxWaiting} acquires are already waiting`);
  }
}

brandErrorClass(PoolError, "@pool/core.PoolError");
brandErrorClass(PoolTimeoutError, "@pool/core.PoolTimeoutError");
brandErrorClass(PoolAbortedError, "@pool/core.PoolAbortedError");
brandErrorClass(PoolClosedError, "@pool/core.PoolClosedError");
brandErrorClass(PoolCreateError, "@pool/core.PoolCreateError");
brandErrorClass(PoolInvalidOptionError, "@pool/core.PoolInvalidOptionError");
brandErrorClass(PoolAlreadyReleasedError, "@pool/core.PoolAlreadyReleasedError");
brandErrorClass(PoolQueueFullError, "@pool/core.PoolQueueFullError");

/** Never throws: a thrown value may be anything, even an object `String()` cannot convert. */
function describe(error: unknown): string {
  try {
    if (error instanceof Error) return error.message || error.name;
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
