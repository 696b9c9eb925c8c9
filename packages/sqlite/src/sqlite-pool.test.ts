import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { PoolClosedError, PoolError, PoolInvalidOptionError } from "@pool/core";
import { rejectionOf, tempDir, thrownBy } from "../test/helpers.ts";
import {
  SqliteError,
  SqliteMultipleStatementsError,
  SqliteOpenError,
  SqliteTransactionError,
} from "./errors.ts";
import { SqlitePool } from "./sqlite-pool.ts";

let tmp: ReturnType<typeof tempDir>;
let pools: SqlitePool[] = [];

function open(options: Partial<ConstructorParameters<typeof SqlitePool>[0]> = {}): SqlitePool {
  const pool = new SqlitePool({
    path: tmp.file("app.db"),
    migrations: [
      "create table users(id integer primary key, email text not null unique, n integer default 0)",
    ],
    ...options,
  });
  pools.push(pool);
  return pool;
}

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
  tmp.remove();
});

describe("SqlitePool conveniences", () => {
  it("writes with run() and reads back with get() and all()", async () => {
    const db = open();
    const { changes, lastInsertRowid } = await db.run("insert into users(email) values (?)", [
      "a@x",
    ]);
    expect(changes).toBe(1);
    expect(lastInsertRowid).toBe(1);
    await db.run("insert into users(email) values ($email)", { email: "b@x" });
    expect(await db.get("select email from users where id = ?", [2])).toEqual({ email: "b@x" });
    expect(await db.all("select id from users order by id")).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await db.get("select * from users where id = ?", [99])).toBeNull();
  });

  it("keeps SQLite's extended code on constraint errors", async () => {
    const db = open();
    await db.run("insert into users(email) values (?)", ["a@x"]);
    const error = await rejectionOf(db.run("insert into users(email) values (?)", ["a@x"]));
    expect(error).toBeInstanceOf(SqliteError);
    expect(error).toBeInstanceOf(PoolError);
    expect(error.code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect((error as SqliteError).errno).toBe(2067);
  });

  it("fails a bad SQL string or a bad parameter on that call only, and stays usable", async () => {
    const db = open();
    const syntax = await rejectionOf(db.all("selec * from users"));
    expect(syntax).toBeInstanceOf(SqliteError);
    expect(syntax.code).toBe("SQLITE_ERROR");
    const missing = await rejectionOf(
      db.get("select * from users where id = :id and email = :email", { id: 1 }),
    );
    expect(missing).toBeInstanceOf(Error);
    const wrongType = await rejectionOf(
      db.run("insert into users(email) values (?)", [Symbol("x") as never]),
    );
    expect(wrongType).toBeInstanceOf(TypeError);
    const table = await rejectionOf(db.run("insert into nope values (1)"));
    expect(table.code).toBe("SQLITE_ERROR");
    await db.run("insert into users(email) values (?)", ["ok@x"]);
    expect(await db.all("select email from users")).toEqual([{ email: "ok@x" }]);
    expect(db.stats().readers?.borrowed).toBe(0);
    expect(db.stats().writer.borrowed).toBe(0);
  });

  it("refuses several statements in one string instead of running only the first", async () => {
    const db = open();
    const error = await rejectionOf(
      db.run("insert into users(email) values ('a'); insert into users(email) values ('b')"),
    );
    expect(error).toBeInstanceOf(SqliteMultipleStatementsError);
    expect(error.code).toBe("SQLITE_MULTIPLE_STATEMENTS");
    expect(await db.all("select * from users")).toEqual([]);
    await db.exec("insert into users(email) values ('a'); insert into users(email) values ('b')");
    expect(await db.all("select email from users order by id")).toEqual([
      { email: "a" },
      { email: "b" },
    ]);
  });

  it("reuses prepared statements and counts cache hits", async () => {
    const db = open({ workers: 0 });
    for (let i = 0; i < 5; i++) await db.get("select ? as v", [i]);
    const { hits, misses } = db.stats().statements;
    expect(misses).toBe(1);
    expect(hits).toBe(4);
  });
});

