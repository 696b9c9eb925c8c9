import { describe, expect, it } from "bun:test";
import { deferred, factory, pools, type Resource, settle, sleep, until } from "../test/helpers.ts";
import {
  PoolAbortedError,
  PoolClosedError,
  PoolInvalidOptionError,
  PoolQueueFullError,
} from "./errors.ts";
import type { Lease } from "./lease.ts";

/** Pools made here are force-closed after each test. */
const makePool = pools();

describe("acquire()", () => {
  it("creates a resource on first use and reuses it after release", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    const a = await pool.acquire();
    a.release();
    const b = await pool.acquire();
    expect(b.resource).toBe(a.resource);
    b.release();
    expect(pool.stats()).toMatchObject({ created: 1, acquired: 2, reused: 1, size: 1, idle: 1 });
  });

  it("never has more than max resources existing or being created", async () => {
    const f = factory(async (n) => {
      await sleep(5);
      return { id: n, alive: true };
    });
    const pool = makePool({ create: f.create, max: 3 });
    let peak = 0;
    const work = Array.from({ length: 30 }, () =>
      pool.use(async () => {
        const s = pool.stats();
        peak = Math.max(peak, s.size + s.creating);
        await sleep(1);
      }),
    );
    await Promise.all(work);
    expect(peak).toBeLessThanOrEqual(3);
    expect(f.made.length).toBeLessThanOrEqual(3);
  });

  it("serves waiters first-come first-served", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const first = await pool.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3, 4].map((i) =>
      pool.acquire().then((lease) => {
        order.push(i);
        lease.release();
      }),
    );
    await sleep(1);
    first.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("hands a released resource directly to the oldest waiter, past a newer tryAcquire", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const lease = await pool.acquire();
    const waiting = pool.acquire();
    lease.release();
    // The resource already belongs to the waiter: it never became idle.
    expect(pool.stats().idle).toBe(0);
    expect(pool.tryAcquire()).toBeUndefined();
    expect((await waiting).resource).toBe(lease.resource);
  });

  it("does not let a newcomer take an idle resource while an earlier acquire waits", async () => {
    const gate = deferred<boolean>();
    let slow = false;
    const pool = makePool({
      create: factory().create,
      max: 2,
      validate: () => (slow ? gate.promise : true),
    });
    const [r0, r1] = await Promise.all([pool.acquire(), pool.acquire()]);
    r0!.release();
    r1!.release();
    slow = true;
    const first = pool.acquire(); // takes r1 (most recent) and waits for its validation
    expect(pool.stats()).toMatchObject({ pending: 1, validating: 1, idle: 1 });
    // r0 sits idle, but someone is queued ahead: a newcomer gets nothing.
    expect(pool.tryAcquire()).toBeUndefined();
    const third = pool.acquire();
    gate.resolve(true);
    expect((await first).resource).toBe(r1!.resource);
    expect((await third).resource).toBe(r0!.resource);
  });

  it("reuses idle resources most-recent-first by default", async () => {
    const pool = makePool({ create: factory().create, max: 3 });
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const lease of leases) lease.release();
    const next = await pool.acquire();
    expect(next.resource).toBe(leases[2]!.resource);
  });

  it("reuses idle resources least-recent-first with order: fifo", async () => {
    const pool = makePool({ create: factory().create, max: 3, order: "fifo" });
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const lease of leases) lease.release();
    const next = await pool.acquire();
    expect(next.resource).toBe(leases[0]!.resource);
  });

  it("creates only while waiters outnumber creates in flight", async () => {
    const gates = [deferred(), deferred(), deferred()];
    const f = factory(async (n) => {
      await gates[n]?.promise;
      return { id: n, alive: true };
    });
    const pool = makePool({ create: f.create, max: 10 });
    const w1 = pool.acquire();
    expect(pool.stats().creating).toBe(1);
    const w2 = pool.acquire();
    expect(pool.stats().creating).toBe(2);
    gates[0]!.resolve();
    const l1 = await w1;
    // A lease coming back serves the second waiter; the create in flight then goes idle.
    l1.release();
    const l2 = await w2;
    expect(l2.resource).toBe(l1.resource);
    expect(pool.stats().creating).toBe(1);
    gates[1]!.resolve();
    await until(() => pool.stats().creating === 0);
    expect(pool.stats()).toMatchObject({ size: 2, idle: 1, borrowed: 1 });
    gates[2]!.resolve();
  });

  it("gives a created resource to the oldest waiter, not the one that triggered it", async () => {
    const gates = [deferred(), deferred()];
    const f = factory(async (n) => {
      await gates[n]?.promise;
      return { id: n, alive: true };
    });
    const pool = makePool({ create: f.create, max: 2 });
    const first = pool.acquire();
    const second = pool.acquire();
    gates[1]!.resolve(); // the second create finishes first
    const winner = await Promise.race([first.then(() => "first"), second.then(() => "second")]);
    expect(winner).toBe("first");
    expect((await first).resource.id).toBe(1);
    gates[0]!.resolve();
    expect((await second).resource.id).toBe(0);
  });

  it("rejects at once with POOL_ABORTED when the signal is already aborted", async () => {
    const pool = makePool({ create: factory().create });
    const ac = new AbortController();
    ac.abort(new Error("nope"));
    const { error } = await settle(pool.acquire({ signal: ac.signal }));
    expect(error).toBeInstanceOf(PoolAbortedError);
    expect((error as PoolAbortedError).code).toBe("POOL_ABORTED");
    expect((error as PoolAbortedError).cause).toBe(ac.signal.reason);
  });

  it("rejects a waiter with POOL_ABORTED when its signal fires, and serves the next one", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const lease = await pool.acquire();
    const ac = new AbortController();
    const aborted = settle(pool.acquire({ signal: ac.signal }));
    const next = pool.acquire();
    ac.abort();
    const { error } = await aborted;
    expect((error as PoolAbortedError).code).toBe("POOL_ABORTED");
    expect(pool.stats().pending).toBe(1);
    lease.release();
    expect((await next).resource).toBe(lease.resource);
    expect(pool.stats().aborted).toBe(1);
  });

  it("does not leak the resource being created for a waiter that aborts", async () => {
    const gate = deferred();
    const f = factory(async (n) => {
      await gate.promise;
      return { id: n, alive: true };
    });
    const pool = makePool({ create: f.create, max: 1 });
    const ac = new AbortController();
    const attempt = settle(pool.acquire({ signal: ac.signal }));
    ac.abort();
    expect((await attempt).error).toBeInstanceOf(PoolAbortedError);
    gate.resolve();
    await until(() => pool.stats().creating === 0);
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1, borrowed: 0 });
    const lease = await pool.acquire();
    expect(lease.resource.id).toBe(0);
  });

  it("rejects with POOL_QUEUE_FULL beyond maxWaiting", async () => {
    const pool = makePool({ create: factory().create, max: 1, maxWaiting: 2 });
    const lease = await pool.acquire();
    const queued = [pool.acquire(), pool.acquire()];
    const { error } = await settle(pool.acquire());
    expect(error).toBeInstanceOf(PoolQueueFullError);
    expect((error as PoolQueueFullError).code).toBe("POOL_QUEUE_FULL");
    lease.release();
    for (const p of queued) (await p).release();
    expect(pool.stats().rejected).toBe(1);
  });

  it("does not count aborted waiters against maxWaiting", async () => {
    const pool = makePool({ create: factory().create, max: 1, maxWaiting: 2 });
    const lease = await pool.acquire();
    const ac = new AbortController();
    const gone = [
      settle(pool.acquire({ signal: ac.signal })),
      settle(pool.acquire({ signal: ac.signal })),
    ];
    ac.abort();
    await Promise.all(gone);
    const queued = [pool.acquire(), pool.acquire()]; // room again for two
    expect(pool.stats()).toMatchObject({ pending: 2, rejected: 0 });
    lease.release();
    for (const p of queued) (await p).release();
  });

  it("rejects bad per-call options with POOL_INVALID_OPTION", async () => {
    const pool = makePool({ create: factory().create });
    for (const options of [
      { timeoutMs: -1 },
      { timeoutMs: 0 },
      { timeoutMs: Number.NaN },
      { signal: {} },
    ]) {
      const { error } = await settle(pool.acquire(options as never));
      expect(error).toBeInstanceOf(PoolInvalidOptionError);
    }
  });

  it("rejects at once with POOL_CLOSED after close()", async () => {
    const pool = makePool({ create: factory().create });
    await pool.close();
    const { error } = await settle(pool.acquire());
    expect(error).toBeInstanceOf(PoolClosedError);
  });
});

