import type { Database } from "bun:sqlite";
import { type BusyCounters, retryWhileBusy } from "./busy.ts";
import type { Connection } from "./connection.ts";
import { SqliteMigrationError } from "./errors.ts";

/**
 * One schema change: an SQL script, or a function given the writer connection (it may be async;
 * the writer stays held). Never edit or reorder a migration once released: `user_version`
 * records how many have run.
 *
 * @example
 * ```ts
 * const migrations: Migration[] = [
 *   "create table users(id integer primary key, email text not null unique)",
 *   (db) => { for (const u of legacyUsers()) db.run("insert into users(email) values (?)", [u]); },
 * ];
 * ```
 */
export type Migration = string | ((db: Database) => void | PromiseLike<void>);

/**
 * Brings the database to `migrations.length`, one migration per `BEGIN IMMEDIATE` transaction
 * that first re-reads `user_version`: when several processes start together, the lock orders
 * them and each migration runs exactly once. A failed migration is rolled back.
 *
 * @throws {SqliteMigrationError} naming the migration's version; `cause` is what it threw.
 */
export async function migrate(
  conn: Connection,
  migrations: readonly Migration[],
  busyTimeoutMs: number,
  counters: BusyCounters,
): Promise<void> {
  const db = conn.db;
  for (;;) {
    const begin = () => void db.run("BEGIN IMMEDIATE");
    const startedAt = performance.now();
    try {
      begin();
    } catch (error) {
      await retryWhileBusy(begin, error, startedAt, busyTimeoutMs, counters).catch((last) => {
        throw new SqliteMigrationError(userVersion(db) + 1, last);
      });
    }
    const version = userVersion(db);
    const migration = migrations[version];
    if (migration === undefined) {
      db.run("COMMIT");
      return;
    }
    try {
      if (typeof migration === "string") db.run(migration);
      else await migration(db);
      if (!db.inTransaction) throw new Error("the migration ended the transaction it runs in");
      db.run(`PRAGMA user_version = ${version + 1}`);
      db.run("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.run("ROLLBACK");
      throw new SqliteMigrationError(version + 1, error);
    }
  }
}

function userVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}
