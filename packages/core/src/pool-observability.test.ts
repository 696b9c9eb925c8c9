import { describe, expect, it } from "bun:test";
import { factory, pools, type Resource, sleep, until } from "../test/helpers.ts";
import type { DestroyReason, LeakReport } from "./events.ts";

/** Pools made here are force-closed after each test. */
const makePool = pools();

describe("leakDetectionMs", () => {
  it("reports a lease held too long with the stack of the code that acquired it", async () => {
    const reports: LeakReport<Resource>[] = [];
    const pool = makePool({ create: factory().create, leakDetectionMs: 20 });
    pool.on("leak", (report) => reports.push(report));
    async function borrowAndForget() {
      return pool.acquire();
    }
    const lease = await borrowAndForget();
    await until(() => reports.length === 1);
    expect(reports[0]!.resource).toBe(lease.resource);
    expect(reports[0]!.heldMs).toBeGreaterThanOrEqual(20);
    expect(reports[0]!.stack).toContain("borrowAndForget");
    expect(pool.stats().leaksDetected).toBe(1);
    await sleep(50);
    expect(reports.length).toBe(1); // reported once per lease
    lease.release();
  });

  it("does not report leases returned in time", async () => {
    const reports: unknown[] = [];
    const pool = makePool({ create: factory().create, leakDetectionMs: 30 });
    pool.on("leak", (r) => reports.push(r));
    for (let i = 0; i < 10; i++) await pool.use(() => sleep(5));
    await sleep(50);
    expect(reports).toEqual([]);
  });

  it("is off by default: the fast path captures no stack", async () => {
    const pool = makePool({ create: factory().create });
    const original = Error.captureStackTrace;
    let captures = 0;
    Error.captureStackTrace = (...args: Parameters<typeof original>) => {
      captures++;
      return original(...args);
    };
    try {
      (await pool.acquire()).release();
      for (let i = 0; i < 10; i++) (await pool.acquire()).release();
    } finally {
      Error.captureStackTrace = original;
    }
    expect(captures).toBe(0);
  });
});

describe("the fast path", () => {
  it("arms no timer and reads no clock when a resource is idle and nobody waits", async () => {
    const pool = makePool({ create: factory().create });
    (await pool.acquire()).release(); // the first acquire waits for a create
    const realSetTimeout = globalThis.setTimeout;
    const realNow = performance.now;
    let timers = 0;
    let clocks = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers++;
      return realSetTimeout(...args);
    }) as typeof setTimeout;
    performance.now = () => {
      clocks++;
      return realNow.call(performance);
    };
    try {
      for (let i = 0; i < 10; i++) (await pool.acquire()).release();
      for (let i = 0; i < 10; i++) await pool.use(() => {});
    } finally {
      globalThis.setTimeout = realSetTimeout;
      performance.now = realNow;
    }
    expect({ timers, clocks }).toEqual({ timers: 0, clocks: 0 });
    expect(pool.stats().acquired).toBe(21);
  });
});

describe("console fallbacks", () => {
  it("warns about a leak and a failed destroy when nobody listens", async () => {
    const warnings: unknown[][] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const pool = makePool({
        create: factory().create,
        destroy: () => {
          throw new Error("destroy failed");
        },
        leakDetectionMs: 10,
      });
      const lease = await pool.acquire();
      await until(() => pool.stats().leaksDetected === 1);
      lease.destroy();
    } finally {
      console.warn = original;
    }
    expect(warnings.length).toBe(2);
    expect(String(warnings[0]![1])).toContain("Lease acquired at:");
    expect((warnings[1]![1] as Error).message).toBe("destroy failed");
  });
});

describe("events", () => {
  it("emits create, acquire, release and destroy with the resource and reason", async () => {
    const log: string[] = [];
    const pool = makePool({ create: factory().create });
    pool.on("create", (r) => log.push(`create ${r.id}`));
    pool.on("acquire", (r) => log.push(`acquire ${r.id}`));
    pool.on("release", (r) => log.push(`release ${r.id}`));
    pool.on("destroy", (r, reason: DestroyReason) => log.push(`destroy ${r.id} ${reason}`));
    const lease = await pool.acquire();
    lease.release();
    (await pool.acquire()).destroy();
    expect(log).toEqual([
      "create 0",
      "acquire 0",
      "release 0",
      "acquire 0",
      "release 0",
      "destroy 0 released",
    ]);
  });

  it("stops calling a listener after off() or the returned unsubscribe", async () => {
    const pool = makePool({ create: factory().create });
    let a = 0;
    let b = 0;
    const listenerA = () => a++;
    pool.on("acquire", listenerA);
    const offB = pool.on("acquire", () => b++);
    await pool.use(() => {});
    pool.off("acquire", listenerA);
    offB();
    await pool.use(() => {});
    expect([a, b]).toEqual([1, 1]);
  });

  it("survives a listener that throws", async () => {
    const pool = makePool({ create: factory().create });
    const original = console.error;
    console.error = () => {};
    try {
      pool.on("acquire", () => {
        throw new Error("bad listener");
      });
      expect(await pool.use((r) => r.id)).toBe(0);
    } finally {
      console.error = original;
    }
    expect(pool.stats().borrowed).toBe(0);
  });
});

describe("stats()", () => {
  it("is a plain snapshot that does not change afterwards", async () => {
    const pool = makePool({ create: factory().create });
    const before = pool.stats();
    await pool.use(() => {});
    expect(before.acquired).toBe(0);
    expect(pool.stats().acquired).toBe(1);
    expect(JSON.parse(JSON.stringify(before))).toEqual(before);
  });

  it("counts waits, with immediate acquires as zero", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const lease = await pool.acquire(); // waited for a create
    const waiting = pool.acquire();
    await sleep(30);
    lease.release();
    (await waiting).release();
    (await pool.acquire()).release(); // immediate
    const { wait } = pool.stats();
    expect(wait.count).toBe(3);
    expect(wait.maxMs).toBeGreaterThanOrEqual(25);
    expect(wait.p50Ms).toBeLessThan(25);
    expect(wait.meanMs).toBeGreaterThan(5);
  });

  it("includes a wait that ended in the same synchronous run, before any await", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const lease = await pool.acquire(); // waited for a create
    const waiting = pool.acquire();
    lease.release(); // handed straight to the waiter
    expect(pool.stats().wait.count).toBe(2);
    (await waiting).release();
    expect(pool.stats().wait.count).toBe(2);
  });

  it("measures a wait that spans synchronous work from the acquire to the caller resuming", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const lease = await pool.acquire();
    const waiting = pool.acquire();
    await Promise.resolve(); // a later run: the waiter has been dated
    const end = performance.now() + 30;
    while (performance.now() < end) {}
    lease.release();
    (await waiting).release();
    expect(pool.stats().wait.maxMs).toBeGreaterThanOrEqual(25);
  });

  it("separates pending waiters from creates in flight", async () => {
    const pool = makePool({
      create: () => new Promise<Resource>(() => {}),
      max: 2,
      createTimeoutMs: 0,
    });
    void pool.acquire({ timeoutMs: 1_000 }).catch(() => {});
    void pool.acquire({ timeoutMs: 1_000 }).catch(() => {});
    void pool.acquire({ timeoutMs: 1_000 }).catch(() => {});
    expect(pool.stats()).toMatchObject({ pending: 3, creating: 2, size: 0 });
  });
});
