import type { PoolStats, WaitStats } from "@pool/core";
import type { HttpPoolStats, OriginStats } from "@pool/http";
import type { SqlitePoolStats } from "@pool/sqlite";
import { Counter, Gauge, type Registry } from "prom-client";

/**
 * THE mapping from the pools' `stats()` to the server's metric names: the only file that reads
 * the packages' stats shapes, so a change inside a package touches this file and no dashboard.
 * Names follow Prometheus conventions: `_total` counters, `_seconds`, a `pool` label
 * (`sqlite_writer`, `sqlite_readers`, `llm`) and an `origin` label on the HTTP pool's series.
 */

/** Where the mapping reads its figures at scrape time. */
export interface PoolStatsSources {
  sqlite: () => SqlitePoolStats;
  /** The LLM's `HttpPool`; its series get `pool="llm"`. */
  llm: () => HttpPoolStats;
}

type Labels = Record<string, string>;
type Sample = [Labels, number];
interface Snapshot {
  sqlite: SqlitePoolStats;
  llm: HttpPoolStats;
}

interface Spec {
  name: string;
  help: string;
  kind: "gauge" | "counter";
  labels: string[];
  read: (s: Snapshot) => Sample[];
}

/** The generic pools, as `PoolStats` (the SQLite writer and readers). */
function corePools(s: Snapshot): Array<[Labels, PoolStats]> {
  const pools: Array<[Labels, PoolStats]> = [[{ pool: "sqlite_writer" }, s.sqlite.writer]];
  if (s.sqlite.readers) pools.push([{ pool: "sqlite_readers" }, s.sqlite.readers]);
  return pools;
}

function origins(s: Snapshot): Array<[Labels, OriginStats]> {
  return Object.values(s.llm.origins).map((o) => [{ pool: "llm", origin: o.origin }, o]);
}

/** One figure of every pool, generic and HTTP alike, with the HTTP pool per origin. */
function everyPool(
  core: (p: PoolStats) => number,
  http: (o: OriginStats) => number,
): (s: Snapshot) => Sample[] {
  return (s) => [
    ...corePools(s).map(([l, p]): Sample => [l, core(p)]),
    ...origins(s).map(([l, o]): Sample => [l, http(o)]),
  ];
}

const QUANTILES: Array<[string, keyof WaitStats]> = [
  ["0.5", "p50Ms"],
  ["0.99", "p99Ms"],
  ["1", "maxMs"],
];

function quantiles(labels: Labels, wait: WaitStats): Sample[] {
  return QUANTILES.map(([q, key]): Sample => [{ ...labels, quantile: q }, wait[key] / 1000]);
}