describe("SqlitePool.read and SqlitePool.write", () => {
  it("lends a read-only connection to read() and the writer to write()", async () => {
    const db = open();
    await db.write((conn) => conn.run("insert into users(email) values ('w@x')"));
    const n = await db.read((conn) => conn.query("select count(*) as n from users").get());
    expect(n).toEqual({ n: 1 });
    const error = await rejectionOf(db.read((conn) => conn.run("delete from users")));
    expect((error as { code?: string }).code).toBe("SQLITE_READONLY");
  });

  it("holds the writer across awaits in write(), so other writes queue behind it", async () => {
    const db = open();
    // Before this, the migrations' own acquire is the one pending.
    await db.ready;
    const order: string[] = [];
    const slow = db.write(async (conn) => {
      conn.run("insert into users(email) values ('first')");
      await Bun.sleep(30);
      order.push("write done");
    });
    const queued = db
      .run("insert into users(email) values ('second')")
      .then(() => order.push("run done"));
    expect(db.stats().writer.pending).toBe(1);
    await Promise.all([slow, queued]);
    expect(order).toEqual(["write done", "run done"]);
  });

  it("rolls back a transaction that write() left open and says so", async () => {
    const db = open();
    const error = await rejectionOf(
      db.write((conn) => {
        conn.run("begin");
        conn.run("insert into users(email) values ('lost')");
      }),
    );
    expect(error).toBeInstanceOf(SqliteTransactionError);
    expect(error.code).toBe("SQLITE_TX_LEFT_OPEN");
    expect(await db.all("select * from users")).toEqual([]);
    await db.run("insert into users(email) values ('next')");
    expect(await db.get("select count(*) as n from users")).toEqual({ n: 1 });
  });

  it("lends the only reader to read() right after synchronous reads kept it", async () => {
    const db = open({ readers: 1, acquireTimeoutMs: 300 });
    await db.run("insert into users(email) values ('p@x')");
    expect(await db.get("select email from users")).toEqual({ email: "p@x" });
    const inside = await db.read(async (conn) => {
      await Bun.sleep(1);
      // Meanwhile another synchronous read must wait its turn, not fail.
      return conn.query("select count(*) as n from users").get();
    });
    expect(inside).toEqual({ n: 1 });
    const [a, b] = await Promise.all([
      db.read(async (conn) => {
        await Bun.sleep(5);
        return conn.query("select 1 as v").get();
      }),
      db.get("select 2 as v"),
    ]);
    expect([a, b]).toEqual([{ v: 1 }, { v: 2 }]);
    expect(db.stats().readers).toMatchObject({ size: 1, borrowed: 0, idle: 1 });
  });

  it("refuses db.run('begin'), which would make every later write join one transaction", async () => {
    const db = open();
    const error = await rejectionOf(db.run("begin"));
    expect(error).toBeInstanceOf(SqliteTransactionError);
    expect(error.code).toBe("SQLITE_TX_LEFT_OPEN");
    await db.run("insert into users(email) values ('autocommitted')");
    const check = new Database(tmp.file("app.db"), { readonly: true });
    expect(check.query("select email from users").all()).toEqual([{ email: "autocommitted" }]);
    check.close();
  });

  it("rolls back a transaction an exec() script left open and says so", async () => {
    const db = open();
    const error = await rejectionOf(db.exec("begin; insert into users(email) values ('x');"));
    expect(error.code).toBe("SQLITE_TX_LEFT_OPEN");
    expect(await db.all("select * from users")).toEqual([]);
  });

  it("keeps an async read()'s reader to itself while synchronous reads go on elsewhere", async () => {
    const db = open({ readers: 2 });
    await db.run("insert into users(email) values ('a@x')");
    await db.get("select 1"); // a reader is pinned for synchronous reads now
    let held: Database | undefined;
    const slow = db.read(async (conn) => {
      held = conn;
      conn.run("begin"); // a read transaction: this connection keeps its snapshot
      conn.query("select count(*) as n from users").get();
      await Bun.sleep(20);
      const n = conn.query("select count(*) as n from users").get();
      conn.run("commit");
      return n;
    });
    await db.run("insert into users(email) values ('b@x')");
    expect(await db.get("select count(*) as n from users")).toEqual({ n: 2 });
    expect(await db.read((conn) => conn === held)).toBe(false);
    expect(await slow).toEqual({ n: 1 });
    expect(db.stats().readers).toMatchObject({ borrowed: 0 });
  });

  it("rolls back a transaction a synchronous read() left open and says so", async () => {
    const db = open({ readers: 1 });
    await db.get("select 1");
    const error = await rejectionOf(
      db.read((conn) => {
        conn.run("begin");
        conn.query("select count(*) from users").get();
      }),
    );
    expect(error).toBeInstanceOf(SqliteTransactionError);
    expect(error.code).toBe("SQLITE_TX_LEFT_OPEN");
    await db.run("insert into users(email) values ('after')");
    expect(await db.get("select count(*) as n from users")).toEqual({ n: 1 });
    expect(await db.read((conn) => conn.inTransaction)).toBe(false);
  });

  it("rethrows what write() and read() callbacks throw, unchanged", async () => {
    const db = open();
    const mine = new Error("mine");
    expect(await rejectionOf(db.write(() => Promise.reject(mine)))).toBe(mine);
    expect(
      await rejectionOf(
        db.read(() => {
          throw mine;
        }),
      ),
    ).toBe(mine);
    expect(db.stats().writer.borrowed + (db.stats().readers?.borrowed ?? 0)).toBe(0);
  });
});

