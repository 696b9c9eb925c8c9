import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { PoolAbortedError, PoolClosedError, PoolInvalidOptionError } from "@pool/core";
import { SqliteWorkerError } from "../src/errors.ts";
import { SqlitePool } from "../src/sqlite-pool.ts";
import { fixture, rejectionOf, tempDir, waitForLine } from "./helpers.ts";
import { eventually, gone, killLeftovers, reaped } from "./processes.ts";

/** Never ends by itself: only a killed process stops it. */
const FOREVER =
  "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) as n from c";

let tmp: ReturnType<typeof tempDir>;
let pools: SqlitePool[] = [];
let child: ReturnType<typeof Bun.spawn> | undefined;
/** Reader pids of a fixture process: killed after the test if it failed to make them go. */
let orphans: number[] = [];

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  if (child !== undefined && child.exitCode === null) child.kill(9);
  child = undefined;
  killLeftovers(orphans);
  orphans = [];
  await Promise.all(pools.map((p) => p.close({ timeoutMs: 100 })));
  pools = [];
  tmp.remove();
});

function open(extra: Partial<ConstructorParameters<typeof SqlitePool>[0]> = {}): SqlitePool {
  const pool = new SqlitePool({
    path: tmp.file("s.db"),
    workers: 1,
    migrations: ["create table t(id integer primary key)"],
    ...extra,
  });
  pools.push(pool);
  return pool;
}

/** The one reader's pid, once it has answered a query. */
async function readerPid(db: SqlitePool): Promise<number> {
  expect(await db.get("select 1 as one")).toEqual({ one: 1 });
  const pid = db.stats().workers?.pids[0];
  expect(pid).toBeNumber();
  expect(gone(pid as number)).toBe(false);
  return pid as number;
}

describe("workerQueryTimeoutMs", () => {
  it("rejects an endless query with SQLITE_WORKER_TIMEOUT, kills its reader process and replaces it", async () => {
    const db = open({ workerQueryTimeoutMs: 200 });
    const pid = await readerPid(db);
    const error = await rejectionOf(db.get(FOREVER));
    expect(error).toBeInstanceOf(SqliteWorkerError);
    expect(error.code).toBe("SQLITE_WORKER_TIMEOUT");
    expect(await eventually(() => reaped(pid), 2_000)).toBe(true);
    expect(await db.get("select 41 + 1 as v")).toEqual({ v: 42 });
    const stats = db.stats().workers;
    expect(stats).toMatchObject({ size: 1, borrowed: 0, killed: 1, restarts: 1 });
    expect(stats?.pids[0]).not.toBe(pid);
    expect(gone(stats?.pids[0] as number)).toBe(false);
  }, 20_000);

  it("leaves a query that finishes in time and its reader alone", async () => {
    const db = open({ workerQueryTimeoutMs: 10_000 });
    const pid = await readerPid(db);
    expect(await db.get("select count(*) as n from t")).toEqual({ n: 0 });
    expect(db.stats().workers).toMatchObject({ killed: 0, restarts: 0, pids: [pid] });
  });
});

describe("all()/get() with a signal", () => {
  it("stops a running query when its signal aborts: POOL_ABORTED, reader killed and replaced", async () => {
    const db = open();
    const pid = await readerPid(db);
    const ac = new AbortController();
    const running = db.all(FOREVER, [], { signal: ac.signal });
    expect(db.stats().workers?.borrowed).toBe(1);
    await Bun.sleep(50);
    const reason = new Error("client went away");
    ac.abort(reason);
    const error = await rejectionOf(running);
    expect(error).toBeInstanceOf(PoolAbortedError);
    expect(error.code).toBe("POOL_ABORTED");
    expect(error.cause).toBe(reason);
    expect(await eventually(() => reaped(pid), 2_000)).toBe(true);
    expect(await db.get("select 41 + 1 as v")).toEqual({ v: 42 });
    expect(db.stats().workers).toMatchObject({ killed: 1, restarts: 1, borrowed: 0, pending: 0 });
  }, 20_000);

  it("drops a queued query whose signal aborts without killing the busy reader", async () => {
    const db = open();
    const pid = await readerPid(db);
    const ac = new AbortController();
    const slow = db.get<{ n: number }>(
      "with recursive c(x) as (select 1 union all select x + 1 from c where x < 300000) select count(*) as n from c",
    );
    const queued = db.get("select 1 as one", [], { signal: ac.signal });
    expect(db.stats().workers?.pending).toBe(1);
    ac.abort();
    const error = await rejectionOf(queued);
    expect(error).toBeInstanceOf(PoolAbortedError);
    expect(error.code).toBe("POOL_ABORTED");
    expect(await slow).toEqual({ n: 300_000 });
    expect(db.stats().workers).toMatchObject({ killed: 0, pending: 0, pids: [pid] });
  }, 20_000);

  it("rejects at once with a signal already aborted, off the main thread and on it", async () => {
    for (const workers of [1, 0]) {
      const db = open({ workers, path: tmp.file(`aborted-${workers}.db`) });
      await db.ready;
      const error = await rejectionOf(
        db.get("select 1 as one", [], { signal: AbortSignal.abort() }),
      );
      expect(error).toBeInstanceOf(PoolAbortedError);
      expect(error.code).toBe("POOL_ABORTED");
      expect(await db.get("select 1 as one", [], { signal: new AbortController().signal })).toEqual(
        { one: 1 },
      );
    }
  });

  it("refuses bad query options with POOL_INVALID_OPTION", async () => {
    const db = open();
    for (const options of [{ signal: "soon" }, { timeout: 5 }, 3]) {
      const error = await rejectionOf(db.all("select 1", [], options as never));
      expect(error).toBeInstanceOf(PoolInvalidOptionError);
      expect(error.code).toBe("POOL_INVALID_OPTION");
    }
  });
});

