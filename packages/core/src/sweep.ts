import type { Deque } from "./deque.ts";
import { BORROWED, type Entry, UNSTAMPED } from "./entry.ts";
import type { DestroyReason, LeakReport } from "./events.ts";
import type { ResolvedOptions } from "./options.ts";

/**
 * Takes out of `idle` what has idled too long: past its own deadline (`lease.setIdleTimeoutMs`)
 * or, while the pool holds more than `min`, past `idleTimeoutMs`. The idle list runs
 * oldest-released first, so the longest idle go first. A resource released without a timestamp
 * (see `Pool.handOff`) is stamped now: its idle time counts from the first sweep that sees it.
 */
export function sweepIdle<T>(
  idle: Deque<Entry<T>>,
  now: number,
  idleTimeoutMs: number,
  excess: number,
): [Entry<T>, DestroyReason][] {
  const expired: [Entry<T>, DestroyReason][] = [];
  idle.filter((entry) => {
    if (entry.idleSince === UNSTAMPED) {
      entry.idleSince = now;
      return true;
    }
    const idleMs = now - entry.idleSince;
    if (entry.idleTimeoutMs > 0 && idleMs >= entry.idleTimeoutMs) {
      expired.push([entry, "evicted"]);
      excess--;
      return false;
    }
    if (idleTimeoutMs > 0 && excess > 0 && idleMs >= idleTimeoutMs) {
      expired.push([entry, "idle"]);
      excess--;
      return false;
    }
    return true;
  });
  return expired;
}

/** Leases held longer than `leakMs` and not yet reported; marks them reported. */
export function findLeaks<T>(
  entries: Iterable<Entry<T>>,
  now: number,
  leakMs: number,
): LeakReport<T>[] {
  const reports: LeakReport<T>[] = [];
  for (const entry of entries) {
    if (entry.state !== BORROWED || entry.leakReported || now - entry.lentAt < leakMs) continue;
    entry.leakReported = true;
    reports.push({
      resource: entry.resource,
      heldMs: now - entry.lentAt,
      stack: entry.stack ?? "",
    });
  }
  return reports;
}

/**
 * How often the sweep runs unless `evictionIntervalMs` says: a quarter of the shortest period
 * it serves, so idle eviction lands between 1x and 1.5x `idleTimeoutMs` (idle times are stamped
 * by the first sweep to see them), within [10 ms, 30 s]; never, when nothing needs it.
 */
export function sweepIntervalMs<T>(o: ResolvedOptions<T>): number {
  if (o.evictionIntervalMs > 0) return o.evictionIntervalMs;
  const periods = [o.idleTimeoutMs, o.leakDetectionMs].filter((ms) => ms > 0);
  if (periods.length === 0) return 0;
  return Math.min(30_000, Math.max(10, Math.min(...periods) / 4));
}
