import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { PoolInvalidOptionError } from "@pool/core";
import { rejectionOf, tempDir, thrownBy } from "../test/helpers.ts";
import { SqliteTransactionError, SqliteTransactionTimeoutError } from "./errors.ts";
import { SqlitePool } from "./sqlite-pool.ts";
import type { Transaction } from "./transaction.ts";

let tmp: ReturnType<typeof tempDir>;
let db: SqlitePool;

beforeEach(() => {
  tmp = tempDir();
  db = new SqlitePool({
    path: tmp.file("tx.db"),
    migrations: [
      "create table counter(id integer primary key, n integer not null); insert into counter values (1, 0)",
      "create table items(id integer primary key, label text not null unique)",
    ],
  });
});

afterEach(async () => {
  await db.close();
  tmp.remove();
});

const count = async () => (await db.get<{ n: number }>("select n from counter where id = 1"))!.n;

describe("SqlitePool.transaction", () => {
  it("keeps 200 concurrent transactions with an await inside exact, every 10th rolled back", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        db.transaction(async (tx) => {
          const { n } = tx.get<{ n: number }>("select n from counter where id = 1")!;
          await Bun.sleep(0);
          tx.run("update counter set n = ? where id = 1", [n + 1]);
          tx.run("insert into items(label) values (?)", [`item-${i}`]);
          await Promise.resolve();
          if (i % 10 === 9) throw new Error(`fail ${i}`);
          return i;
        }),
      ),
    );
    const failed = results.filter((r) => r.status === "rejected");
    expect(failed.length).toBe(20);
    expect(await count()).toBe(180);
    const labels = (await db.all<{ label: string }>("select label from items")).map((r) => r.label);
    expect(labels.length).toBe(180);
    for (let i = 9; i < 200; i += 10) expect(labels).not.toContain(`item-${i}`);
    expect(db.stats().transactions).toEqual({ committed: 180, rolledBack: 20, timedOut: 0 });
  });

  it("commits nothing at an await: a concurrent reader sees the old state until commit", async () => {
    let inside!: () => void;
    const reached = new Promise<void>((r) => {
      inside = r;
    });
    let proceed!: () => void;
    const gate = new Promise<void>((r) => {
      proceed = r;
    });
    const tx = db.transaction(async (t) => {
      t.run("update counter set n = 42 where id = 1");
      inside();
      await gate;
    });
    await reached;
    expect(await count()).toBe(0);
    proceed();
    await tx;
    expect(await count()).toBe(42);
  });

  it("rethrows the callback's error unchanged and rolls back", async () => {
    const mine = new RangeError("mine");
    const error = await rejectionOf(
      db.transaction((tx) => {
        tx.run("update counter set n = 5 where id = 1");
        throw mine;
      }),
    );
    expect(error).toBe(mine);
    expect(await count()).toBe(0);
  });

  it("returns the callback's value", async () => {
    expect(await db.transaction(async () => "done")).toBe("done");
  });

  it("runs db calls made inside it in the transaction, seeing its uncommitted writes", async () => {
    await rejectionOf(
      db.transaction(async (tx) => {
        tx.run("update counter set n = 7 where id = 1");
        expect(await count()).toBe(7);
        await db.run("insert into items(label) values ('inside')");
        expect(await db.all("select label from items")).toEqual([{ label: "inside" }]);
        expect(
          await db.read((conn) => conn.query("select count(*) as n from items").get()),
        ).toEqual({ n: 1 });
        throw new Error("undo all of it");
      }),
    );
    expect(await count()).toBe(0);
    expect(await db.all("select * from items")).toEqual([]);
  });

  it("nests with savepoints: an inner rollback keeps the outer work", async () => {
    await db.transaction(async (tx) => {
      tx.run("insert into items(label) values ('outer')");
      await rejectionOf(
        db.transaction(async (inner) => {
          inner.run("insert into items(label) values ('inner')");
          await Bun.sleep(1);
          throw new Error("inner fails");
        }),
      );
      await tx.transaction((inner) => inner.run("insert into items(label) values ('inner-ok')"));
    });
    const labels = (await db.all<{ label: string }>("select label from items order by id")).map(
      (r) => r.label,
    );
    expect(labels).toEqual(["outer", "inner-ok"]);
  });

  it("runs concurrent nested transactions one at a time, without deadlock", async () => {
    await db.transaction(async () => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          db.transaction(async (inner) => {
            const { n } = inner.get<{ n: number }>("select n from counter where id = 1")!;
            await Bun.sleep(1);
            inner.run("update counter set n = ? where id = 1", [n + 1]);
            inner.run("insert into items(label) values (?)", [`n${i}`]);
          }),
        ),
      );
    });
    expect(await count()).toBe(10);
  });

  it("suspends the outer handle while a nested transaction runs", async () => {
    await db.transaction(async (tx) => {
      let error: Error | undefined;
      await tx.transaction(async () => {
        error = thrownBy(() => tx.run("update counter set n = 1 where id = 1"));
      });
      expect(error).toBeInstanceOf(SqliteTransactionError);
      expect(error && (error as SqliteTransactionError).code).toBe("SQLITE_TX_SUSPENDED");
      tx.run("update counter set n = 2 where id = 1");
    });
    expect(await count()).toBe(2);
  });

  it("revokes the handle after commit so a straggler throws instead of autocommitting", async () => {
    let saved: Transaction | undefined;
    await db.transaction((tx) => {
      saved = tx;
    });
    const error = thrownBy(() => saved!.run("update counter set n = 99 where id = 1"));
    expect(error).toBeInstanceOf(SqliteTransactionError);
    expect(error.code).toBe("SQLITE_TX_REVOKED");
    expect(await count()).toBe(0);
  });

  it("rolls back after transactionTimeoutMs, frees the writer and revokes the handle", async () => {
    let resume!: () => void;
    const stalled = new Promise<void>((r) => {
      resume = r;
    });
    let late: (Error & { code?: string }) | undefined;
    let lateDb: (Error & { code?: string }) | undefined;
    let lateDone!: () => void;
    const lateCalls = new Promise<void>((r) => {
      lateDone = r;
    });
    const tx = db.transaction(
      async (t) => {
        t.run("update counter set n = 13 where id = 1");
        await stalled;
        late = thrownBy(() => t.run("update counter set n = 14 where id = 1"));
        lateDb = await rejectionOf(db.run("update counter set n = 15 where id = 1"));
        lateDone();
      },
      { timeoutMs: 50 },
    );
    const error = await rejectionOf(tx);
    expect(error).toBeInstanceOf(SqliteTransactionTimeoutError);
    expect(error.code).toBe("SQLITE_TX_TIMEOUT");
    // The writer moved on: another write goes through while the first callback still hangs.
    await db.run("insert into items(label) values ('after')");
    expect(await count()).toBe(0);
    resume();
    await lateCalls;
    expect(late?.code).toBe("SQLITE_TX_REVOKED");
    expect(lateDb?.code).toBe("SQLITE_TX_REVOKED");
    expect(await count()).toBe(0);
    expect(db.stats().transactions.timedOut).toBe(1);
  });

  it("reports a transaction ended from inside with SQLITE_TX_ENDED", async () => {
    const error = await rejectionOf(
      db.transaction((tx) => {
        tx.run("update counter set n = 3 where id = 1");
        tx.run("commit");
      }),
    );
    expect(error.code).toBe("SQLITE_TX_ENDED");
  });

  it("runs a transaction inside write() on the held connection instead of deadlocking", async () => {
    await db.write(async () => {
      await db.transaction((tx) => tx.run("update counter set n = 8 where id = 1"));
    });
    expect(await count()).toBe(8);
  });

  it("waits its turn behind a nested transaction when db is called from the outer scope", async () => {
    await db.transaction(async () => {
      let started!: () => void;
      const childRunning = new Promise<void>((r) => {
        started = r;
      });
      const inner = db.transaction(async (t) => {
        t.run("update counter set n = 1 where id = 1");
        started();
        await Bun.sleep(10);
        throw new Error("inner rolls back");
      });
      await childRunning;
      // Issued while the nested transaction runs: it must wait, not land inside and be undone.
      await db.run("update counter set n = n + 10 where id = 1");
      expect(await rejectionOf(inner)).toBeInstanceOf(Error);
    });
    expect(await count()).toBe(10);
  });

  it("rejects a bad timeoutMs with a typed error", async () => {
    const error = await rejectionOf(db.transaction(() => 1, { timeoutMs: -1 }));
    expect(error.code).toBe("POOL_INVALID_OPTION");
  });

  it("rejects an unknown option, naming it, instead of running with the default timeout", async () => {
    let ran = false;
    const error = await rejectionOf(
      db.transaction(
        () => {
          ran = true;
        },
        { timeout: 50 } as never,
      ),
    );
    expect(error).toBeInstanceOf(PoolInvalidOptionError);
    expect((error as PoolInvalidOptionError).option).toBe("timeout");
    expect(ran).toBe(false);
    expect((await rejectionOf(db.transaction(() => 1, null as never))).code).toBe(
      "POOL_INVALID_OPTION",
    );
  });
});
