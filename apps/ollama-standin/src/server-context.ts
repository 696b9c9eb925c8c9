import type { FaultState } from "./faults.ts";
import type { ResolvedStandinOptions } from "./options.ts";
import type { PrefixSlots } from "./prefix-slots.ts";
import type { RequestLog } from "./request-log.ts";

/**
 * What the request handlers of one stand-in share: its options, its chat slots, its counters and
 * log, and its current faults.
 *
 * @example
 * ```ts
 * const context: ServerContext = { options, slots: new PrefixSlots(2), log, faults };
 * ```
 */
export interface ServerContext {
  readonly options: ResolvedStandinOptions;
  readonly slots: PrefixSlots;
  readonly log: RequestLog;
  readonly faults: FaultState;
}
