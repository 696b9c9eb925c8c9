/**
 * Entry of a reader Worker: one read-only connection, answering `all`/`get` messages one at a
 * time. Rows go back as plain objects; errors as data, rebuilt on the main thread.
 */
import { type Connection, type ConnectionConfig, openConnection } from "./connection.ts";
import { serializeError } from "./errors.ts";
import type { StatementCounters } from "./statement-cache.ts";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.ts";

declare const self: Worker;

let config: ConnectionConfig | undefined;
let conn: Connection | undefined;
let openedAt = 0;
let maxLifetimeMs = 0;
const counters: StatementCounters = { hits: 0, misses: 0, evictions: 0 };

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  if (message.type === "init") {
    config = message.config;
    maxLifetimeMs = message.maxLifetimeMs;
    return;
  }
  if (message.type === "close") {
    conn?.close();
    conn = undefined;
    self.postMessage({ type: "closed" } satisfies WorkerReply);
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
    reply = { type: "error", id, error: serializeError(error), cache: cache() };
  }
  self.postMessage(reply);
};
