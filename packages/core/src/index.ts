export type { PoolErrorCode, PoolSnapshot } from "./errors.ts";
export {
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
export type { AcquireOptions, CloseOptions, PoolOptions } from "./options.ts";
export { unknownOption } from "./options.ts";
export { Pool } from "./pool.ts";
export type { PoolStats } from "./stats.ts";
