import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { PoolClosedError } from "@pool/core";
import { rejectionOf, tempDir } from "../test/helpers.ts";
import { SqliteMigrationError } from "./errors.ts";
import type { Migration } from "./migrations.ts";
import { SqlitePool } from "./sqlite-pool.ts";

let tmp: ReturnType<typeof tempDir>;
let pools: SqlitePool[] = [];

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
  tmp.remove();
});

function open(migrations: Migration[]): SqlitePool {
  const pool = new SqlitePool({ path: tmp.file("m.db"), migrations });
  pools.push(pool);
  return pool;
}

const userVersion = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("pragma user_version").get() as { user_version: number }).user_version;
  } finally {
    db.close();
  }
};

describe("migrations", () => {
  it("applies SQL and async functions in order, once, and records user_version", async () => {
    const log: string[] = [];
    const migrations: Migration[] = [
      "create table t(x integer)",
      async (db) => {
        await Bun.sleep(5); // the writer stays held across the await
        db.run("insert into t values (1)");
        log.push("fn");
      },
    ];
    const first = open(migrations);
    await first.ready;
    await first.close();
    expect(userVersion(tmp.file("m.db"))).toBe(2);
    const second = open([...migrations, "insert into t values (2)"]);
    expect(await second.all("select x from t order by x")).toEqual([{ x: 1 }, { x: 2 }]);
    expect(log).toEqual(["fn"]);
    expect(userVersion(tmp.file("m.db"))).toBe(3);
  });

  it("rolls back a failing migration and rejects every call with its version", async () => {
    const db = open([
      "create table a(x)",
      "create table b(x); insert into nowhere values (1)",
      "create table c(x)",
    ]);
    const error = await rejectionOf(db.ready);
    expect(error).toBeInstanceOf(SqliteMigrationError);
    expect(error.code).toBe("SQLITE_MIGRATION_FAILED");
    expect((error as SqliteMigrationError).version).toBe(2);
    expect(((error as SqliteMigrationError).cause as { code?: string }).code).toBe("SQLITE_ERROR");
    const call = await rejectionOf(db.all("select 1"));
    expect(call).toBe(error);
    await db.close();
    const check = new Database(tmp.file("m.db"), { readonly: true });
    const tables = check
      .query("select name from sqlite_master where type = 'table' order by name")
      .all();
    check.close();
    expect(tables).toEqual([{ name: "a" }]);
    expect(userVersion(tmp.file("m.db"))).toBe(1);
  });

  it("lets calls made before migrations finish wait for them", async () => {
    const db = open(["create table t(x)", "insert into t values (42)"]);
    expect(await db.get("select x from t")).toEqual({ x: 42 });
  });

  it("closes the pool when SqlitePool.open() meets a failing migration", async () => {
    const error = await rejectionOf(
      SqlitePool.open({
        path: tmp.file("o.db"),
        migrations: [() => Promise.reject(new Error("no"))],
      }),
    );
    expect(error).toBeInstanceOf(SqliteMigrationError);
    expect((error.cause as Error).message).toBe("no");
  });

  it("does not let a migration that never settles hold close() or the calls waiting for it", async () => {
    const db = open([() => new Promise<void>(() => {})]);
    const call = db.get("select 1 as v");
    call.catch(() => {});
    const outcome = await Promise.race([
      db.close({ timeoutMs: 100 }).then(() => "closed"),
      Bun.sleep(5_000).then(() => "close() still pending"),
    ]);
    expect(outcome).toBe("closed");
    for (const pending of [call, db.ready]) {
      const error = await rejectionOf(pending);
      expect(error).toBeInstanceOf(PoolClosedError);
      expect(error.code).toBe("POOL_CLOSED");
    }
  });
});
