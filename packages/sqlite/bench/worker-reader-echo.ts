/**
 * A Bun Worker answering `get` on its own read-only connection: what `workers` used before it
 * moved to child processes, kept here only to compare round trips side by side.
 */
import { Database } from "bun:sqlite";

declare const self: Worker;

let db: Database | undefined;

self.onmessage = (
  event: MessageEvent<{ path?: string; id: number; sql: string; params: number[] }>,
) => {
  const { path, id, sql, params } = event.data;
  if (path !== undefined) db = new Database(path, { readonly: true, strict: true });
  self.postMessage({ id, row: db?.query(sql).get(...params) });
};
