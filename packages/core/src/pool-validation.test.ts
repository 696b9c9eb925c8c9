import { describe, expect, it } from "bun:test";
import { deferred, factory, pools, type Resource, settle, sleep, until } from "../test/helpers.ts";
import { PoolAbortedError, PoolTimeoutError } from "./errors.ts";

/** Pools made here are force-closed after each test. */
const makePool = pools();

describe("validate", () => {
  const verdicts: [string, (r: Resource) => boolean | Promise<boolean>][] = [
    ["returns false", () => false],
    [
      "throws",
      () => {
        throw new Error("dead");
      },
    ],
    ["rejects", () => Promise.reject(new Error("dead"))],
    ["resolves false", async () => false],
  ];
  for (const [name, verdict] of verdicts) {
    it(`discards the resource and creates another when it ${name}`, async () => {
      const f = factory();
      let check = (_r: Resource): boolean | Promise<boolean> => true;
      const pool = makePool({ create: f.create, destroy: f.destroy, validate: (r) => check(r) });
      const first = await pool.acquire();
      first.release();
      check = (r) => (r === first.resource ? verdict(r) : true);
      const second = await pool.acquire();
      expect(second.resource).not.toBe(first.resource);
      expect(first.resource.alive).toBe(false);
      expect(pool.stats()).toMatchObject({ validationFailures: 1, destroyed: { validation: 1 } });
      second.release();
    });
  }

  it("is skipped for a resource idle less than validateAfterIdleMs", async () => {
    let checks = 0;
    const pool = makePool({
      create: factory().create,
      validate: () => {
        checks++;
        return true;
      },
      validateAfterIdleMs: 50,
    });
    await pool.use(() => {});
    await pool.use(() => {});
    expect(checks).toBe(0);
    await sleep(60);
    await pool.use(() => {});
    expect(checks).toBe(1);
  });

  it("runs on every borrow of an idle resource when validateAfterIdleMs is 0", async () => {
    let checks = 0;
    const pool = makePool({
      create: factory().create,
      validate: async () => {
        checks++;
        return true;
      },
    });
    for (let i = 0; i < 3; i++) await pool.use(() => {});
    // The fresh resource of the first use is not validated; the next two idle borrows are.
    expect(checks).toBe(2);
  });

  it("treats a validation that hangs past validateTimeoutMs as failed", async () => {
    const f = factory();
    let hang = false;
    const pool = makePool({
      create: f.create,
      destroy: f.destroy,
      validate: () => (hang ? new Promise<boolean>(() => {}) : true),
      validateTimeoutMs: 20,
    });
    const first = await pool.acquire();
    first.release();
    hang = true;
    const pending = pool.acquire({ timeoutMs: 2_000 });
    await until(() => pool.stats().validationFailures === 1);
    hang = false;
    expect((await pending).resource).not.toBe(first.resource);
  });

  it("returns the resource to the pool when the waiter aborts during validation", async () => {
    const gate = deferred<boolean>();
    const f = factory();
    let slow = false;
    const pool = makePool({
      create: f.create,
      destroy: f.destroy,
      max: 1,
      validate: () => (slow ? gate.promise : true),
    });
    (await pool.acquire()).release();
    slow = true;
    const ac = new AbortController();
    const attempt = settle(pool.acquire({ signal: ac.signal }));
    expect(pool.stats().validating).toBe(1);
    ac.abort();
    expect((await attempt).error).toBeInstanceOf(PoolAbortedError);
    gate.resolve(true);
    await until(() => pool.stats().validating === 0);
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1, borrowed: 0 });
    expect(f.destroyed.length).toBe(0);
  });

  it("returns the resource to the pool when the waiter times out during validation", async () => {
    const gate = deferred<boolean>();
    let slow = false;
    const pool = makePool({
      create: factory().create,
      max: 1,
      validate: () => (slow ? gate.promise : true),
    });
    (await pool.acquire()).release();
    slow = true;
    const { error } = await settle(pool.acquire({ timeoutMs: 10 }));
    expect(error).toBeInstanceOf(PoolTimeoutError);
    gate.resolve(true);
    await until(() => pool.stats().idle === 1);
    slow = false;
    const lease = await pool.acquire();
    expect(lease.resource.id).toBe(0);
    lease.release();
  });

  it("does not create while an idle resource is being validated for the only waiter", async () => {
    const gate = deferred<boolean>();
    let slow = false;
    const f = factory();
    const pool = makePool({
      create: f.create,
      max: 5,
      validate: () => (slow ? gate.promise : true),
    });
    (await pool.acquire()).release();
    slow = true;
    const pending = pool.acquire();
    expect(pool.stats()).toMatchObject({ validating: 1, creating: 0 });
    gate.resolve(true);
    expect((await pending).resource.id).toBe(0);
    expect(f.made.length).toBe(1);
  });
});
