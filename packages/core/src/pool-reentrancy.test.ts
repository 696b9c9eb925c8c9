import { describe, expect, it } from "bun:test";
import { factory, pools, type Resource, settle, sleep, until } from "../test/helpers.ts";
import { PoolClosedError } from "./errors.ts";
import type { Pool } from "./pool.ts";

/** Pools made here are force-closed after each test. */
const makePool = pools();

/** created − destroyed = size, and every resource counted is in exactly one place. */
function consistent(pool: Pool<Resource>) {
  const s = pool.stats();
  expect(s.created - s.destroyed.total).toBe(s.size);
  expect(s.size).toBe(s.idle + s.borrowed + s.validating);
  expect(Math.min(s.borrowed, s.idle, s.pending, s.creating, s.validating)).toBeGreaterThanOrEqual(
    0,
  );
}

describe("callbacks that call back into the pool", () => {
  it("a create listener that evicts the new resource does not get it lent", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    pool.on("create", (r) => {
      if (r.id === 0) pool.evict(r);
    });
    const lease = await pool.acquire();
    expect(lease.resource.id).toBe(1);
    expect(lease.resource.alive).toBe(true);
    lease.release();
    consistent(pool);
    await pool.close();
    expect(f.destroyed.map((r) => r.id).sort()).toEqual([0, 1]); // each exactly once
  });

  it("an async validator that evicts its resource destroys it once", async () => {
    const f = factory();
    let calls = 0;
    const pool = makePool({
      create: f.create,
      destroy: (r) => {
        calls++;
        f.destroy(r);
      },
      validate: async (r) => {
        if (r.id === 0) {
          pool.evict(r);
          return false;
        }
        return true;
      },
    });
    (await pool.acquire()).release();
    const lease = await pool.acquire();
    expect(lease.resource.id).toBe(1);
    expect(calls).toBe(1);
    consistent(pool);
    lease.release();
  });

  it("a synchronous validator that evicts its resource gets it replaced, not lent", async () => {
    const f = factory();
    const pool = makePool({
      create: f.create,
      destroy: f.destroy,
      validate: (r) => {
        if (r.id === 0) pool.evict(r);
        return true;
      },
    });
    (await pool.acquire()).release();
    const lease = await pool.acquire();
    expect(lease.resource.id).toBe(1);
    expect(f.destroyed.map((r) => r.id)).toEqual([0]);
    consistent(pool);
    lease.release();
  });

  it("a release listener that closes the pool leaves no count negative", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    pool.on("release", () => void pool.close({ timeoutMs: 0 }));
    (await pool.acquire()).release();
    await pool.close();
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0, idle: 0 });
    expect(f.live).toBe(0);
    consistent(pool);
  });

  it("an acquire listener that forces a close makes that acquire fail with POOL_CLOSED", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    pool.on("acquire", () => void pool.close({ timeoutMs: 0 }));
    const { error } = await settle(pool.acquire());
    expect(error).toBeInstanceOf(PoolClosedError);
    expect(f.live).toBe(0);
  });

  it("a create listener that forces a close leaves nothing behind", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    pool.on("create", () => void pool.close({ timeoutMs: 0 }));
    const { error } = await settle(pool.acquire());
    expect(error).toBeInstanceOf(PoolClosedError);
    await pool.close();
    expect(pool.stats()).toMatchObject({ size: 0, idle: 0 });
    expect(f.live).toBe(0);
  });

  it("a factory that closes the pool is not called again, and what it returns is destroyed", async () => {
    let calls = 0;
    const destroyed: number[] = [];
    const pool = makePool({
      min: 2,
      create: async () => {
        const id = calls++;
        if (id === 0) void pool.close();
        return { id, alive: true };
      },
      destroy: (r) => {
        destroyed.push(r.id);
      },
    });
    await until(() => pool.closed && calls > 0);
    await pool.close();
    await sleep(5);
    expect(calls).toBe(1);
    expect(destroyed).toEqual([0]);
    expect(pool.stats()).toMatchObject({ size: 0, created: 0, discarded: 1 });
  });

  it("a createError listener cannot skip the backoff", async () => {
    const times: number[] = [];
    const pool = makePool({
      create: () => {
        times.push(performance.now());
        throw new Error("down");
      },
      createRetryDelayMs: 200,
      createRetryMaxDelayMs: 200,
      acquireTimeoutMs: 50,
    });
    pool.on("createError", () => pool.tryAcquire());
    await settle(pool.acquire());
    expect(times.length).toBe(1);
  });
});

describe("validation, limited", () => {
  it("one acquire starts at most one async validation", async () => {
    let validations = 0;
    const pool = makePool({
      create: factory().create,
      max: 8,
      validate: async () => {
        validations++;
        await sleep(5);
        return true;
      },
    });
    const leases = await Promise.all(Array.from({ length: 8 }, () => pool.acquire()));
    for (const lease of leases) lease.release();
    const lease = await pool.acquire();
    expect(validations).toBe(1);
    expect(pool.stats()).toMatchObject({ idle: 7, validating: 0 });
    lease.release();
  });

  it("close() waits for a validation in flight, then destroys the resource", async () => {
    const f = factory();
    let slow = false;
    const pool = makePool({
      create: f.create,
      destroy: f.destroy,
      validate: async () => {
        if (slow) await sleep(30);
        return true;
      },
    });
    (await pool.acquire()).release();
    slow = true;
    const waiting = settle(pool.acquire());
    expect(pool.stats().validating).toBe(1);
    await pool.close();
    expect((await waiting).error).toBeInstanceOf(PoolClosedError);
    expect(pool.stats()).toMatchObject({ validating: 0, size: 0 });
    expect(f.live).toBe(0);
  });
});

describe("odd values thrown by user code", () => {
  it("settles waiters even when the create error cannot be turned into a string", async () => {
    const pool = makePool({
      create: () => Promise.reject(Object.create(null)),
      acquireTimeoutMs: 30,
      createRetryDelayMs: 5,
    });
    const { error } = await settle(pool.acquire());
    expect((error as { code: string }).code).toBe("POOL_TIMEOUT");
  });
});
