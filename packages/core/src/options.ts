import { callOptionsParser } from "./call-options.ts";
import { PoolInvalidOptionError } from "./errors.ts";
import {
  checkBoolean,
  checkCount,
  checkDurationMs,
  checkEnum,
  unknownOption,
} from "./option-checks.ts";

/**
 * Per-call options of `pool.acquire()`.
 *
 * @example
 * ```ts
 * await pool.acquire({ timeoutMs: 1_000, signal: AbortSignal.timeout(500) });
 * ```
 */
export interface AcquireOptions {
  /** Aborting it rejects the acquire with `POOL_ABORTED` (the reason is the `cause`). */
  signal?: AbortSignal;
  /** Overrides the pool's `acquireTimeoutMs` for this call. */
  timeoutMs?: number;
}

/**
 * Options of `pool.close()`.
 *
 * @example
 * ```ts
 * await pool.close({ timeoutMs: 0 }); // take borrowed leases back at once
 * ```
 */
export interface CloseOptions {
  /** How long to wait for borrowed leases before destroying them; `0` forces at once. @default closeTimeoutMs */
  timeoutMs?: number;
}

/**
 * Options of a {@link Pool}. Times are in milliseconds; `0` turns an optional limit off.
 *
 * @example
 * ```ts
 * const pool = new Pool<Socket>({
 *   create: (signal) => connect(signal),
 *   destroy: (s) => s.end(),
 *   validate: (s) => s.readyState === "open",
 *   min: 2,
 *   max: 16,
 *   acquireTimeoutMs: 5_000,
 * });
 * ```
 */
export interface PoolOptions<T> {
  /** Makes a resource. Abort work when `signal` fires: the pool gave up on this create. */
  create: (signal: AbortSignal) => T | PromiseLike<T>;
  /** Frees a resource. May be async and may fail: failures are reported as `destroyError` events. */
  destroy?: (resource: T) => unknown;
  /** Checks a resource before lending it. `false`, a throw or a rejection all mean "discard it". */
  validate?: (resource: T) => boolean | PromiseLike<boolean>;
  /** Name used in error messages. @default "pool" */
  name?: string;
  /** Resources kept warm, refilled in the background. @default 0 */
  min?: number;
  /** Upper bound on resources that exist or are being created. @default 10 */
  max?: number;
  /** How long `acquire()` waits before `POOL_TIMEOUT`; per-call `timeoutMs` overrides it. @default 30000 */
  acquireTimeoutMs?: number;
  /** A create running longer is aborted and its slot freed; `0` waits forever. @default 30000 */
  createTimeoutMs?: number;
  /** A destroy running longer is reported as failed and forgotten; `0` waits forever. @default 5000 */
  destroyTimeoutMs?: number;
  /**
   * Idle resources beyond `min` are destroyed after idling this long (checked by a sweep every
   * quarter of it, so between 1x and 1.5x); `0` keeps them. @default 60000
   */
  idleTimeoutMs?: number;
  /** Resources are retired after about this long (minus up to `maxLifetimeJitter` of it); `0` is forever. @default 0 */
  maxLifetimeMs?: number;
  /** Fraction of `maxLifetimeMs` taken off at random per resource, so they do not expire together. @default 0.1 */
  maxLifetimeJitter?: number;
  /** Resources are retired after this many leases; `0` is unlimited. @default 0 */
  maxUses?: number;
  /** A validation running longer counts as failed; `0` waits forever. @default 5000 */
  validateTimeoutMs?: number;
  /** `validate` runs on borrow only after a resource has been idle this long. @default 0 */
  validateAfterIdleMs?: number;
  /** Report leases held longer than this, with the borrower's stack; `0` is off. @default 0 */
  leakDetectionMs?: number;
  /** Which idle resource is reused first: most recently released (`"lifo"`) or least (`"fifo"`). @default "lifo" */
  order?: "lifo" | "fifo";
  /** Reject waiters at once with `POOL_CREATE_FAILED` while the factory is failing, instead of at their timeout. @default false */
  failFast?: boolean;
  /** First delay before retrying a failed create (at least 1); doubles per failure, with jitter. @default 100 */
  createRetryDelayMs?: number;
  /** Cap on the retry delay. @default 5000 */
  createRetryMaxDelayMs?: number;
  /** Acquires allowed to wait at once; one more is rejected with `POOL_QUEUE_FULL`. `0` is unlimited. @default 0 */
  maxWaiting?: number;
  /** How long `close()` waits for borrowed leases before destroying them. @default 30000 */
  closeTimeoutMs?: number;
  /** How often idle, lifetime and leak checks run; defaults from the timeouts above. */
  evictionIntervalMs?: number;
}

/** Options with every default filled in. */
export type ResolvedOptions<T> = Required<Omit<PoolOptions<T>, "destroy" | "validate">> &
  Pick<PoolOptions<T>, "destroy" | "validate">;

