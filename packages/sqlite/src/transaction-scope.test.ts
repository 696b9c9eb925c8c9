import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { rejectionOf, tempDir } from "../test/helpers.ts";
import { SqliteTransactionError } from "./errors.ts";
import { SqlitePool } from "./sqlite-pool.ts";

// Which transaction a call lands in: calls that outlive their scope, calls made around nested
// transactions, transactions started inside read()/write().

let tmp: ReturnType<typeof tempDir>;
let db: SqlitePool;

beforeEach(async () => {
  tmp = tempDir();
  db = new SqlitePool({
    path: tmp.file("scope.db"),
    migrations: ["create table t(label text not null)"],
  });
  await db.ready;
});

afterEach(async () => {
  await db.close();
  tmp.remove();
});

const labels = async () =>
  (await db.all<{ label: string }>("select label from t order by rowid")).map((r) => r.label);

/** Settles after `ms`, so a test never waits forever on a promise that should have settled. */
const within = <T>(promise: Promise<T>, ms: number): Promise<T | "pending"> =>
  Promise.race([promise, Bun.sleep(ms).then(() => "pending" as const)]);

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe("a transaction started inside write() that outlives it", () => {
  it("is revoked when write() returns, and never writes into the next caller's transaction", async () => {
    const late = gate();
    let stray: Promise<unknown> | undefined;
    const write = await rejectionOf(
      db.write(() => {
        stray = db.transaction(async (tx) => {
          await late.wait;
          tx.run("insert into t values ('stray')");
        });
        stray.catch(() => {});
      }),
    );
    expect(write.code).toBe("SQLITE_TX_LEFT_OPEN");
    const strayError = await rejectionOf(stray as Promise<unknown>);
    expect(strayError).toBeInstanceOf(SqliteTransactionError);
    expect(strayError.code).toBe("SQLITE_TX_REVOKED");

    const inside = gate();
    const victim = db.transaction(async (tx) => {
      tx.run("insert into t values ('victim')");
      inside.open();
      await Bun.sleep(20);
      throw new Error("the victim rolls back");
    });
    await inside.wait;
    late.open(); // the stray callback resumes while the victim's transaction is open
    expect((await rejectionOf(victim)).message).toBe("the victim rolls back");
    expect(await labels()).toEqual([]);
    expect(db.stats().transactions.committed).toBe(0);
  });

  it("does not roll back the next caller's transaction when its timeout fires", async () => {
    await rejectionOf(
      db.write(() => {
        db.transaction(() => new Promise(() => {}), { timeoutMs: 30 }).catch(() => {});
      }),
    );
    await db.transaction(async (tx) => {
      tx.run("insert into t values ('kept')");
      await Bun.sleep(80); // the stray transaction's timeout passes meanwhile
    });
    expect(await labels()).toEqual(["kept"]);
  });

  it("revokes a savepoint opened inside write()'s own BEGIN once write() returns", async () => {
    const late = gate();
    let stray: Promise<unknown> | undefined;
    await rejectionOf(
      db.write((conn) => {
        conn.run("begin immediate");
        stray = db.transaction(async (tx) => {
          await late.wait;
          tx.run("insert into t values ('stray')");
        });
        stray.catch(() => {});
      }),
    );
    const inside = gate();
    const victim = db.transaction(async (tx) => {
      tx.run("insert into t values ('victim')");
      inside.open();
      await Bun.sleep(20);
      throw new Error("the victim rolls back");
    });
    await inside.wait;
    late.open();
    expect((await rejectionOf(stray as Promise<unknown>)).code).toBe("SQLITE_TX_REVOKED");
    await rejectionOf(victim);
    expect(await labels()).toEqual([]);
  });
});

describe("db calls from a callback that outlived its transaction", () => {
  it("reject with SQLITE_TX_REVOKED from read() and write() too, instead of throwing", async () => {
    const done = gate();
    const outcomes: Record<string, string> = {};
    await db.transaction(() => {
      setTimeout(() => {
        for (const [name, call] of [
          ["read", () => db.read(() => 1)],
          ["write", () => db.write(() => 1)],
          ["run", () => db.run("insert into t values ('late')")],
        ] as const) {
          try {
            call().then(
              () => {
                outcomes[name] = "resolved";
              },
              (error) => {
                outcomes[name] = `rejected ${error.code}`;
              },
            );
          } catch (error) {
            outcomes[name] = `threw ${(error as { code?: string }).code}`;
          }
        }
        setTimeout(done.open, 5);
      }, 1);
    });
    await done.wait;
    expect(outcomes).toEqual({
      read: "rejected SQLITE_TX_REVOKED",
      write: "rejected SQLITE_TX_REVOKED",
      run: "rejected SQLITE_TX_REVOKED",
    });
    expect(await labels()).toEqual([]);
  });
});

describe("calls around a nested transaction", () => {
  it("makes write() from the outer scope wait for the nested one instead of landing in its savepoint", async () => {
    await db.transaction(async () => {
      const started = gate();
      const inner = db.transaction(async (tx) => {
        tx.run("insert into t values ('inner')");
        started.open();
        await Bun.sleep(10);
        throw new Error("inner rolls back");
      });
      await started.wait;
      await db.write((conn) => conn.run("insert into t values ('outer write')"));
      await rejectionOf(inner);
    });
    expect(await labels()).toEqual(["outer write"]);
  });

  it("settles calls waiting behind a nested transaction that hangs once the outer one times out", async () => {
    let run: Promise<unknown> | undefined;
    let second: Promise<unknown> | undefined;
    const outer = await rejectionOf(
      db.transaction(
        async () => {
          db.transaction(() => new Promise(() => {})).catch(() => {});
          await Bun.sleep(1);
          run = db.run("insert into t values ('waits')");
          second = db.transaction((tx) => tx.run("insert into t values ('queued')"));
          await run;
        },
        { timeoutMs: 50 },
      ),
    );
    expect(outer.code).toBe("SQLITE_TX_TIMEOUT");
    const settled = async (p: Promise<unknown> | undefined) =>
      within(
        (p as Promise<unknown>).then(
          () => "resolved",
          (e) => e.code,
        ),
        2_000,
      );
    expect(await settled(run)).toBe("SQLITE_TX_REVOKED");
    expect(await settled(second)).toBe("SQLITE_TX_REVOKED");
    expect(await labels()).toEqual([]);
  });

  it("refuses the outer handle's transaction() from inside a running nested one instead of deadlocking", async () => {
    const outcome = await db
      .transaction(
        async (outer) => {
          await outer.transaction(async () => {
            const error = await rejectionOf(
              outer.transaction((tx) => tx.run("insert into t values ('x')")),
            );
            expect(error).toBeInstanceOf(SqliteTransactionError);
            expect(error.code).toBe("SQLITE_TX_SUSPENDED");
          });
          outer.run("insert into t values ('outer')");
          return "committed";
        },
        { timeoutMs: 2_000 },
      )
      .catch((e) => e.code);
    expect(outcome).toBe("committed");
    expect(await labels()).toEqual(["outer"]);
  });
});