describe("tryAcquire()", () => {
  it("returns undefined after close(), and the acquire() it falls back on rejects at once", async () => {
    const pool = makePool({ create: factory().create });
    (await pool.acquire()).release();
    await pool.close();
    expect(pool.tryAcquire()).toBeUndefined();
    const { error } = await settle(Promise.resolve(pool.tryAcquire() ?? pool.acquire()));
    expect(error).toBeInstanceOf(PoolClosedError);
    expect((error as PoolClosedError).code).toBe("POOL_CLOSED");
    expect(pool.stats().pending).toBe(0);
  });

  it("returns undefined from inside close(), before the idle resources are destroyed", async () => {
    const pool = makePool({ create: factory().create });
    (await pool.acquire()).release();
    let during: unknown = "not called";
    pool.on("destroy", () => {
      during = pool.tryAcquire();
    });
    await pool.close();
    expect(during).toBeUndefined();
  });

  it("returns an idle resource synchronously and undefined when none is idle", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    expect(pool.tryAcquire()).toBeUndefined(); // nothing exists yet
    (await pool.acquire()).release();
    const lease = pool.tryAcquire() as Lease<Resource>;
    expect(lease.resource.id).toBe(0);
    expect(pool.tryAcquire()).toBeUndefined();
    lease.release();
  });
});

describe("use()", () => {
  it("returns the function's value and releases the resource", async () => {
    const pool = makePool({ create: factory().create });
    expect(await pool.use((r) => r.id + 41)).toBe(41);
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
  });

  it("releases on a rejection and rethrows it unchanged", async () => {
    const pool = makePool({ create: factory().create });
    const boom = new Error("boom");
    const { error } = await settle(
      pool.use(async () => {
        await sleep(1);
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
  });

  it("releases on a synchronous throw, on the fast path and the waiting path", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const boom = new Error("sync");
    // First call waits for a create; second finds the resource idle.
    for (let i = 0; i < 2; i++) {
      const { error } = await settle(
        pool.use(() => {
          throw boom;
        }),
      );
      expect(error).toBe(boom);
      expect(pool.stats().borrowed).toBe(0);
    }
  });

  it("lets the function destroy a broken resource without a double release", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    await pool.use((_r, lease) => lease.destroy());
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0 });
    expect(f.destroyed.length).toBe(1);
  });
});