const SPECS: Spec[] = [
  // Every pool.
  {
    name: "pool_size",
    help: "Resources (connections) that exist now: idle + borrowed.",
    kind: "gauge",
    labels: ["pool", "origin"],
    read: everyPool(
      (p) => p.size,
      (o) => o.connections?.size ?? o.requests.inFlight,
    ),
  },
  {
    name: "pool_idle",
    help: "Resources idle in the pool now.",
    kind: "gauge",
    labels: ["pool", "origin"],
    read: everyPool(
      (p) => p.idle,
      (o) => o.connections?.idle ?? 0,
    ),
  },
  {
    name: "pool_borrowed",
    help: "Resources lent out now (for the HTTP pool: requests in flight).",
    kind: "gauge",
    labels: ["pool", "origin"],
    read: everyPool(
      (p) => p.borrowed,
      (o) => o.requests.inFlight,
    ),
  },
  {
    name: "pool_pending",
    help: "Callers waiting for a resource now.",
    kind: "gauge",
    labels: ["pool", "origin"],
    read: everyPool(
      (p) => p.pending,
      (o) => o.requests.pending,
    ),
  },
  {
    name: "pool_acquire_wait_seconds",
    help: "Time from asking for a resource to getting it, over the pool's life, by quantile (1 = max).",
    kind: "gauge",
    labels: ["pool", "origin", "quantile"],
    read: (s) => [
      ...corePools(s).flatMap(([l, p]) => quantiles(l, p.wait)),
      ...origins(s).flatMap(([l, o]) => quantiles(l, o.wait)),
    ],
  },
  {
    name: "pool_acquires_total",
    help: "Resources lent (for the HTTP pool: requests sent, retries included).",
    kind: "counter",
    labels: ["pool", "origin"],
    read: everyPool(
      (p) => p.acquired,
      (o) => o.requests.total,
    ),
  },
  {
    name: "pool_acquire_timeouts_total",
    help: "Waits for a resource that ended in POOL_TIMEOUT.",
    kind: "counter",
    labels: ["pool"],
    read: (s) => corePools(s).map(([l, p]): Sample => [l, p.timedOut]),
  },
  {
    name: "pool_created_total",
    help: "Resources (connections) opened over the pool's life.",
    kind: "counter",
    labels: ["pool", "origin"],
    read: everyPool(
      (p) => p.created,
      (o) => o.connections?.created ?? 0,
    ),
  },
  // @pool/sqlite.
  {
    name: "pool_sqlite_writer_pending",
    help: "Writes queued for the one writer connection.",
    kind: "gauge",
    labels: [],
    read: (s) => [[{}, s.sqlite.writer.pending]],
  },
  {
    name: "pool_sqlite_workers",
    help: "Off-thread reader processes running.",
    kind: "gauge",
    labels: [],
    read: (s) => [[{}, s.sqlite.workers?.size ?? 0]],
  },
  {
    name: "pool_sqlite_workers_busy",
    help: "Reader processes running a query now.",
    kind: "gauge",
    labels: [],
    read: (s) => [[{}, s.sqlite.workers?.borrowed ?? 0]],
  },
  {
    name: "pool_sqlite_worker_queue",
    help: "Queries waiting for a free reader process.",
    kind: "gauge",
    labels: [],
    read: (s) => [[{}, s.sqlite.workers?.pending ?? 0]],
  },
  {
    name: "pool_sqlite_worker_queries_total",
    help: "Queries run on reader processes, by outcome.",
    kind: "counter",
    labels: ["outcome"],
    read: (s) => [
      [{ outcome: "completed" }, s.sqlite.workers?.completed ?? 0],
      [{ outcome: "failed" }, s.sqlite.workers?.failed ?? 0],
    ],
  },
  {
    name: "pool_sqlite_worker_restarts_total",
    help: "Reader processes replaced after a crash or a query timeout (killed).",
    kind: "counter",
    labels: [],
    read: (s) => [[{}, s.sqlite.workers?.restarts ?? 0]],
  },
  {
    name: "pool_sqlite_statement_cache_total",
    help: "Prepared-statement cache lookups and evictions, over every connection.",
    kind: "counter",
    labels: ["result"],
    read: (s) => [
      [{ result: "hit" }, s.sqlite.statements.hits],
      [{ result: "miss" }, s.sqlite.statements.misses],
      [{ result: "eviction" }, s.sqlite.statements.evictions],
    ],
  },
  {
    name: "pool_sqlite_transactions_total",
    help: "Transactions ended, by outcome (timed_out ones are also rolled_back).",
    kind: "counter",
    labels: ["outcome"],
    read: (s) => [
      [{ outcome: "committed" }, s.sqlite.transactions.committed],
      [{ outcome: "rolled_back" }, s.sqlite.transactions.rolledBack],
      [{ outcome: "timed_out" }, s.sqlite.transactions.timedOut],
    ],
  },
  {
    name: "pool_sqlite_busy_retries_total",
    help: "Writes that waited for another process's lock and were retried.",
    kind: "counter",
    labels: [],
    read: (s) => [[{}, s.sqlite.busyRetries]],
  },
  // @pool/http, per origin.
  {
    name: "pool_http_connections",
    help: "Sockets to the origin now, by state.",
    kind: "gauge",
    labels: ["pool", "origin", "state"],
    read: (s) =>
      origins(s).flatMap(([l, o]): Sample[] =>
        o.connections
          ? [
              [{ ...l, state: "idle" }, o.connections.idle],
              [{ ...l, state: "busy" }, o.connections.borrowed],
              [{ ...l, state: "connecting" }, o.connections.creating],
            ]
          : [],
      ),
  },
  {
    name: "pool_http_connections_opened_total",
    help: "Sockets opened to the origin.",
    kind: "counter",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.connections?.created ?? 0]),
  },
  {
    name: "pool_http_connections_reused_total",
    help: "Requests sent on a socket that had served a request before.",
    kind: "counter",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.connections?.reused ?? 0]),
  },
  {
    name: "pool_http_connections_closed_total",
    help: "Sockets closed, by reason.",
    kind: "counter",
    labels: ["pool", "origin", "reason"],
    read: (s) =>
      origins(s).flatMap(([l, o]) =>
        Object.entries(o.connections?.closed ?? {})
          .filter(([reason]) => reason !== "total")
          .map(([reason, n]): Sample => [{ ...l, reason: snake(reason) }, n]),
      ),
  },
  {
    name: "pool_http_connect_errors_total",
    help: "Failed connects to the origin.",
    kind: "counter",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.connections?.connectErrors ?? 0]),
  },
  {
    name: "pool_http_requests_in_flight",
    help: "Requests holding a connection now.",
    kind: "gauge",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.requests.inFlight]),
  },
  {
    name: "pool_http_requests_queued",
    help: "Requests waiting for a connection now.",
    kind: "gauge",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.requests.pending]),
  },
  {
    name: "pool_http_requests_total",
    help: "Requests sent to the origin, retries included.",
    kind: "counter",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.requests.total]),
  },
  {
    name: "pool_http_request_failures_total",
    help: "Requests that failed with an error (not an HTTP status).",
    kind: "counter",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.requests.failed]),
  },
  {
    name: "pool_http_retries_total",
    help: "Requests that were resends or retries.",
    kind: "counter",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.requests.retries]),
  },
  {
    name: "pool_http_ttfb_seconds",
    help: "Request sent to first response byte, by quantile (1 = max).",
    kind: "gauge",
    labels: ["pool", "origin", "quantile"],
    read: (s) => origins(s).flatMap(([l, o]) => quantiles(l, o.ttfb)),
  },
  {
    name: "pool_http_origin_healthy",
    help: "1 while the origin is in rotation.",
    kind: "gauge",
    labels: ["pool", "origin"],
    read: (s) => origins(s).map(([l, o]): Sample => [l, o.healthy ? 1 : 0]),
  },
];