const DEFAULTS = {
  name: "pool",
  min: 0,
  max: 10,
  acquireTimeoutMs: 30_000,
  createTimeoutMs: 30_000,
  destroyTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxLifetimeMs: 0,
  maxLifetimeJitter: 0.1,
  maxUses: 0,
  validateAfterIdleMs: 0,
  validateTimeoutMs: 5_000,
  leakDetectionMs: 0,
  order: "lifo",
  failFast: false,
  createRetryDelayMs: 100,
  createRetryMaxDelayMs: 5_000,
  maxWaiting: 0,
  closeTimeoutMs: 30_000,
  evictionIntervalMs: 0,
} as const;

/** Names other pools use, mapped to ours, so a migrating user gets a hint instead of a silent no-op. */
const RENAMED: Record<string, string> = {
  acquireTimeoutMillis: "acquireTimeoutMs",
  createTimeoutMillis: "createTimeoutMs",
  destroyTimeoutMillis: "destroyTimeoutMs",
  idleTimeoutMillis: "idleTimeoutMs",
  reapIntervalMillis: "evictionIntervalMs",
  createRetryIntervalMillis: "createRetryDelayMs",
  evictionRunIntervalMillis: "evictionIntervalMs",
  softIdleTimeoutMillis: "idleTimeoutMs",
  maxLifetime: "maxLifetimeMs",
  idleTimeout: "idleTimeoutMs",
  connectionTimeout: "acquireTimeoutMs",
  leakDetectionThreshold: "leakDetectionMs",
  maxWaitingClients: "maxWaiting",
  testOnBorrow: "validate",
  propagateCreateError: "failFast",
  fifo: "order",
  validator: "validate",
};

const FUNCTIONS = ["create", "destroy", "validate"] as const;
const KNOWN: ReadonlySet<string> = new Set([...Object.keys(DEFAULTS), ...FUNCTIONS]);
const DURATIONS = [
  "acquireTimeoutMs",
  "createTimeoutMs",
  "destroyTimeoutMs",
  "idleTimeoutMs",
  "maxLifetimeMs",
  "validateAfterIdleMs",
  "validateTimeoutMs",
  "leakDetectionMs",
  "createRetryDelayMs",
  "createRetryMaxDelayMs",
  "closeTimeoutMs",
  "evictionIntervalMs",
] as const;
const COUNTS = ["min", "maxUses", "maxWaiting"] as const;

/**
 * Fills in defaults and checks every field, naming the bad one.
 *
 * @throws {PoolInvalidOptionError} on an unknown key, a wrong type or a value out of range.
 */
export function resolveOptions<T>(options: PoolOptions<T>): ResolvedOptions<T> {
  if (options === null || typeof options !== "object") {
    throw new PoolInvalidOptionError("options", "expected an object with at least `create`");
  }
  const unknown = unknownOption(options, KNOWN, "", RENAMED);
  if (unknown !== undefined) throw unknown;
  const o = options as unknown as Record<string, unknown>;
  for (const key of FUNCTIONS) {
    const value = o[key];
    if (value === undefined && key !== "create") continue;
    if (typeof value !== "function") throw new PoolInvalidOptionError(key, "must be a function");
  }
  const resolved = { ...DEFAULTS, ...stripUndefined(o) } as unknown as ResolvedOptions<T>;
  for (const key of DURATIONS) checkDurationMs(resolved[key], key);
  for (const key of COUNTS) checkCount(resolved[key], key);
  checkCount(resolved.max, "max", { positive: true });
  if (resolved.min > resolved.max) {
    throw new PoolInvalidOptionError("min", `must not exceed max (${resolved.max})`);
  }
  // An acquire must not wait forever.
  checkDurationMs(resolved.acquireTimeoutMs, "acquireTimeoutMs", { positive: true });
  if (
    typeof resolved.maxLifetimeJitter !== "number" ||
    !(resolved.maxLifetimeJitter >= 0 && resolved.maxLifetimeJitter < 1)
  ) {
    throw new PoolInvalidOptionError("maxLifetimeJitter", "must be a fraction in [0, 1)");
  }
  checkEnum(resolved.order, "order", ["lifo", "fifo"]);
  checkBoolean(resolved.failFast, "failFast");
  if (typeof resolved.name !== "string")
    throw new PoolInvalidOptionError("name", "must be a string");
  if (resolved.createRetryDelayMs < 1) {
    throw new PoolInvalidOptionError(
      "createRetryDelayMs",
      "must be at least 1 ms: a failing factory must not be called in a loop",
    );
  }
  if (resolved.createRetryMaxDelayMs < resolved.createRetryDelayMs) {
    throw new PoolInvalidOptionError(
      "createRetryMaxDelayMs",
      "must not be below createRetryDelayMs",
    );
  }
  return resolved;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

/** Checks `acquire()` options: a typo such as `{ timeout: 50 }` would otherwise wait the pool's full acquireTimeoutMs. */
export const parseAcquireOptions = callOptionsParser("acquire");

/** Checks `close()` options; `timeoutMs: 0` forces. */
export const parseCloseOptions = callOptionsParser("close", {
  keys: ["timeoutMs"],
  zeroTimeout: true,
});
