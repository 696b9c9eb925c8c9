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

describe("migrations calling the pool", () => {
  // Before: db.run() inside a migration waited for migrations to finish, that is for itself,
  // and `ready` never settled.
  it("joins the migration: a function mixing db.* calls and its connection applies once", async () => {
    const pool: { db?: SqlitePool } = {};
    const migrations: Migration[] = [
      "create table t(x integer)",
      async (conn) => {
        conn.run("insert into t values (1)");
        const db = pool.db as SqlitePool;
        await db.run("insert into t values (?)", [2]);
        const seen = await db.all<{ x: number }>("select x from t order by x");
        await db.transaction((tx) => tx.run("insert into t values (?)", [seen.length + 1]));
        await db.exec("insert into t values (4)");
      },
    ];
    pool.db = open(migrations);
    const outcome = await Promise.race([
      pool.db.ready.then(() => "ready"),
      Bun.sleep(5_000).then(() => "still pending"),
    ]);
    expect(outcome).toBe("ready");
    expect(await pool.db.all("select x from t order by x")).toEqual([
      { x: 1 },
      { x: 2 },
      { x: 3 },
      { x: 4 },
    ]);
    await pool.db.close();
    const again = open(migrations);
    await again.ready;
    expect(await again.get("select count(*) as n from t")).toEqual({ n: 4 });
    expect(userVersion(tmp.file("m.db"))).toBe(2);
  });

  it("rolls back whole, db.* calls included, when the function fails after them", async () => {
    const pool: { db?: SqlitePool } = {};
    pool.db = open([
      "create table t(x integer)",
      async (conn) => {
        conn.run("insert into t values (1)");
        await (pool.db as SqlitePool).run("insert into t values (2)");
        throw new Error("fails after writing");
      },
    ]);
    const error = await rejectionOf(pool.db.ready);
    expect(error).toBeInstanceOf(SqliteMigrationError);
    expect((error as SqliteMigrationError).version).toBe(2);
    await pool.db.close();
    const check = new Database(tmp.file("m.db"), { readonly: true });
    expect(check.query("select count(*) as n from t").get()).toEqual({ n: 0 });
    check.close();
    expect(userVersion(tmp.file("m.db"))).toBe(1);
  });
});

describe("SqlitePool.migrate (named sets)", () => {
  const applied = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return db.query("select name, version from _pool_migrations order by name, version").all();
    } finally {
      db.close();
    }
  };

  it("applies each set once, recorded per name, without touching user_version", async () => {
    const db = open(["create table base(x)"]);
    await db.migrate("search", ["create table s(x)", "insert into s values (1)"]);
    await db.migrate("rag", ["create table r(x)"]);
    await db.migrate("search", ["create table s(x)", "insert into s values (1)"]);
    expect(await db.get("select count(*) as n from s")).toEqual({ n: 1 });
    await db.close();
    expect(applied(tmp.file("m.db"))).toEqual([
      { name: "rag", version: 1 },
      { name: "search", version: 1 },
      { name: "search", version: 2 },
    ]);
    expect(userVersion(tmp.file("m.db"))).toBe(1);
  });

  it("adding a migration to one set never re-runs, skips or reorders another's", async () => {
    const log: string[] = [];
    const setA = (n: number): Migration[] =>
      Array.from({ length: n }, (_, i) => () => void log.push(`a${i + 1}`));
    const setB: Migration[] = [() => void log.push("b1")];
    const first = open([]);
    await first.migrate("a", setA(1));
    await first.migrate("b", setB);
    await first.close();
    const second = open([]);
    await second.migrate("b", setB);
    await second.migrate("a", setA(3));
    expect(log).toEqual(["a1", "b1", "a2", "a3"]);
  });

  it("rolls back a failing migration of a set, rejects that call, and the pool stays usable", async () => {
    const db = open([]);
    const error = await rejectionOf(
      db.migrate("app", [
        "create table ok(x)",
        "create table bad(x); insert into nowhere values (1)",
      ]),
    );
    expect(error).toBeInstanceOf(SqliteMigrationError);
    expect((error as SqliteMigrationError).set).toBe("app");
    expect((error as SqliteMigrationError).version).toBe(2);
    expect(await db.get("select 1 as v")).toEqual({ v: 1 });
    expect(await db.all("select name from sqlite_master where name = 'bad'")).toEqual([]);
    await db.migrate("app", ["create table ok(x)", "create table bad(x)"]);
    expect(await db.all("select name from sqlite_master where name = 'bad'")).toEqual([
      { name: "bad" },
    ]);
  });

  it("runs after the migrations option and waits for it", async () => {
    const db = open(["create table base(x)", "insert into base values (7)"]);
    await db.migrate("after", ["insert into base select x + 1 from base"]);
    expect(await db.all("select x from base order by x")).toEqual([{ x: 7 }, { x: 8 }]);
  });

  it("lets a set's function call the pool, joining its transaction", async () => {
    const db = open([]);
    await db.migrate("fn", [
      "create table t(x)",
      async () => {
        await db.run("insert into t values (1)");
        expect(await db.get("select count(*) as n from t")).toEqual({ n: 1 });
      },
    ]);
    expect(await db.get("select count(*) as n from t")).toEqual({ n: 1 });
  });

  it("refuses bad names and lists with POOL_INVALID_OPTION", async () => {
    const db = open([]);
    for (const name of ["", "a b", "x".repeat(101), 5]) {
      const error = await rejectionOf(db.migrate(name as string, []));
      expect(error.code).toBe("POOL_INVALID_OPTION");
    }
    const badList = await rejectionOf(db.migrate("ok", ["x", 3] as unknown as Migration[]));
    expect(badList.code).toBe("POOL_INVALID_OPTION");
  });

  it("refuses to run inside a transaction instead of waiting for itself", async () => {
    const db = open([]);
    const error = await rejectionOf(
      db.transaction(() => db.migrate("inner", ["create table t(x)"])),
    );
    expect(error).toBeInstanceOf(SqliteMigrationError);
  });

  it("applies each migration once when several processes migrate the same set together", async () => {
    const path = tmp.file("multi.db");
    const script = `
      import { SqlitePool } from ${JSON.stringify(`${import.meta.dir}/index.ts`)};
      const db = new SqlitePool({ path: ${JSON.stringify(path)} });
      await db.migrate("shared", [
        "create table hits(pid integer)",
        "insert into hits values (" + process.pid + ")",
      ]);
      await db.close();
    `;
    const children = Array.from({ length: 4 }, () =>
      Bun.spawn(["bun", "-e", script], { stdout: "ignore", stderr: "pipe" }),
    );
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(applied(path)).toEqual([
      { name: "shared", version: 1 },
      { name: "shared", version: 2 },
    ]);
    const check = new Database(path, { readonly: true });
    expect(check.query("select count(*) as n from hits").get()).toEqual({ n: 1 });
    check.close();
  });

  // user_version and max(version) come back as bigints then: `version + 1` used to throw.
  it("works with safeIntegers, for both kinds of migrations", async () => {
    const db = new SqlitePool({
      path: tmp.file("safe.db"),
      safeIntegers: true,
      migrations: ["create table t(x)", "insert into t values (1)"],
    });
    pools.push(db);
    await db.ready;
    await db.migrate("set", ["create table s(x)", "insert into s values (2)"]);
    await db.migrate("set", [
      "create table s(x)",
      "insert into s values (2)",
      "insert into s values (3)",
    ]);
    expect(await db.get("select count(*) as n from s")).toEqual({ n: 2n });
  });
});
