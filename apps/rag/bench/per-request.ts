import { Database, type SQLQueryBindings } from "bun:sqlite";
import type { Llm } from "@app/kit";
import type { SqlitePool } from "@pool/sqlite";
import { Ollama } from "ollama";

type Params = SQLQueryBindings[] | undefined;

/**
 * The benchmark's baseline for SQLite: a `db` whose reads (`get`, `all`, `read`) open a
 * connection, load the extensions, run and close it, as the original design did per request.
 * Writes and transactions still go to `pool`.
 *
 * @example
 * ```ts
 * createRagApp({ db: perRequestReads(pool, path, [vecPath]), llm });
 * ```
 */
export function perRequestReads(
  pool: SqlitePool,
  path: string,
  extensions: readonly string[],
): SqlitePool {
  const withConnection = async <R>(fn: (conn: Database) => R): Promise<Awaited<R>> => {
    const conn = new Database(path, { readonly: true, strict: true });
    try {
      conn.run("pragma busy_timeout = 5000");
      for (const extension of extensions) conn.loadExtension(extension);
      return await fn(conn);
    } finally {
      conn.close();
    }
  };
  const bind = (params: Params) => params ?? [];
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

/**
 * The benchmark's baseline for the LLM: an `Llm` whose `fetch` opens a new connection for every
 * request (Bun's fetch with `keepalive: false`), as a client without a pool would.
 *
 * @example
 * ```ts
 * createRagApp({ db, llm: perRequestLlm(llm) });
 * ```
 */
export function perRequestLlm(llm: Llm): Llm {
  const fetchOnce = (input: string | URL | Request, init?: RequestInit) =>
    fetch(typeof input === "string" && input.startsWith("/") ? `${llm.origin}${input}` : input, {
      ...init,
      keepalive: false,
    });
  return {
    ...llm,
    fetch: fetchOnce as Llm["fetch"],
    ollama: new Ollama({ host: llm.origin, fetch: fetchOnce as typeof fetch }),
  };
}