/**
 * Registers every pool metric on `registry`. Values are read from `sources` when scraped (one
 * `stats()` snapshot per scrape, shared by every metric).
 *
 * @returns the metric names registered.
 * @example
 * ```ts
 * const registry = new Registry();
 * registerPoolMetrics(registry, { sqlite: () => db.stats(), llm: () => llm.pool.stats() });
 * console.log(await registry.metrics()); // ... pool_sqlite_writer_pending 0 ...
 * ```
 */
export function registerPoolMetrics(registry: Registry, sources: PoolStatsSources): string[] {
  let cached: Snapshot | undefined;
  // prom-client calls every collect() in the same tick of a scrape: one snapshot serves them all.
  const snapshot = (): Snapshot => {
    if (cached === undefined) {
      cached = { sqlite: sources.sqlite(), llm: sources.llm() };
      queueMicrotask(() => {
        cached = undefined;
      });
    }
    return cached;
  };
  for (const spec of SPECS) {
    const config = {
      name: spec.name,
      help: spec.help,
      labelNames: spec.labels,
      registers: [registry],
    };
    if (spec.kind === "gauge") {
      new Gauge({
        ...config,
        collect() {
          this.reset();
          for (const [labels, value] of spec.read(snapshot())) this.set(labels, value);
        },
      });
    } else {
      new Counter({
        ...config,
        collect() {
          // The pools count; a counter here mirrors their running totals at scrape time.
          this.reset();
          for (const [labels, value] of spec.read(snapshot())) this.inc(labels, value);
        },
      });
    }
  }
  return SPECS.map((s) => s.name);
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
