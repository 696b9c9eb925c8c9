import { describe, expect, it } from "bun:test";
import { factory, pools, type Resource, settle, sleep, until } from "../test/helpers.ts";
import { PoolCreateError, PoolTimeoutError } from "./errors.ts";

/** Pools made here are force-closed after each test. */
const makePool = pools();

const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

describe("when create fails", () => {
  it("rejects waiters at their timeout with the last create error as cause", async () => {
    let calls = 0;
    const pool = makePool({
      create: () => {
        calls++;
        throw refused();
      },
      acquireTimeoutMs: 100,
      createRetryDelayMs: 10,
    });
    const { error } = await settle(pool.acquire());
    expect(error).toBeInstanceOf(PoolTimeoutError);
    const cause = (error as PoolTimeoutError).cause as { code: string };
    expect(cause.code).toBe("ECONNREFUSED");
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect(calls).toBeGreaterThan(1); // it retried
  });

  it("retries with exponential backoff, not in a hot loop", async () => {
    const times: number[] = [];
    const pool = makePool({
      create: async () => {
        times.push(performance.now());
        throw refused();
      },
      acquireTimeoutMs: 400,
      createRetryDelayMs: 20,
      createRetryMaxDelayMs: 1_000,
    });
    await settle(pool.acquire());
    // Delays of about 10-20, 20-40, 40-80, 80-160 ms fit in 400 ms: a handful, not thousands.
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(8);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!);
  });

  it("keeps retrying for later waiters and recovers when the factory does", async () => {
    let failing = true;
    const f = factory((n) => {
      if (failing) throw refused();
      return { id: n, alive: true };
    });
    const pool = makePool({ create: f.create, acquireTimeoutMs: 2_000, createRetryDelayMs: 5 });
    const waiting = pool.acquire();
    await until(() => pool.stats().createErrors >= 2);
    failing = false;
    const lease = await waiting;
    expect(lease.resource.alive).toBe(true);
    lease.release();
  });

  it("stops retrying when nobody needs a resource", async () => {
    let calls = 0;
    const pool = makePool({
      create: () => {
        calls++;
        throw refused();
      },
      acquireTimeoutMs: 30,
      createRetryDelayMs: 5,
      createRetryMaxDelayMs: 10,
    });
    await settle(pool.acquire());
    const after = calls;
    await sleep(80);
    expect(calls - after).toBeLessThanOrEqual(1);
  });

  it("with failFast rejects waiters with POOL_CREATE_FAILED as soon as creation fails", async () => {
    const pool = makePool({
      create: async () => {
        await sleep(5);
        throw refused();
      },
      failFast: true,
      acquireTimeoutMs: 10_000,
      createRetryDelayMs: 500,
    });
    const start = performance.now();
    const [a, b] = await Promise.all([settle(pool.acquire()), settle(pool.acquire())]);
    expect(performance.now() - start).toBeLessThan(5_000);
    for (const { error } of [a, b]) {
      expect(error).toBeInstanceOf(PoolCreateError);
      expect((error as PoolCreateError).code).toBe("POOL_CREATE_FAILED");
      expect(((error as PoolCreateError).cause as { code: string }).code).toBe("ECONNREFUSED");
    }
    // While backing off, a new acquire fails at once instead of queueing.
    const { error } = await settle(pool.acquire());
    expect((error as PoolCreateError).code).toBe("POOL_CREATE_FAILED");
    expect(pool.stats().rejected).toBe(3);
  });

  it("with failFast tries again once the backoff has passed", async () => {
    let failing = true;
    const pool = makePool({
      create: (): Resource => {
        if (failing) throw refused();
        return { id: 1, alive: true };
      },
      failFast: true,
      createRetryDelayMs: 10,
      createRetryMaxDelayMs: 10,
    });
    expect((await settle(pool.acquire())).error).toBeInstanceOf(PoolCreateError);
    failing = false;
    await sleep(20);
    const lease = await pool.acquire();
    expect(lease.resource.id).toBe(1);
    lease.release();
  });

  it("with failFast does not reject while leases that could come back are out", async () => {
    let failing = false;
    const pool = makePool({
      create: (): Resource => {
        if (failing) throw refused();
        return { id: 1, alive: true };
      },
      max: 2,
      failFast: true,
      createRetryDelayMs: 500,
    });
    const held = await pool.acquire();
    failing = true;
    const waiting = pool.acquire({ timeoutMs: 2_000 }); // its create fails; `held` is still out
    await until(() => pool.stats().createErrors === 1);
    held.release();
    expect((await waiting).resource).toBe(held.resource);
  });

  it("with failFast passes a create timeout on as POOL_CREATE_TIMEOUT", async () => {
    const pool = makePool({
      create: () => new Promise<Resource>(() => {}),
      createTimeoutMs: 10,
      failFast: true,
    });
    const { error } = await settle(pool.acquire({ timeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(PoolCreateError);
    expect((error as PoolCreateError).code).toBe("POOL_CREATE_TIMEOUT");
  });

  it("stops backing off as soon as a create succeeds", async () => {
    let n = 0;
    const pool = makePool({
      create: async (): Promise<Resource> => {
        const id = n++;
        await sleep(5);
        if (id === 0) throw refused();
        return { id, alive: true };
      },
      max: 3,
      failFast: true,
      createRetryDelayMs: 1_000,
      createRetryMaxDelayMs: 1_000,
    });
    const [a, b] = [pool.acquire(), pool.acquire()]; // create 0 fails, create 1 succeeds
    expect((await a).resource.id).toBe(1);
    // The factory works again: no failFast rejection, and no one-second wait for the next one.
    const start = performance.now();
    const c = await pool.acquire();
    expect(performance.now() - start).toBeLessThan(500);
    expect(pool.stats().rejected).toBe(0);
    (await b).release();
    c.release();
  });

  it("handles a synchronous throw, a rejection and a rejected thenable alike", async () => {
    const kinds = [
      () => {
        throw refused();
      },
      () => Promise.reject(refused()),
      // A hand-rolled thenable, as some older client libraries return.
      // biome-ignore lint/suspicious/noThenProperty: the point of the case
      () => ({ then: (_: unknown, reject: (e: unknown) => void) => reject(refused()) }),
    ];
    for (const create of kinds) {
      const pool = makePool({
        create: create as never,
        acquireTimeoutMs: 20,
        createRetryDelayMs: 5,
      });
      const { error } = await settle(pool.acquire());
      expect(((error as PoolTimeoutError).cause as { code: string }).code).toBe("ECONNREFUSED");
    }
  });

  it("emits createError for each failure", async () => {
    const seen: unknown[] = [];
    const pool = makePool({
      create: () => {
        throw refused();
      },
      acquireTimeoutMs: 60,
      createRetryDelayMs: 5,
      createRetryMaxDelayMs: 5,
    });
    pool.on("createError", (e) => seen.push(e));
    await settle(pool.acquire());
    expect(seen.length).toBe(pool.stats().createErrors);
    expect(seen.length).toBeGreaterThan(1);
  });

  it("rejects a factory that hands back a resource already in the pool", async () => {
    const shared = { id: 7, alive: true };
    const pool = makePool({
      create: () => shared,
      max: 2,
      acquireTimeoutMs: 50,
      createRetryDelayMs: 5,
    });
    const first = await pool.acquire();
    const { error } = await settle(pool.acquire());
    const cause = (error as PoolTimeoutError).cause;
    expect(cause).toBeInstanceOf(PoolCreateError);
    expect((cause as PoolCreateError).code).toBe("POOL_CREATE_FAILED");
    expect(shared.alive).toBe(true);
    first.release();
  });
});

describe("min", () => {
  it("keeps min resources warm and refills after one is destroyed", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy, min: 2, max: 4 });
    await until(() => pool.stats().idle === 2);
    (await pool.acquire()).destroy();
    await until(() => pool.stats().size === 2 && pool.stats().creating === 0);
    expect(f.made.length).toBe(3);
  });

  it("refills in the background after a failing factory recovers", async () => {
    let failing = true;
    const pool = makePool({
      create: (): Resource => {
        if (failing) throw refused();
        return { id: 0, alive: true };
      },
      min: 1,
      createRetryDelayMs: 5,
      createRetryMaxDelayMs: 10,
    });
    await until(() => pool.stats().createErrors > 0);
    failing = false;
    await until(() => pool.stats().idle === 1);
  });
});