describe("SqlitePool with :memory:", () => {
  it("uses one connection for reads and writes, so reads see writes", async () => {
    const db = open({ path: ":memory:" });
    await db.run("insert into users(email) values ('m@x')");
    expect(await db.all("select email from users")).toEqual([{ email: "m@x" }]);
    const same = await db.read((r) => db.write((w) => r === w));
    expect(same).toBe(true);
    expect(db.stats().readers).toBeUndefined();
  });

  it("queues reads behind a running transaction instead of reading another database", async () => {
    const db = open({ path: ":memory:" });
    const tx = db.transaction(async (t) => {
      t.run("insert into users(email) values ('t@x')");
      await Bun.sleep(20);
    });
    const read = db.all("select email from users");
    await tx;
    expect(await read).toEqual([{ email: "t@x" }]);
  });

  it("keeps its data past maxLifetimeMs: reopening the only connection would empty it", async () => {
    const db = open({ path: ":memory:", maxLifetimeMs: 20 });
    await db.run("insert into users(email) values ('kept@x')");
    await Bun.sleep(100);
    expect(await db.all("select email from users")).toEqual([{ email: "kept@x" }]);
    expect(db.stats().writer.created).toBe(1);
  });

  it("refuses workers with a typed error naming the option", () => {
    const error = thrownBy(() => new SqlitePool({ path: ":memory:", workers: 2 }));
    expect(error).toBeInstanceOf(PoolInvalidOptionError);
    expect(error.code).toBe("POOL_INVALID_OPTION");
    expect((error as PoolInvalidOptionError).option).toBe("workers");
  });
});

describe("SqlitePool opening", () => {
  it("fails fast with SQLITE_CANTOPEN naming the path", () => {
    const path = tmp.file("missing-dir/app.db");
    const error = thrownBy(() => new SqlitePool({ path }));
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect(error.code).toBe("SQLITE_CANTOPEN");
    expect((error as SqliteOpenError).path).toBe(path);
    expect(error.message).toContain(path);
  });

  it("fails with create: false when the file does not exist", () => {
    const error = thrownBy(() => new SqlitePool({ path: tmp.file("absent.db"), create: false }));
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect(error.code).toBe("SQLITE_CANTOPEN");
    expect(existsSync(tmp.file("absent.db"))).toBe(false);
  });

  it("reports a file that is not a database with SQLite's code", async () => {
    const path = tmp.file("junk.db");
    await Bun.write(
      path,
      "this is not a database, just text that is long enough to have a header".repeat(20),
    );
    const error = thrownBy(() => new SqlitePool({ path }));
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect(error.code).toBe("SQLITE_NOTADB");
  });

  it("sets WAL, busy_timeout, synchronous, foreign_keys and user pragmas", async () => {
    const db = open({ busyTimeoutMs: 1234, pragmas: { cache_size: -4000 } });
    const pragmas = await db.read((conn) => ({
      journal: conn.query("pragma journal_mode").get(),
      busy: conn.query("pragma busy_timeout").get(),
      sync: conn.query("pragma synchronous").get(),
      fk: conn.query("pragma foreign_keys").get(),
      cache: conn.query("pragma cache_size").get(),
    }));
    expect(pragmas).toEqual({
      journal: { journal_mode: "wal" },
      busy: { timeout: 1234 },
      sync: { synchronous: 1 },
      fk: { foreign_keys: 1 },
      cache: { cache_size: -4000 },
    });
    const writerBusy = await db.write((conn) => conn.query("pragma busy_timeout").get());
    expect(writerBusy).toEqual({ timeout: 1234 });
  });
});

