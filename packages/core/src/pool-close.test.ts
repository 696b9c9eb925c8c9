import { describe, expect, it } from "bun:test";
import { deferred, factory, pools, type Resource, settle, sleep, until } from "../test/helpers.ts";
import { PoolClosedError } from "./errors.ts";
import { Pool } from "./pool.ts";

/** Pools made here are force-closed after each test. */
const makePool = pools();

describe("close()", () => {
  it("destroys idle resources and resolves", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    const leases = await Promise.all([pool.acquire(), pool.acquire()]);
    for (const lease of leases) lease.release();
    await pool.close();
    expect(f.live).toBe(0);
    expect(pool.stats()).toMatchObject({ size: 0, destroyed: { closed: 2 } });
  });

  it("rejects pending waiters with POOL_CLOSED", async () => {
    const pool = makePool({ create: factory().create, max: 1 });
    const lease = await pool.acquire();
    const waiting = settle(pool.acquire());
    const closing = pool.close();
    const { error } = await waiting;
    expect(error).toBeInstanceOf(PoolClosedError);
    expect((error as PoolClosedError).code).toBe("POOL_CLOSED");
    lease.release();
    await closing;
  });

  it("waits for borrowed leases, then destroys them on release", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    const lease = await pool.acquire();
    let closed = false;
    const closing = pool.close().then(() => {
      closed = true;
    });
    await sleep(20);
    expect(closed).toBe(false);
    expect(lease.resource.alive).toBe(true);
    lease.release();
    await closing;
    expect(lease.resource.alive).toBe(false);
  });

  it("destroys leases still borrowed after its timeout and makes their release a no-op", async () => {
    const f = factory();
    const pool = makePool({ create: f.create, destroy: f.destroy });
    const lease = await pool.acquire();
    await pool.close({ timeoutMs: 20 });
    expect(lease.resource.alive).toBe(false);
    expect(lease.released).toBe(true);
    expect(() => lease.release()).not.toThrow();
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0 });
  });

  it("is idempotent: every call returns the same promise", async () => {
    const pool = makePool({ create: factory().create });
    const a = pool.close();
    const b = pool.close();
    expect(a).toBe(b);
    await a;
    expect(pool.closed).toBe(true);
  });

  it("aborts creates in flight and destroys what they return", async () => {
    const gate = deferred<Resource>();
    const signals: AbortSignal[] = [];
    const destroyed: Resource[] = [];
    const pool = makePool({
      create: (signal) => {
        signals.push(signal);
        return gate.promise;
      },
      destroy: (r) => {
        destroyed.push(r);
      },
    });
    const waiting = settle(pool.acquire());
    const closing = pool.close();
    expect(signals[0]!.aborted).toBe(true);
    expect((await waiting).error).toBeInstanceOf(PoolClosedError);
    const late = { id: 1, alive: true };
    gate.resolve(late);
    await closing;
    expect(destroyed).toEqual([late]);
    expect(pool.stats()).toMatchObject({ discarded: 1, created: 0 });
  });

  it("does not wait forever for a create that ignores its abort signal", async () => {
    const pool = makePool({ create: () => new Promise<Resource>(() => {}), createTimeoutMs: 30 });
    void settle(pool.acquire());
    const start = performance.now();
    await pool.close();
    expect(performance.now() - start).toBeLessThan(5_000);
  });

  it("waits for async destroys to finish", async () => {
    let finished = 0;
    const pool = makePool({
      create: factory().create,
      destroy: async () => {
        await sleep(15);
        finished++;
      },
    });
    (await pool.acquire()).release();
    await pool.close();
    expect(finished).toBe(1);
  });

  it("stops background work: no create, sweep or retry after it", async () => {
    let calls = 0;
    const pool = makePool({
      create: () => {
        calls++;
        throw new Error("down");
      },
      min: 2,
      idleTimeoutMs: 5,
      createRetryDelayMs: 5,
      createRetryMaxDelayMs: 5,
    });
    await until(() => calls > 0);
    await pool.close();
    const after = calls;
    await sleep(40);
    expect(calls).toBe(after);
  });

  it("works through await using", async () => {
    const f = factory();
    {
      await using pool = new Pool<Resource>({ create: f.create, destroy: f.destroy });
      (await pool.acquire()).release();
    }
    expect(f.live).toBe(0);
  });
});

describe("process lifetime", () => {
  it("lets a process with an idle pool exit, and keeps one with a pending acquire alive", async () => {
    const script = (body: string) => `
      import { Pool } from ${JSON.stringify(`${import.meta.dir}/index.ts`)};
      const pool = new Pool({ create: () => ({}), min: 1, max: 1, idleTimeoutMs: 60_000, leakDetectionMs: 60_000, maxLifetimeMs: 60_000 });
      ${body}
    `;
    const run = async (body: string) => {
      const proc = Bun.spawn([process.execPath, "-e", script(body)], {
        stdout: "pipe",
        stderr: "pipe",
      });
      const timer = setTimeout(() => proc.kill(), 3_000);
      const code = await proc.exited;
      clearTimeout(timer);
      return { code, out: await new Response(proc.stdout).text() };
    };
    // Idle pool with every background timer armed: the process ends by itself.
    const idle = await run(`(await pool.acquire()).release(); process.stdout.write("done\\n");`);
    expect(idle).toEqual({ code: 0, out: "done\n" });
    // A pending acquire (max reached) holds the process until its 300 ms timeout rejects it.
    const pending = await run(`
      const held = await pool.acquire({ timeoutMs: 60_000 });
      const start = performance.now();
      pool.acquire({ timeoutMs: 300 }).catch((e) => process.stdout.write(\`\${e.code} \${performance.now() - start >= 250}\\n\`));
    `);
    expect(pending.out).toBe("POOL_TIMEOUT true\n");
  }, 10_000);
});
