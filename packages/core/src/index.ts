export { backoffMs } from "./backoff.ts";
export type { CallOptions, CallOptionsSpec, ParsedCallOptions } from "./call-options.ts";
export { callOptionsParser } from "./call-options.ts";
export type { DeadlineEntry, DeadlineListOptions } from "./deadline-list.ts";
export { DeadlineList } from "./deadline-list.ts";
export type { PoolErrorCode, PoolSnapshot } from "./errors.ts";
export {
  brandErrorClass,
  PoolAbortedError,
  PoolAlreadyReleasedError,
  PoolClosedError,
  PoolCreateError,
  PoolError,
  PoolInvalidOptionError,
  PoolQueueFullError,
  PoolTimeoutError,
} from "./errors.ts";
export type { DestroyReason, LeakReport, PoolEvents } from "./events.ts";
export type { WaitStats } from "./histogram.ts";
export { Histogram } from "./histogram.ts";
export { Lease } from "./lease.ts";
export type { RangeCheck } from "./option-checks.ts";
export {
  checkBoolean,
  checkCount,
  checkDurationMs,
  checkEnum,
  MAX_DELAY_MS,
  unknownOption,
} from "./option-checks.ts";
export type { AcquireOptions, CloseOptions, PoolOptions } from "./options.ts";
export { Pool } from "./pool.ts";
export type { PoolStats } from "./stats.ts";
export { within } from "./within.ts";