describe("SqlitePool connection lifetime", () => {
  it("reopens readers and the writer after maxLifetimeMs and keeps serving", async () => {
    const db = open({ maxLifetimeMs: 100 });
    await db.run("insert into users(email) values ('l@x')");
    expect(await db.get("select email from users")).toEqual({ email: "l@x" });
    await Bun.sleep(300);
    await db.run("insert into users(email) values ('m@x')");
    expect(await db.all("select email from users order by id")).toEqual([
      { email: "l@x" },
      { email: "m@x" },
    ]);
    await Bun.sleep(100);
    const stats = db.stats();
    expect(stats.writer.destroyed.lifetime).toBeGreaterThanOrEqual(1);
    expect(stats.readers?.destroyed.lifetime).toBeGreaterThanOrEqual(1);
    expect(stats.writer.created).toBeGreaterThanOrEqual(2);
  });
});

describe("SqlitePool.close", () => {
  it("is idempotent and rejects later calls with POOL_CLOSED", async () => {
    const db = open();
    const first = db.close();
    expect(db.close()).toBe(first);
    await first;
    expect(db.closed).toBe(true);
    for (const call of [
      db.get("select 1"),
      db.run("select 1"),
      db.transaction(() => 1),
      db.read(() => 1),
    ]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(PoolClosedError);
      expect(error.code).toBe("POOL_CLOSED");
    }
  });

  it("rejects unknown or bad close options, naming the field, and stays open", async () => {
    const db = open();
    for (const [options, field] of [
      [{ timeout: 5 }, "timeout"],
      [{ timeoutMs: -1 }, "timeoutMs"],
      [null, "options"],
    ] as const) {
      const error = await rejectionOf(db.close(options as never));
      expect(error).toBeInstanceOf(PoolInvalidOptionError);
      expect((error as PoolInvalidOptionError).option).toBe(field);
    }
    expect(db.closed).toBe(false);
    expect(await db.get("select 1 as v")).toEqual({ v: 1 });
  });

  it("waits for a running transaction and queued writes before closing", async () => {
    const db = open();
    const tx = db.transaction(async (t) => {
      await Bun.sleep(30);
      t.run("insert into users(email) values ('in-tx')");
    });
    const queued = db.run("insert into users(email) values ('queued')");
    await db.close();
    await tx;
    await queued;
    const check = new Database(tmp.file("app.db"), { readonly: true });
    expect(check.query("select email from users order by id").all()).toEqual([
      { email: "in-tx" },
      { email: "queued" },
    ]);
    check.close();
  });

  // A SIGTERM shutdown is graceful only if work admitted before close() can finish: its own
  // db.* calls must not be refused as new ones.
  it("lets a running transaction's db.* calls through and commits it", async () => {
    const db = open();
    await db.ready;
    const tx = db.transaction(async () => {
      await Bun.sleep(50);
      await db.run("insert into users(email) values ('late')");
      const row = await db.get<{ n: number }>("select count(*) as n from users");
      await db.exec("update users set n = 1");
      return row?.n;
    });
    await Bun.sleep(10);
    await db.close();
    expect(await tx).toBe(1);
    const check = new Database(tmp.file("app.db"), { readonly: true });
    expect(check.query("select email, n from users").all()).toEqual([{ email: "late", n: 1 }]);
    check.close();
  });

  it("lets calls inside a queued transaction, read() and write() through once they start", async () => {
    const db = open();
    await db.ready;
    const first = db.transaction(async () => {
      await Bun.sleep(30);
      await db.run("insert into users(email) values ('first')");
    });
    const queued = db.transaction(async () => {
      await db.run("insert into users(email) values ('queued')");
    });
    const write = db.write(async () => {
      await Bun.sleep(10);
      await db.run("insert into users(email) values ('write')");
    });
    const read = db.read(async () => {
      await Bun.sleep(20);
      return db.all("select 1 as v");
    });
    await Bun.sleep(5);
    await db.close();
    await Promise.all([first, queued, write]);
    expect(await read).toEqual([{ v: 1 }]);
    const check = new Database(tmp.file("app.db"), { readonly: true });
    expect(check.query("select email from users order by id").all()).toEqual([
      { email: "first" },
      { email: "queued" },
      { email: "write" },
    ]);
    check.close();
  });

  it("refuses a new top-level call made while closing, even from inside a scope's timer", async () => {
    const db = open();
    await db.ready;
    const tx = db.transaction(async () => {
      await Bun.sleep(40);
    });
    await Bun.sleep(5);
    const closing = db.close();
    const outside = await rejectionOf(db.run("insert into users(email) values ('new')"));
    expect(outside).toBeInstanceOf(PoolClosedError);
    await closing;
    await tx;
  });

  it("refuses a transaction's calls once the grace period ran out", async () => {
    const db = open({ transactionTimeoutMs: 0 });
    await db.ready;
    const late = Promise.withResolvers<{ call: Promise<unknown> }>();
    const tx = db.transaction(async () => {
      await Bun.sleep(100);
      const call = db.run("insert into users(email) values ('too-late')");
      late.resolve({ call });
      await call;
    });
    await db.close({ timeoutMs: 20 });
    const error = await rejectionOf(tx);
    expect(error.code).toBe("POOL_CLOSED");
    const lateError = await rejectionOf((await late.promise).call);
    expect(["POOL_CLOSED", "SQLITE_TX_REVOKED"]).toContain(lateError.code as string);
  });

  it("after its grace period, fails a transaction that never ends with POOL_CLOSED and closes anyway", async () => {
    const db = open({ transactionTimeoutMs: 0 });
    await db.ready;
    const stuck = db.transaction(async (tx) => {
      tx.run("insert into users(email) values ('never')");
      await new Promise(() => {});
    });
    const started = performance.now();
    await db.close({ timeoutMs: 100 });
    expect(performance.now() - started).toBeLessThan(5_000);
    const error = await rejectionOf(stuck);
    expect(error).toBeInstanceOf(PoolClosedError);
    const check = new Database(tmp.file("app.db"), { readonly: true });
    expect(check.query("select count(*) as n from users").get()).toEqual({ n: 0 });
    check.close();
  });

  it("after its grace period, fails read() and write() callbacks still running with POOL_CLOSED", async () => {
    const db = open();
    await db.ready;
    const write = db.write(async () => {
      await Bun.sleep(150);
      return "late";
    });
    const read = db.read(async (conn) => {
      await Bun.sleep(150);
      return conn.query("select 1 as v").get();
    });
    await db.close({ timeoutMs: 20 });
    for (const call of [write, read]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(PoolClosedError);
      expect(error.code).toBe("POOL_CLOSED");
    }
  });

  it("checkpoints the WAL into the database file", async () => {
    const db = open();
    for (let i = 0; i < 50; i++) await db.run("insert into users(email) values (?)", [`u${i}`]);
    const wal = tmp.file("app.db-wal");
    expect(existsSync(wal) && statSync(wal).size > 0).toBe(true);
    await db.close();
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    const check = new Database(tmp.file("app.db"), { readonly: true });
    expect(check.query("select count(*) as n from users").get()).toEqual({ n: 50 });
    check.close();
  });
});

describe("SqlitePool.stats", () => {
  it("reports the writer queue, transactions and cache figures", async () => {
    const db = open();
    await db.transaction((tx) => tx.run("insert into users(email) values ('s')"));
    await rejectionOf(
      db.transaction(() => {
        throw new Error("no");
      }),
    );
    const stats = db.stats();
    expect(stats.transactions).toEqual({ committed: 1, rolledBack: 1, timedOut: 0 });
    expect(stats.writer.max).toBe(1);
    expect(stats.writer.wait.count).toBeGreaterThan(0);
    expect(stats.busyRetries).toBe(0);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });
});
