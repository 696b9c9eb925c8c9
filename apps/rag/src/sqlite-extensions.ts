import { Database } from "bun:sqlite";
import * as sqliteVec from "sqlite-vec";

/**
 * The SQLite extensions the RAG app wants on every connection of the shared pool: sqlite-vec,
 * when it loads here. It is tried on a throwaway in-memory connection first, so a platform
 * without a sqlite-vec build, or Apple's SQLite (which refuses extensions unless
 * `Database.setCustomSQLite()` was called before any database was opened), gets `[]` and the
 * app's JS cosine scan instead of a server that cannot open its pool. `/health` says which runs.
 *
 * @param log where to say why sqlite-vec is left out. [log=console.warn]
 * @example
 * ```ts
 * const db = new SqlitePool({ path, extensions: ragSqliteExtensions() });
 * ```
 */
export function ragSqliteExtensions(log: (line: string) => void = console.warn): string[] {
  let path: string;
  try {
    path = sqliteVec.getLoadablePath();
    const probe = new Database(":memory:");
    try {
      probe.loadExtension(path);
    } finally {
      probe.close();
    }
  } catch (error) {
    log(
      `rag: sqlite-vec does not load here (${error instanceof Error ? error.message : String(error)}); ` +
        "the JS cosine scan will serve vector search",
    );
    return [];
  }
  return [path];
}
