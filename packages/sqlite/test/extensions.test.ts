import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { PoolInvalidOptionError } from "@pool/core";
import * as sqliteVec from "sqlite-vec";
import { SqliteError, SqliteOpenError } from "../src/errors.ts";
import { SqliteExtensionError } from "../src/extensions.ts";
import { SqlitePool } from "../src/sqlite-pool.ts";
import { rejectionOf, tempDir, thrownBy } from "./helpers.ts";

const VEC = sqliteVec.getLoadablePath();
/** Needs `vec0`, so the writer must have loaded the extension before migrations run. */
const MIGRATIONS = [
  "create virtual table items using vec0(embedding float[3])",
  "insert into items(rowid, embedding) values (1, '[1, 0, 0]'), (2, '[0, 1, 0]'), (3, '[0.9, 0.1, 0]')",
];
const KNN = "select rowid as id from items where embedding match ? and k = 2 order by distance";
const NEAR_X = "[1, 0, 0]";

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

function open(extra: Partial<ConstructorParameters<typeof SqlitePool>[0]> = {}): SqlitePool {
  const pool = new SqlitePool({
    path: tmp.file("vec.db"),
    extensions: [VEC],
    migrations: MIGRATIONS,
    ...extra,
  });
  pools.push(pool);
  return pool;
}

describe("extensions", () => {
  it("loads sqlite-vec into the writer before migrations, and into main-thread readers", async () => {
    const db = open();
    await db.ready;
    expect(await db.all(KNN, [NEAR_X])).toEqual([{ id: 1 }, { id: 3 }]);
    expect(await db.read((conn) => conn.query("select vec_version() as v").get())).toEqual({
      v: expect.stringMatching(/^v\d/),
    });
    await db.run("insert into items(rowid, embedding) values (4, ?)", ["[1, 0, 0.01]"]);
    const inTx = await db.transaction(async () => db.all(KNN, ["[1, 0, 0.02]"]));
    expect(inTx).toEqual([{ id: 4 }, { id: 1 }]);
  });

  it("loads it into every off-thread reader process, replacements included", async () => {
    const db = open({ workers: 2, workerQueryTimeoutMs: 200 });
    await db.ready;
    const answers = await Promise.all([db.all(KNN, [NEAR_X]), db.all(KNN, [NEAR_X])]);
    expect(answers).toEqual([
      [{ id: 1 }, { id: 3 }],
      [{ id: 1 }, { id: 3 }],
    ]);
    expect(db.stats().workers).toMatchObject({ completed: 2, failed: 0 });
    const forever =
      "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c";
    expect((await rejectionOf(db.get(forever))).code).toBe("SQLITE_WORKER_TIMEOUT");
    const again = await Promise.all([db.all(KNN, [NEAR_X]), db.all(KNN, [NEAR_X])]);
    expect(again).toEqual(answers);
  }, 20_000);

  it("is what makes vec0 readable: a pool without it fails on the same file", async () => {
    await open().ready;
    const without = new SqlitePool({ path: tmp.file("vec.db"), workers: 1 });
    pools.push(without);
    const error = await rejectionOf(without.all(KNN, [NEAR_X]));
    expect(error).toBeInstanceOf(SqliteError);
    expect(error.code).toBe("SQLITE_ERROR");
  });

  it("throws SQLITE_EXTENSION_FAILED from the constructor for a path that does not load", () => {
    const missing = tmp.file("no-such-extension.so");
    const error = thrownBy(() => open({ extensions: [VEC, missing], workers: 1 }));
    expect(error).toBeInstanceOf(SqliteExtensionError);
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect(error.code).toBe("SQLITE_EXTENSION_FAILED");
    expect((error as SqliteExtensionError).extension).toBe(missing);
    expect((error as SqliteExtensionError).path).toBe(tmp.file("vec.db"));
  });

  it("refuses an extensions option that is not an array of path strings", () => {
    for (const [extensions, field] of [
      [VEC, "extensions"],
      [[VEC, 42], "extensions[1]"],
      [[""], "extensions[0]"],
    ] as const) {
      const error = thrownBy(() => open({ extensions: extensions as never }));
      expect(error).toBeInstanceOf(PoolInvalidOptionError);
      expect(error.code).toBe("POOL_INVALID_OPTION");
      expect((error as PoolInvalidOptionError).option).toBe(field);
    }
  });
});
