import type { Database } from "bun:sqlite";
import { PoolInvalidOptionError } from "@pool/core";
import { type BusyCounters, retryWhileBusy } from "./busy.ts";
import type { Connection } from "./connection.ts";
import { SqliteMigrationError } from "./errors.ts";

/**
 * One schema change: an SQL script, or a function given the writer connection (it may be async;
 * the writer stays held). Calls on the pool made inside the function (`db.run`, `db.get`,
 * `db.transaction`...) join the migration's transaction, as they do inside `transaction()`.
 * Never edit or reorder a migration once released: only how many have run is recorded.
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

/** Where a migration list records how far it got. */
interface Ledger {
  /** The set's name in errors, `undefined` for the unnamed `user_version` list. */
  readonly set: string | undefined;
  /** How many migrations have run; called inside the migration transaction. */
  applied(db: Database): number;
  /** Records that `version` migrations have run, in the same transaction. */
  record(db: Database, version: number): void;
}

/** Runs a migration function with `db` calls routed to its connection (the pool's scope). */
export type InScope = (conn: Connection, fn: (db: Database) => unknown) => Promise<unknown>;

/** What {@link migrate} needs from its pool. */
export interface MigrateContext {
  busyTimeoutMs: number;
  counters: BusyCounters;
  inScope: InScope;
}

/** The table that records named migration sets: one row per applied migration. */
export const MIGRATIONS_TABLE = "_pool_migrations";

const SET_NAME = /^[A-Za-z0-9_.:/-]{1,100}$/;

/** The unnamed list of the `migrations` option, counted in `PRAGMA user_version`. */
export const userVersionLedger: Ledger = {
  set: undefined,
  // Number(): with `safeIntegers` every integer comes back as a bigint.
  applied: (db) =>
    Number((db.query("PRAGMA user_version").get() as { user_version: number }).user_version),
  record: (db, version) => void db.run(`PRAGMA user_version = ${version}`),
};

/**
 * A named set, counted in {@link MIGRATIONS_TABLE}: several sets share one database without
 * one's count moving another's, which one `user_version` cannot do.
 */
export function namedLedger(name: string): Ledger {
  return {
    set: name,
    applied(db) {
      db.run(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (name TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (name, version)) WITHOUT ROWID`,
      );
      const row = db
        .query(`SELECT max(version) AS v FROM ${MIGRATIONS_TABLE} WHERE name = ?`)
        .get(name) as { v: number | bigint | null };
      return Number(row.v ?? 0);
    },
    record(db, version) {
      db.query(
        `INSERT INTO ${MIGRATIONS_TABLE} (name, version, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ'))`,
      ).run(name, version);
    },
  };
}

/**
 * Checks the arguments of `migrate(name, migrations)`.
 *
 * @throws {PoolInvalidOptionError} naming `name` or `migrations[i]`.
 */
export function checkMigrations(migrations: unknown, field: string): void {
  if (!Array.isArray(migrations)) {
    throw new PoolInvalidOptionError(field, "must be an array of SQL strings or functions");
  }
  migrations.forEach((m, i) => {
    if (typeof m !== "string" && typeof m !== "function") {
      throw new PoolInvalidOptionError(`${field}[${i}]`, "must be an SQL string or a function");
    }
  });
}

/** @throws {PoolInvalidOptionError} unless `name` is 1–100 of `A-Z a-z 0-9 _ . : / -`. */
export function checkSetName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !SET_NAME.test(name)) {
    throw new PoolInvalidOptionError("name", "must be 1 to 100 of A-Z a-z 0-9 _ . : / -");
  }
}

/**
 * Brings the ledger to `migrations.length`, one migration per `BEGIN IMMEDIATE` transaction
 * that first re-reads the ledger: when several processes start together, the lock orders them
 * and each migration runs exactly once. A failed migration is rolled back, whatever its
 * function did through the connection or through the pool.
 *
 * @throws {SqliteMigrationError} naming the migration's version (and set); `cause` is what it threw.
 */
export async function migrate(
  conn: Connection,
  migrations: readonly Migration[],
  ledger: Ledger,
  ctx: MigrateContext,
): Promise<void> {
  const db = conn.db;
  for (;;) {
    const begin = () => void db.run("BEGIN IMMEDIATE");
    const startedAt = performance.now();
    try {
      begin();
    } catch (error) {
      await retryWhileBusy(begin, error, startedAt, ctx.busyTimeoutMs, ctx.counters).catch(
        (last) => {
          throw new SqliteMigrationError(peek(db, ledger) + 1, last, ledger.set);
        },
      );
    }
    let version = 0;
    try {
      version = ledger.applied(db);
      const migration = migrations[version];
      if (migration === undefined) {
        db.run("COMMIT");
        return;
      }
      if (typeof migration === "string") db.run(migration);
      else await ctx.inScope(conn, migration);
      if (!db.inTransaction) throw new Error("the migration ended the transaction it runs in");
      ledger.record(db, version + 1);
      db.run("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.run("ROLLBACK");
      throw new SqliteMigrationError(version + 1, error, ledger.set);
    }
  }
}

/** The ledger's count read outside a transaction, for an error: 0 if it cannot be read. */
function peek(db: Database, ledger: Ledger): number {
  try {
    return ledger.applied(db);
  } catch {
    return 0;
  }
}
