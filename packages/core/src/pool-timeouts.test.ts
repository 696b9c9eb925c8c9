import { describe, expect, it } from "bun:test";
import { deferred, factory, pools, type Resource, settle, sleep, until } from "../test/helpers.ts";
import { type PoolCreateError, PoolTimeoutError } from "./errors.ts";

/** Pools made here are force-closed after each test. */
const makePool = pools();

/** Keeps the thread busy for `ms`: synchronous work that blocks timers and microtasks alike. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

describe("acquireTimeoutMs", () => {
  // The queue reads the clock once per batch of enqueues and hand-offs; a reading taken before
  // synchronous work must not date an acquire made after it.
  it("never times out early when the acquire follows long synchronous work in the same run", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const held = await pool.acquire();
    const first = settle(pool.acquire({ timeoutMs: 5_000 })); // opens a batch
    held.release(); // a hand-off in the same batch
    busy(40);
    const start = performance.now();
    const { error } = await settle(pool.acquire({ timeoutMs: 20 }));
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect(performance.now() - start).toBeGreaterThanOrEqual(19); // 1 ms of timer slack
    ((await first).value as { release(): void }).release();
  });

  it("rejects with POOL_TIMEOUT saying total/borrowed/idle/pending/creating", async () => {
    const pool = makePool({ create: factory().create, max: 2, acquireTimeoutMs: 30 });
    const held = [await pool.acquire(), await pool.acquire()];
    const other = pool.acquire({ timeoutMs: 5_000 });
    const { error } = await settle(pool.acquire());
    expect(error).toBeInstanceOf(PoolTimeoutError);
    const e = error as PoolTimeoutError;
    expect(e.code).toBe("POOL_TIMEOUT");
    expect(e.timeoutMs).toBe(30);
    expect(e.snapshot).toEqual({ size: 2, borrowed: 2, idle: 0, pending: 2, creating: 0 });
    expect(e.message).toContain("total=2, borrowed=2, idle=0, pending=2");
    expect(pool.stats().timedOut).toBe(1);
    held[0]!.release();
    (await other).release();
    held[1]!.release();
  });

  it("honours a per-call timeout shorter than an earlier waiter's", async () => {
    const pool = makePool({ create: factory().create, max: 1, acquireTimeoutMs: 10_000 });
    const lease = await pool.acquire();
    const long = pool.acquire();
    const start = performance.now();
    const { error } = await settle(pool.acquire({ timeoutMs: 20 }));
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect(performance.now() - start).toBeLessThan(5_000);
    lease.release();
    (await long).release();
  });

  it("keeps waiting waiters valid after an earlier one timed out", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const lease = await pool.acquire();
    const short = settle(pool.acquire({ timeoutMs: 10 }));
    const long = pool.acquire({ timeoutMs: 5_000 });
    expect((await short).error).toBeInstanceOf(PoolTimeoutError);
    lease.release();
    expect((await long).resource).toBe(lease.resource);
  });

  it("does not leak a resource whose create outlives the waiter's timeout", async () => {
    const gate = deferred();
    const f = factory(async (n) => {
      await gate.promise;
      return { id: n, alive: true };
    });
    const pool = makePool({ create: f.create, destroy: f.destroy, max: 1 });
    const { error } = await settle(pool.acquire({ timeoutMs: 10 }));
    expect(error).toBeInstanceOf(PoolTimeoutError);
    gate.resolve();
    await until(() => pool.stats().idle === 1);
    expect(pool.stats()).toMatchObject({ size: 1, borrowed: 0, creating: 0 });
  });
});

describe("createTimeoutMs", () => {
  it("aborts the create's signal, frees its slot and destroys a late result", async () => {
    const late = deferred<Resource>();
    const f = factory(async (n) => (n === 0 ? late.promise : { id: n, alive: true }));
    const errors: unknown[] = [];
    const pool = makePool({
      create: f.create,
      destroy: f.destroy,
      max: 1,
      createTimeoutMs: 20,
      createRetryDelayMs: 1,
    });
    pool.on("createError", (e) => errors.push(e));
    const lease = await pool.acquire({ timeoutMs: 2_000 });
    // The first create timed out; its slot went to a second create, which served us.
    expect(lease.resource.id).toBe(1);
    expect(f.signals[0]!.aborted).toBe(true);
    expect((f.signals[0]!.reason as PoolCreateError).code).toBe("POOL_CREATE_TIMEOUT");
    expect((errors[0] as PoolCreateError).code).toBe("POOL_CREATE_TIMEOUT");
    late.resolve({ id: 99, alive: true });
    await until(() => pool.stats().discarded === 1);
    expect(f.destroyed.map((r) => r.id)).toEqual([99]);
    expect(pool.stats()).toMatchObject({ size: 1, created: 1, destroyed: { total: 0 } });
    lease.release();
  });
});

describe("destroyTimeoutMs", () => {
  it("reports a destroy that hangs as a destroyError and moves on", async () => {
    const errors: unknown[] = [];
    const pool = makePool({
      create: factory().create,
      destroy: () => new Promise(() => {}),
      destroyTimeoutMs: 10,
    });
    pool.on("destroyError", (e) => errors.push(e));
    (await pool.acquire()).destroy();
    await until(() => errors.length === 1);
    expect((errors[0] as { code: string }).code).toBe("POOL_DESTROY_TIMEOUT");
    expect(pool.stats().destroyErrors).toBe(1);
  });

  it("never throws a failing destroy into the borrower", async () => {
    const errors: unknown[] = [];
    const pool = makePool({
      create: factory().create,
      destroy: () => {
        throw new Error("sync destroy failure");
      },
    });
    pool.on("destroyError", (e) => errors.push(e));
    const lease = await pool.acquire();
    expect(() => lease.destroy()).not.toThrow();
    const second = await pool.acquire();
    second.release();
    expect(errors.length).toBe(1);
  });

  it("reports a rejecting destroy without an unhandled rejection", async () => {
    const errors: unknown[] = [];
    const pool = makePool({
      create: factory().create,
      destroy: async () => {
        await sleep(1);
        throw new Error("async destroy failure");
      },
    });
    pool.on("destroyError", (e) => errors.push(e));
    (await pool.acquire()).destroy();
    await until(() => errors.length === 1);
    expect((errors[0] as Error).message).toBe("async destroy failure");
  });
});
