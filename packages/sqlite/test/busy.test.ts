import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { SqliteError } from "../src/errors.ts";
import { SqlitePool } from "../src/sqlite-pool.ts";
import { fixture, rejectionOf, tempDir, waitForLine } from "./helpers.ts";

let tmp: ReturnType<typeof tempDir>;
let db: SqlitePool | undefined;
let holder: ReturnType<typeof Bun.spawn> | undefined;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  if (holder !== undefined && holder.exitCode === null) holder.kill(9);
  holder = undefined;
  await db?.close();
  db = undefined;
  tmp.remove();
});

function openPool(busyTimeoutMs?: number): SqlitePool {
  db = new SqlitePool({
    path: tmp.file("busy.db"),
    migrations: ["create table items(id integer primary key, label text)"],
    ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
  });
  return db;
}

async function holdLock(ms: number): Promise<void> {
  holder = Bun.spawn(["bun", fixture("lock-holder.ts"), tmp.file("busy.db"), String(ms)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  await waitForLine(
    holder.stdout as ReadableStream<Uint8Array>,
    (line) => line === "locked",
    15_000,
  );
}

describe("another process holding the write lock", () => {
  it("makes writes wait and then succeed, while reads and the event loop carry on", async () => {
    const pool = openPool();
    await pool.run("insert into items(label) values ('before')");
    await holdLock(1_500);
    const lockedAt = performance.now();
    let writesDone = 0;
    const writes = Promise.all([
      pool.run("insert into items(label) values ('w1')"),
      pool.transaction((tx) => tx.run("insert into items(label) values ('w2')")),
    ]).then(() => {
      writesDone = performance.now();
    });
    let readsWhileWaiting = 0;
    while (writesDone === 0 && performance.now() - lockedAt < 10_000) {
      const labels = (await pool.all<{ label: string }>("select label from items order by id")).map(
        (r) => r.label,
      );
      // The holder's row shows once it commits; ours only after the writes resolve.
      expect(labels[0]).toBe("before");
      expect(labels).not.toContain("w1");
      readsWhileWaiting++;
      await Bun.sleep(25);
    }
    await writes;
    expect(writesDone - lockedAt).toBeGreaterThan(500);
    expect(readsWhileWaiting).toBeGreaterThan(10);
    const labels = (await pool.all<{ label: string }>("select label from items order by id")).map(
      (r) => r.label,
    );
    expect(labels).toEqual(["before", "from-holder", "w1", "w2"]);
    expect(pool.stats().busyRetries).toBeGreaterThan(0);
    expect(await holder!.exited).toBe(0);
  }, 30_000);

  it("fails with SQLITE_BUSY after busyTimeoutMs, and works again once the lock is gone", async () => {
    const pool = openPool(300);
    await holdLock(1_500);
    const error = await rejectionOf(pool.run("insert into items(label) values ('late')"));
    expect(error).toBeInstanceOf(SqliteError);
    expect((error as SqliteError).errno & 0xff).toBe(5);
    expect(error.code?.startsWith("SQLITE_BUSY")).toBe(true);
    const txError = await rejectionOf(
      pool.transaction((tx) => tx.run("insert into items(label) values ('late')")),
    );
    expect(txError.code?.startsWith("SQLITE_BUSY")).toBe(true);
    expect(await holder!.exited).toBe(0);
    await pool.run("insert into items(label) values ('after')");
    const labels = (await pool.all<{ label: string }>("select label from items order by id")).map(
      (r) => r.label,
    );
    expect(labels).toEqual(["from-holder", "after"]);
  }, 30_000);
});
