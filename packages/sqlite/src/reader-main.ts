/**
 * Entry of a reader process: one read-only connection, answering `all`/`get` messages from the
 * pool one at a time over Bun's IPC channel. Rows go back as plain objects; errors as data,
 * rebuilt in the pool. A process, not a Worker, because a query that runs too long must be
 * stoppable: SQLite's loop cannot be preempted inside a thread, but a process can be killed.
 */
import { type Connection, type ConnectionConfig, openConnection } from "./connection.ts";
import type { StatementCounters } from "./statement-cache.ts";
import { toWireError, type WorkerReply, type WorkerRequest } from "./worker-protocol.ts";

const WATCHDOG_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./parent-watchdog.ts" : "./parent-watchdog.js",
  import.meta.url,
);

let config: ConnectionConfig | undefined;
let conn: Connection | undefined;
let openedAt = 0;
let maxLifetimeMs = 0;
const counters: StatementCounters = { hits: 0, misses: 0, evictions: 0 };

const send = (reply: WorkerReply) => process.send?.(reply);

if (process.send === undefined || !(Number(process.env.POOL_SQLITE_PARENT_PID) > 0)) {
  console.error("@pool/sqlite: reader-main is started by SqlitePool, not by hand");
  process.exit(2);
}

// Unref'd: it must not keep this process alive once the channel is gone.
new Worker(WATCHDOG_URL).unref();

// The parent closed the channel (it closed the pool, or exited): nothing more will come.
process.on("disconnect", () => process.exit(0));

process.on("message", (message: WorkerRequest) => {
  if (message.type === "init") {
    config = message.config;
    maxLifetimeMs = message.maxLifetimeMs;
    // The pool lends this reader only from now on: it started, and its channel works both ways.
    send({ type: "ready" });
    return;
  }
  if (message.type === "close") {
    conn?.close();
    conn = undefined;
    send({ type: "closed" });
    return;
  }
  const { id, op, sql, params } = message;
  const { hits, misses, evictions } = counters;
  const cache = () => ({
    hits: counters.hits - hits,
    misses: counters.misses - misses,
    evictions: counters.evictions - evictions,
  });
  let reply: WorkerReply;
  try {
    if (conn !== undefined && maxLifetimeMs > 0 && performance.now() - openedAt > maxLifetimeMs) {
      conn.close();
      conn = undefined;
    }
    // Opened on first use, and again after a failure, so a transient open error is not final.
    if (conn === undefined) {
      conn = openConnection(config as ConnectionConfig, "reader", counters);
      openedAt = performance.now();
    }
    const result = op === "all" ? conn.all(sql, params) : conn.get(sql, params);
    reply = { type: "result", id, result, cache: cache() };
  } catch (error) {
    reply = { type: "error", id, error: toWireError(error), cache: cache() };
  }
  try {
    send(reply);
  } catch (error) {
    // A value the channel cannot carry: that query fails, the reader goes on.
    send({ type: "error", id, error: toWireError(error), cache: cache() });
  }
});
