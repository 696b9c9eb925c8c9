import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { SqliteError, SqliteMultipleStatementsError, SqliteWorkerError } from "../src/errors.ts";
import { SqlitePool } from "../src/sqlite-pool.ts";
import { fixture, rejectionOf, tempDir } from "./helpers.ts";

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

function open(
  workers: number,
  extra: Partial<ConstructorParameters<typeof SqlitePool>[0]> = {},
): SqlitePool {
  const pool = new SqlitePool({
    path: tmp.file("w.db"),
    workers,
    migrations: ["create table t(id integer primary key, label text, data blob)"],
    ...extra,
  });
  pools.push(pool);
  return pool;
}

/** CPU-bound and table-free, so its cost is set by one parameter. */
const HEAVY = `with recursive c(x) as (select 1 union all select x + 1 from c where x < ?)
  select count(*) as n, sum(x * x % 7) as s from c`;

/** How many timer turns the event loop took while `read` was pending. */
async function turnsDuring(read: Promise<unknown>): Promise<number> {
  let done = false;
  const settled = read.finally(() => {
    done = true;
  });
  let turns = 0;
  while (!done) {
    await Bun.sleep(1);
    turns++;
  }
  await settled;
  return turns;
}

describe("SqlitePool with workers", () => {
  // Behaviour, not speed (that is the benchmark's): a read on the main thread blocks the event
  // loop for as long as it runs; the same read on a reader process leaves it free.
  it("keeps the event loop turning while a heavy read runs off the main thread", async () => {
    const main = open(0);
    const readers = open(1);
    const size = 2_000_000;
    await readers.get(HEAVY, [10]); // the reader is up
    const onMain = await turnsDuring(main.get(HEAVY, [size]));
    const offMain = await turnsDuring(readers.get(HEAVY, [size]));
    expect(onMain).toBe(1);
    expect(offMain).toBeGreaterThan(1);
    expect(await readers.get(HEAVY, [1_000])).toEqual(await main.get(HEAVY, [1_000]));
  });

  it("returns plain rows, blobs included, and sees what the writer committed", async () => {
    const db = open(2);
    await db.run("insert into t(label, data) values (?, ?)", ["a", new Uint8Array([1, 2, 3])]);
    const rows = await db.all<{ id: number; label: string; data: Uint8Array }>("select * from t");
    expect(rows.length).toBe(1);
    expect(rows[0]?.label).toBe("a");
    expect([...(rows[0]?.data ?? [])]).toEqual([1, 2, 3]);
    expect(await db.get("select label from t where id = ?", [1])).toEqual({ label: "a" });
    expect(await db.get("select label from t where id = ?", [2])).toBeNull();
    expect(db.stats().workers).toMatchObject({ max: 2, completed: 3, failed: 0 });
  });

  it("returns the same values as the main thread: -0, Infinity, NaN, bigints with safeIntegers, blobs", async () => {
    const sql =
      "select ? as nan, ? as negZero, ? as inf, ? as big, ? as blob, 9007199254740993 as wide";
    const params = [Number.NaN, -0, -Infinity, 2n ** 62n, new Uint8Array([0, 255])];
    // No migrations: with safeIntegers they fail today (user_version comes back as a bigint).
    const onMain = open(0, { safeIntegers: true, migrations: [], path: tmp.file("main.db") });
    const offMain = open(1, { safeIntegers: true, migrations: [] });
    const expected = await onMain.get(sql, params);
    const row = await offMain.get<Record<string, unknown>>(sql, params);
    expect(row).toStrictEqual(expected);
    expect(Object.is(row?.negZero, expected?.negZero)).toBe(true);
    expect(row?.nan).toBeNull(); // SQLite itself turns NaN into NULL, on either side
    expect(row?.inf).toBe(-Infinity);
    expect(row?.big).toBe(2n ** 62n);
    expect(row?.wide).toBe(9007199254740993n);
    expect(row?.blob).toBeInstanceOf(Uint8Array);
    expect(offMain.stats().workers?.completed).toBe(1);
  });

  it("rebuilds errors with their class and SQLite code, and keeps going", async () => {
    const db = open(1);
    const syntax = await rejectionOf(db.all("selec * from t"));
    expect(syntax).toBeInstanceOf(SqliteError);
    expect(syntax.code).toBe("SQLITE_ERROR");
    const multiple = await rejectionOf(db.all("select 1; select 2"));
    expect(multiple).toBeInstanceOf(SqliteMultipleStatementsError);
    expect(multiple.code).toBe("SQLITE_MULTIPLE_STATEMENTS");
    const missing = await rejectionOf(
      db.get("select * from t where id = :id and label = :label", { id: 1 }),
    );
    expect(missing).toBeInstanceOf(Error);
    expect(await db.all("select count(*) as n from t")).toEqual([{ n: 0 }]);
  });

  it("fails a parameter that cannot be sent to a reader process on that call only", async () => {
    const db = open(1, { acquireTimeoutMs: 2_000 });
    for (const bad of [Symbol("s"), () => 1]) {
      const error = await rejectionOf(db.get("select ? as v", [bad as never]));
      expect(error).toBeInstanceOf(TypeError);
    }
    // Queued behind a running query, so it is sent from the reply handler.
    const [ok, queued] = await Promise.allSettled([
      db.get("select 1 as v"),
      db.get("select ? as v", [Symbol("q") as never]),
    ]);
    expect(ok).toEqual({ status: "fulfilled", value: { v: 1 } });
    expect(queued.status === "rejected" && queued.reason).toBeInstanceOf(TypeError);
    expect(await db.get("select 2 as v")).toEqual({ v: 2 });
    expect(db.stats().workers).toMatchObject({ borrowed: 0, pending: 0 });
  });

  it("reads inside a transaction on its connection, not on a reader process", async () => {
    const db = open(2);
    await db.transaction(async (tx) => {
      tx.run("insert into t(label) values ('uncommitted')");
      expect(await db.all("select label from t")).toEqual([{ label: "uncommitted" }]);
    });
    expect(db.stats().workers?.completed).toBe(0);
  });

  it("stops a runaway query after workerQueryTimeoutMs and replaces its reader (more in stoppable-readers.test.ts)", async () => {
    const db = open(1, { workerQueryTimeoutMs: 200 });
    const forever =
      "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c";
    const error = await rejectionOf(db.get(forever));
    expect(error).toBeInstanceOf(SqliteWorkerError);
    expect(error.code).toBe("SQLITE_WORKER_TIMEOUT");
    expect(await db.get("select 41 + 1 as v")).toEqual({ v: 42 });
    expect(db.stats().workers?.restarts).toBe(1);
  }, 20_000);

  it("counts the readers' statement cache hits, misses and evictions in stats()", async () => {
    const db = open(1, { statementCacheSize: 2 });
    for (const v of [1, 2, 1, 3, 4]) await db.get(`select ${v} as v`);
    expect(db.stats().statements).toEqual({ hits: 1, misses: 4, evictions: 2 });
  });

  it("queues reads beyond the reader count in FIFO order and answers each", async () => {
    const db = open(2);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => db.get<{ v: number }>("select ? as v", [i])),
    );
    expect(answers.map((a) => a?.v)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe("process exit", () => {
  for (const mode of ["close", "leave"]) {
    it(`lets the process exit by itself when the pool is ${mode === "close" ? "closed" : "left open"}`, async () => {
      const child = Bun.spawn(["bun", fixture("exit-check.ts"), tmp.file("exit.db"), mode], {
        stdout: "pipe",
        stderr: "pipe",
      });
      const timer = setTimeout(() => child.kill(9), 15_000);
      const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      clearTimeout(timer);
      expect(child.signalCode).toBeNull();
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ rows: [{ x: 1 }] });
    }, 20_000);
  }
});