describe("a reader process that dies on its own", () => {
  // Killed from outside (the OOM killer, an operator) while idle: the pool may lend it before
  // its exit is seen. The read never ran, and reads are safe to repeat, so the caller must not
  // see the crash.
  it("runs the next read on its replacement instead of failing it", async () => {
    const db = open();
    const pid = await readerPid(db);
    process.kill(pid, "SIGKILL");
    expect(await db.get("select 2 as two")).toEqual({ two: 2 });
    expect(await eventually(() => reaped(pid), 2_000)).toBe(true);
    const stats = db.stats().workers;
    expect(stats?.failed).toBe(0);
    expect(stats?.restarts).toBeGreaterThanOrEqual(1);
    expect(stats?.pids).not.toContain(pid);
  });
});

describe("close() with off-thread readers", () => {
  it("kills a reader still inside a query when the grace period ends, and leaves no process", async () => {
    const db = open();
    const pid = await readerPid(db);
    const running = db.get(FOREVER);
    await db.close({ timeoutMs: 100 });
    const error = await rejectionOf(running);
    expect(error).toBeInstanceOf(PoolClosedError);
    expect(error.code).toBe("POOL_CLOSED");
    expect(reaped(pid)).toBe(true);
    expect(db.stats().workers?.pids).toEqual([]);
  }, 20_000);

  it("closes idle readers: their processes exit", async () => {
    const db = open({ workers: 2 });
    await Promise.all([db.get("select 1"), db.get("select 1")]);
    const pids = db.stats().workers?.pids ?? [];
    expect(pids.length).toBe(2);
    await db.close();
    for (const pid of pids) expect(reaped(pid)).toBe(true);
  });
});

describe("reader processes and their parent", () => {
  for (const mode of ["timeout-close", "timeout-leave"]) {
    it(`a process whose query timed out exits by itself (${mode === "timeout-close" ? "pool closed" : "pool left open"}), its readers with it`, async () => {
      const proc = Bun.spawn(["bun", fixture("stoppable-reader.ts"), tmp.file("exit.db"), mode], {
        stdout: "pipe",
        stderr: "inherit",
      });
      child = proc;
      const timer = setTimeout(() => proc.kill(9), 15_000);
      const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
      clearTimeout(timer);
      expect(proc.signalCode).toBeNull();
      expect(code).toBe(0);
      const lines = out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines[1]).toMatchObject({ code: "SQLITE_WORKER_TIMEOUT", next: { v: 42 } });
      expect(lines[2]).toEqual({ done: true });
      const pids: number[] = [...lines[0].pids, ...lines[1].pids];
      orphans = pids;
      expect(new Set(pids).size).toBe(3); // two first readers, one replacement
      expect(await eventually(() => pids.every(gone), 3_000)).toBe(true);
    }, 20_000);
  }

  it("kill -9 of the parent mid-query leaves no reader process behind", async () => {
    child = Bun.spawn(["bun", fixture("stoppable-reader.ts"), tmp.file("orphan.db"), "hang"], {
      stdout: "pipe",
      stderr: "inherit",
    });
    let pids: number[] = [];
    await waitForLine(
      child.stdout as ReadableStream<Uint8Array>,
      (line) => {
        const o = JSON.parse(line);
        if (o.pids) orphans = pids = o.pids;
        return o.running === 2;
      },
      15_000,
    );
    expect(pids.length).toBe(2);
    await Bun.sleep(100); // both readers deep inside SQLite, deaf to their IPC channel
    expect(pids.some(gone)).toBe(false);
    child.kill(9);
    await child.exited;
    expect(await eventually(() => pids.every(gone), 3_000)).toBe(true);
  }, 30_000);
});
