import { Database, type SQLQueryBindings } from "bun:sqlite";
import type { SqlitePool } from "@pool/sqlite";

type Params =
  | SQLQueryBindings[]
  | Record<string, string | number | bigint | boolean | null | Uint8Array>
  | undefined;

/**
 * The benchmark's baseline (`SQLITE_PER_REQUEST=1`): a `db` that behaves like `pool` except that
 * `get`, `all` and `read` open a connection, run and close it again, as the original design did
 * per request (loading `extensions` into each, as sqlite-vec must be). Writes, transactions and
 * everything else still go to `pool`, so only the read path changes and the app's code stays
 * the same.
 *
 * @example
 * ```ts
 * const reads = perRequestReads(db, config.sqlite.path);
 * createSearchApp({ db: reads }); // GET /search/documents/:id now opens a connection per call
 * ```
 */
export function perRequestReads(
  pool: SqlitePool,
  path: string,
  extensions: readonly string[] = [],
): SqlitePool {
  const withConnection = async <R>(fn: (conn: Database) => R): Promise<Awaited<R>> => {
    const conn = new Database(path, { readonly: true, strict: true });
    try {
      // As a per-request connection of the original design: wait for a lock, nothing more.
      conn.run("pragma busy_timeout = 5000");
      for (const extension of extensions) conn.loadExtension(extension);
      return await fn(conn);
    } finally {
      conn.close();
    }
  };
  const bind = (params: Params): SQLQueryBindings[] =>
    params === undefined ? [] : Array.isArray(params) ? params : [params as SQLQueryBindings];
  const overrides: Record<string | symbol, unknown> = {
    get: (sql: string, params?: Params) =>
      withConnection((conn) => conn.query(sql).get(...bind(params)) ?? null),
    all: (sql: string, params?: Params) =>
      withConnection((conn) => conn.query(sql).all(...bind(params))),
    read: <R>(fn: (conn: Database) => R) => withConnection(fn),
  };
  return new Proxy(pool, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property];
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
