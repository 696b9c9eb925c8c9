import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Migration, SqlitePool, type SqlitePoolOptions } from "@pool/sqlite";
import { ragMigrations } from "../src/migrations.ts";

/** A migrated pool on a fresh file in a temp directory, and how to get rid of both. */
export interface TempDb {
  db: SqlitePool;
  path: string;
  /** Opens another pool on the same file (a restart). */
  reopen(): Promise<SqlitePool>;
  close(): Promise<void>;
}

/**
 * Opens a `SqlitePool` on `rag.db` in a new temp directory and applies the RAG migrations as the
 * server does (`db.migrate("rag", ...)`).
 *
 * @example
 * ```ts
 * const temp = await openTempDb();
 * createRagApp({ db: temp.db, llm });
 * await temp.close();
 * ```
 */
export async function openTempDb(
  options: Partial<SqlitePoolOptions> = {},
  migrations: Migration[] = ragMigrations,
): Promise<TempDb> {
  const dir = mkdtempSync(join(tmpdir(), "rag-test-"));
  const path = join(dir, "rag.db");
  const pools: SqlitePool[] = [];
  const open = async () => {
    const db = new SqlitePool({ path, ...options });
    pools.push(db);
    await db.migrate("rag", migrations);
    return db;
  };
  const db = await open();
  return {
    db,
    path,
    reopen: open,
    async close() {
      for (const pool of pools) await pool.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
