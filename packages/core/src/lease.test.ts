import { afterEach, describe, expect, it } from "bun:test";
import { factory, type Resource } from "../test/helpers.ts";
import { PoolAlreadyReleasedError, PoolInvalidOptionError } from "./errors.ts";
import { Pool } from "./pool.ts";

const pools: Pool<Resource>[] = [];
function makePool() {
  const f = factory();
  const pool = new Pool<Resource>({ create: f.create, destroy: f.destroy, max: 2 });
  pools.push(pool);
  return { pool, f };
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close({ timeoutMs: 0 })));
});

describe("Lease", () => {
  it("throws POOL_ALREADY_RELEASED on a second release", async () => {
    const { pool } = makePool();
    const lease = await pool.acquire();
    lease.release();
    expect(lease.released).toBe(true);
    try {
      lease.release();
      throw new Error("expected a throw");
    } catch (error) {
      expect(error).toBeInstanceOf(PoolAlreadyReleasedError);
      expect((error as PoolAlreadyReleasedError).code).toBe("POOL_ALREADY_RELEASED");
    }
    expect(() => lease.destroy()).toThrow(PoolAlreadyReleasedError);
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1, size: 1 });
  });

  it("a stale lease cannot release the resource's next borrow", async () => {
    const { pool } = makePool();
    const first = await pool.acquire();
    first.release();
    const second = await pool.acquire();
    expect(second.resource).toBe(first.resource);
    expect(() => first.release()).toThrow(PoolAlreadyReleasedError);
    expect(pool.stats().borrowed).toBe(1);
    second.release();
  });

  it("releases at the end of an await using block, even on throw", async () => {
    const { pool } = makePool();
    await expect(
      (async () => {
        await using lease = await pool.acquire();
        expect(lease.released).toBe(false);
        throw new Error("inside");
      })(),
    ).rejects.toThrow("inside");
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
  });

  it("releases at the end of a using block", async () => {
    const { pool } = makePool();
    {
      using lease = await pool.acquire();
      expect(lease.resource.alive).toBe(true);
    }
    expect(pool.stats().borrowed).toBe(0);
  });

  it("disposing a lease already released is a no-op", async () => {
    const { pool } = makePool();
    {
      await using lease = await pool.acquire();
      lease.release();
    }
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1, acquired: 1 });
  });

  it("destroy() removes the resource instead of returning it", async () => {
    const { pool, f } = makePool();
    const lease = await pool.acquire();
    lease.destroy();
    expect(lease.resource.alive).toBe(false);
    expect(pool.stats()).toMatchObject({ size: 0, destroyed: { released: 1 } });
    expect(f.destroyed).toEqual([lease.resource]);
  });

  it("a released lease cannot set the idle timeout of the resource's next borrow", async () => {
    const { pool } = makePool();
    const lease = await pool.acquire();
    lease.release();
    expect(() => lease.setIdleTimeoutMs(1)).toThrow(PoolAlreadyReleasedError);
    const next = await pool.acquire();
    expect(next.resource).toBe(lease.resource);
    next.release();
  });

  it("rejects a negative idle timeout", async () => {
    const { pool } = makePool();
    const lease = await pool.acquire();
    expect(() => lease.setIdleTimeoutMs(-1)).toThrow(PoolInvalidOptionError);
    lease.release();
  });
});
