import { describe, expect, it } from "bun:test";
import { factory, pools, sleep, until } from "../test/helpers.ts";

/** Pools made here are force-closed after each test. */
const makePool = pools();

describe("idleTimeoutMs", () => {
  it("destroys idle resources by itself, with no other option set", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy, idleTimeoutMs: 30 });
    const leases = await Promise.all([pool.acquire(), pool.acquire()]);
    for (const lease of leases) lease.release();
    await until(() => pool.stats().size === 0);
    expect(pool.stats().destroyed.idle).toBe(2);
    expect(f.destroyed.length).toBe(2);
  });

  it("keeps min resources while evicting the rest", async () => {
    const pool = makePool({ create: factory().create, min: 1, idleTimeoutMs: 20 });
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const lease of leases) lease.release();
    await until(() => pool.stats().destroyed.idle === 2);
    await sleep(50);
    expect(pool.stats().size).toBe(1);
  });

  it("does not evict a resource that keeps being used", async () => {
    const pool = makePool({ create: factory().create, idleTimeoutMs: 40 });
    const end = performance.now() + 150;
    while (performance.now() < end) {
      await pool.use(() => sleep(5));
    }
    expect(pool.stats()).toMatchObject({ created: 1, destroyed: { idle: 0 } });
  });
});

describe("maxLifetimeMs", () => {
  it("retires an idle resource when its lifetime ends", async () => {
    const pool = makePool({ create: factory().create, maxLifetimeMs: 30, idleTimeoutMs: 0 });
    (await pool.acquire()).release();
    await until(() => pool.stats().destroyed.lifetime === 1);
    expect(pool.stats().size).toBe(0);
  });

  it("retires a borrowed resource at release instead of mid-use", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy, maxLifetimeMs: 20 });
    const lease = await pool.acquire();
    await sleep(40);
    expect(lease.resource.alive).toBe(true);
    lease.release();
    expect(lease.resource.alive).toBe(false);
    expect(pool.stats().destroyed.lifetime).toBe(1);
  });

  it("spreads expiries with per-resource jitter", async () => {
    const times: number[] = [];
    const pool = makePool({
      create: factory().create,
      max: 20,
      maxLifetimeMs: 200,
      maxLifetimeJitter: 0.5,
      idleTimeoutMs: 0,
    });
    pool.on("destroy", (_r, reason) => {
      if (reason === "lifetime") times.push(performance.now());
    });
    const leases = await Promise.all(Array.from({ length: 20 }, () => pool.acquire()));
    for (const lease of leases) lease.release();
    await until(() => times.length === 20);
    // All created together; with 50% jitter they expire over ~100 ms, not in one instant.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(20);
  });
});

describe("maxUses", () => {
  it("retires a resource after maxUses leases", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy, maxUses: 3 });
    for (let i = 0; i < 7; i++) await pool.use(() => {});
    expect(f.made.length).toBe(3);
    expect(pool.stats().destroyed.maxUses).toBe(2);
  });
});

describe("evict()", () => {
  it("drops an idle resource at once", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    const lease = await pool.acquire();
    lease.release();
    expect(pool.evict(lease.resource)).toBe(true);
    expect(lease.resource.alive).toBe(false);
    expect(pool.stats()).toMatchObject({ size: 0, destroyed: { evicted: 1 } });
    expect(pool.evict(lease.resource)).toBe(false);
  });

  it("drops a borrowed resource when it comes back, not before", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    const lease = await pool.acquire();
    expect(pool.evict(lease.resource)).toBe(true);
    expect(lease.resource.alive).toBe(true);
    lease.release();
    expect(lease.resource.alive).toBe(false);
    const next = await pool.acquire();
    expect(next.resource).not.toBe(lease.resource);
  });

  it("returns false for something the pool never had", () => {
    const pool = makePool({ create: factory().create });
    expect(pool.evict({ id: -1, alive: true })).toBe(false);
  });
});

describe("lease.setIdleTimeoutMs()", () => {
  it("drops a resource idle past its own deadline instead of lending it", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy, idleTimeoutMs: 0 });
    const lease = await pool.acquire();
    lease.setIdleTimeoutMs(20);
    lease.release();
    await sleep(40);
    const next = await pool.acquire();
    expect(next.resource).not.toBe(lease.resource);
    expect(pool.stats().destroyed.evicted).toBe(1);
  });

  it("lends a resource still within its own deadline", async () => {
    const pool = makePool({ create: factory().create });
    const lease = await pool.acquire();
    lease.setIdleTimeoutMs(5_000);
    lease.release();
    expect((await pool.acquire()).resource).toBe(lease.resource);
  });

  it("is honoured even for resources kept for min", async () => {
    const pool = makePool({ create: factory().create, min: 1, evictionIntervalMs: 5 });
    await until(() => pool.stats().idle === 1);
    const lease = await pool.acquire();
    lease.setIdleTimeoutMs(10);
    lease.release();
    await until(() => pool.stats().destroyed.evicted === 1);
    await until(() => pool.stats().idle === 1); // min refills it with a fresh one
  });

  it("is swept in the background when idle sweeps run", async () => {
    const pool = makePool({
      create: factory().create,
      idleTimeoutMs: 60_000,
      evictionIntervalMs: 10,
    });
    const lease = await pool.acquire();
    lease.setIdleTimeoutMs(15);
    lease.release();
    await until(() => pool.stats().size === 0);
    expect(pool.stats().destroyed.evicted).toBe(1);
  });
});
