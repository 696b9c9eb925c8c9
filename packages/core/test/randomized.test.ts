/**
 * Seeded randomized test: many pools, each driven through random interleavings of acquire,
 * release, destroy, abort, timeouts, evictions and a close, against a factory that fails, hangs
 * and succeeds at random and a validator that fails at random. After every step and at the end
 * the pool's invariants must hold. A failure prints its seed; replay it with
 * `POOL_SEED=<seed> bun test test/randomized.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { PoolError } from "../src/errors.ts";
import type { Lease } from "../src/lease.ts";
import { Pool } from "../src/pool.ts";

interface Res {
  id: number;
  destroyed: boolean;
}

/** mulberry32: tiny, fast and good enough to pick branches reproducibly. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on("unhandledRejection", onUnhandled));
afterAll(() => process.off("unhandledRejection", onUnhandled));

/** Totals over all runs, to prove the runs exercised the paths they are meant to. */
const totals = {
  acquired: 0,
  timedOut: 0,
  aborted: 0,
  createErrors: 0,
  validationFailures: 0,
  discarded: 0,
  forced: 0,
  tried: 0,
  idle: 0,
  lifetime: 0,
  evicted: 0,
  reentered: 0,
};

/**
 * One pool, random options, random actors. With `reentrant`, listeners and the validator call
 * back into the pool (evict, tryAcquire, a forced close): the pool must stay consistent when
 * user code runs in the middle of its bookkeeping.
 */
async function scenario(seed: number, reentrant: boolean): Promise<void> {
  const r = rng(seed);
  const max = r.int(1, 5);
  let nextId = 0;
  const returned: Res[] = []; // every resource the factory handed over
  const hung: ((value: Res) => void)[] = [];
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) failures.push(what);
  };

  const validator = r.chance(0.5)
    ? undefined
    : (res: Res) => {
        check(!res.destroyed, `validated a destroyed resource ${res.id}`);
        if (reentrant && r.chance(0.1)) reenter(res);
        const roll = r.next();
        if (roll < 0.1) return false;
        if (roll < 0.15) throw new Error("validate threw");
        if (roll < 0.2) return Promise.reject(new Error("validate rejected"));
        if (roll < 0.25) return new Promise<boolean>(() => {}); // hangs: validateTimeoutMs
        if (roll < 0.5) return sleep(r.int(0, 4)).then(() => r.chance(0.9));
        return true;
      };

  const pool = new Pool<Res>({
    ...(validator ? { validate: validator } : {}),
    max,
    min: r.int(0, max),
    acquireTimeoutMs: r.int(5, 40),
    createTimeoutMs: r.int(5, 30),
    destroyTimeoutMs: r.int(5, 20),
    idleTimeoutMs: r.pick([0, 2, 5, 20]),
    evictionIntervalMs: r.pick([1, 2, 5]),
    maxLifetimeMs: r.pick([0, 10, 30]),
    maxUses: r.pick([0, 1, 3]),
    order: r.pick(["lifo", "fifo"] as const),
    failFast: r.chance(0.3),
    createRetryDelayMs: r.int(1, 5),
    createRetryMaxDelayMs: 10,
    validateAfterIdleMs: r.pick([0, 2]),
    validateTimeoutMs: 10,
    closeTimeoutMs: 30,
    maxWaiting: r.pick([0, 0, 4]),
    create: (signal) => {
      const make = (): Res => {
        const res = { id: nextId++, destroyed: false };
        returned.push(res);
        return res;
      };
      const roll = r.next();
      if (roll < 0.1) throw new Error("sync create failure");
      if (roll < 0.2) return Promise.reject(new Error("async create failure"));
      if (roll < 0.25) {
        // Hangs, ignoring the signal; resolved at the very end, after close.
        return new Promise<Res>((resolve) => hung.push(() => resolve(make())));
      }
      if (roll < 0.3) {
        // Hangs until aborted, then fails like a well-behaved client.
        return new Promise<Res>((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        );
      }
      if (roll < 0.6) return make();
      return sleep(r.int(0, 8)).then(make);
    },
    destroy: (res) => {
      check(!res.destroyed, `destroyed resource ${res.id} twice`);
      res.destroyed = true;
      const roll = r.next();
      if (roll < 0.1) throw new Error("sync destroy failure");
      if (roll < 0.2) return Promise.reject(new Error("async destroy failure"));
      if (roll < 0.25) return new Promise(() => {}); // hangs: destroyTimeoutMs
      if (roll < 0.5) return sleep(r.int(0, 3));
      return undefined;
    },
  });
  pool.on("destroyError", () => {});
  pool.on("createError", () => {});

  // What the pool has lent and not had back, as its own events tell it.
  const lent = new Set<Res>();
  // Listeners run inside the pool's bookkeeping, so only what holds at every instant is checked
  // there; the full set is checked between steps.
  const always = (where: string) => {
    const s = pool.stats();
    check(
      s.size + s.creating <= max,
      `${where}: size ${s.size} + creating ${s.creating} > max ${max}`,
    );
    check(s.created - s.destroyed.total === s.size, `${where}: created - destroyed != size`);
    check(
      s.pending >= 0 && s.creating >= 0 && s.borrowed >= 0 && s.validating >= 0 && s.idle >= 0,
      `${where}: negative counts`,
    );
  };
  const invariants = (where: string) => {
    always(where);
    const s = pool.stats();
    check(
      s.size === s.idle + s.borrowed + s.validating,
      `${where}: size != idle + borrowed + validating`,
    );
    check(
      s.borrowed === lent.size,
      `${where}: pool says ${s.borrowed} borrowed, events say ${lent.size}`,
    );
  };
  // User code calling back into the pool from inside its bookkeeping.
  function reenter(res: Res) {
    totals.reentered++;
    const roll = r.next();
    if (roll < 0.5) pool.evict(res);
    else if (roll < 0.8 && !pool.closed) pool.tryAcquire()?.release();
    else if (roll < 0.82) void pool.close({ timeoutMs: 0 });
    else if (returned.length > 0) pool.evict(r.pick(returned));
  }
  pool.on("create", (res) => {
    always("on create");
    if (reentrant && r.chance(0.1)) reenter(res);
  });
  pool.on("destroy", (res) => {
    check(!lent.has(res) || pool.closed, `destroyed resource ${res.id} while lent`);
    if (pool.closed) lent.delete(res); // a forced close takes leases back without a release
    always("on destroy");
    if (reentrant && r.chance(0.05)) reenter(res);
  });
  pool.on("acquire", (res) => {
    check(!lent.has(res), `resource ${res.id} lent twice at once`);
    check(!res.destroyed, `lent destroyed resource ${res.id}`);
    lent.add(res);
    always("on acquire");
    if (reentrant && r.chance(0.05)) reenter(res);
  });
  pool.on("release", (res) => {
    check(lent.delete(res), `released resource ${res.id} that was not lent`);
    always("on release");
    if (reentrant && r.chance(0.1)) reenter(res);
  });

  const settled: Promise<unknown>[] = [];
  const actor = async () => {
    for (let step = r.int(1, 8); step > 0; step--) {
      const ac = r.chance(0.15) ? new AbortController() : undefined;
      const options = r.chance(0.5)
        ? { ...(ac ? { signal: ac.signal } : {}), timeoutMs: r.int(1, 30) }
        : ac
          ? { signal: ac.signal }
          : undefined;
      if (ac && r.chance(0.3)) ac.abort();
      else if (ac) setTimeout(() => ac.abort(), r.int(0, 10));
      if (r.chance(0.1)) {
        // The synchronous door and the callback door, besides acquire().
        if (r.chance(0.5) && !pool.closed) {
          const tried = pool.tryAcquire();
          if (tried) {
            totals.tried++;
            check(
              !tried.resource.destroyed,
              `tryAcquire gave destroyed resource ${tried.resource.id}`,
            );
            if (r.chance(0.3)) tried.destroy();
            else tried.release();
          }
        } else {
          const used = pool.use(async (res, lease) => {
            check(!res.destroyed, `use() gave destroyed resource ${res.id}`);
            await sleep(r.int(0, 3));
            if (r.chance(0.1) && !lease.released) lease.destroy();
            if (r.chance(0.2)) throw new Error("work failed");
          }, options);
          settled.push(used.catch(() => {}));
          await used.catch(() => {});
        }
        continue;
      }
      let lease: Lease<Res> | undefined;
      const attempt = pool.acquire(options);
      settled.push(attempt.catch(() => {}));
      try {
        lease = await attempt;
      } catch (error) {
        check(error instanceof PoolError, `acquire rejected with a non-PoolError: ${error}`);
        continue;
      }
      // A forced close may revoke the lease between its resolution and this line.
      check(
        lease.released || !lease.resource.destroyed,
        `got destroyed resource ${lease.resource.id}`,
      );
      invariants("after acquire");
      await sleep(r.int(0, 6));
      if (r.chance(0.1)) pool.evict(lease.resource);
      if (r.chance(0.1) && returned.length > 0) pool.evict(r.pick(returned)); // maybe idle
      if (r.chance(0.2) && !lease.released) lease.setIdleTimeoutMs(r.pick([0, 1, 3, 10]));
      if (lease.released) {
        totals.forced++; // taken back by a forced close()
        continue;
      }
      if (r.chance(0.2)) lease.destroy();
      else lease.release();
      if (r.chance(0.05)) {
        try {
          lease.release();
          check(false, "second release did not throw");
        } catch (error) {
          check(
            (error as PoolError).code === "POOL_ALREADY_RELEASED",
            "second release threw the wrong error",
          );
        }
      }
      invariants("after release");
      // Now and then a pause, so resources idle long enough to be swept.
      if (r.chance(0.2)) await sleep(r.int(3, 15));
    }
  };

  const actors = Array.from({ length: r.int(2, 10) }, () => actor());
  await sleep(r.int(0, 40));
  // Often forced (0), so close() meets creates, validations and leases mid-flight.
  const grace = r.pick([0, 0, 5, 20, undefined]);
  const closing = pool.close(grace === undefined ? undefined : { timeoutMs: grace });
  await Promise.all(actors);
  await closing;
  // Every acquire settled (close rejects whatever still waited).
  const all = await Promise.race([
    Promise.allSettled(settled).then(() => true),
    sleep(2_000).then(() => false),
  ]);
  check(all, "an acquire never settled");
  const s = pool.stats();
  for (const key of [
    "acquired",
    "timedOut",
    "aborted",
    "createErrors",
    "validationFailures",
    "discarded",
  ] as const) {
    totals[key] += s[key];
  }
  totals.idle += s.destroyed.idle;
  totals.lifetime += s.destroyed.lifetime;
  totals.evicted += s.destroyed.evicted;
  check(
    s.size === 0 && s.borrowed === 0 && s.pending === 0 && s.creating === 0 && s.validating === 0,
    `not empty after close: ${JSON.stringify(s)}`,
  );
  // Factories that ignored their signal finish now; what they return must be destroyed on arrival.
  for (const resolve of hung) resolve({ id: -1, destroyed: false });
  await sleep(1);
  const leaked = returned.filter((res) => !res.destroyed).map((res) => res.id);
  check(leaked.length === 0, `resources never destroyed: ${leaked.join(",")}`);
  if (failures.length > 0) {
    throw new Error(`seed ${seed}: ${[...new Set(failures)].slice(0, 5).join("; ")}`);
  }
}

describe("randomized interleavings", () => {
  const replay = process.env.POOL_SEED !== undefined;
  const base = Number(process.env.POOL_SEED ?? Date.now() % 1_000_000);
  const runs = replay ? 1 : Number(process.env.POOL_RUNS ?? 1_500);
  // Runs overlap to finish sooner; a replay runs alone, so it sees the same random choices
  // (timers still make the exact interleaving vary from run to run).
  const concurrency = replay ? 1 : 8;

  for (const reentrant of [false, true]) {
    const what = reentrant ? "with callbacks re-entering the pool" : "from the outside";
    it(`keeps every invariant over ${runs} seeded runs ${what} (base seed ${base})`, async () => {
      for (const key of Object.keys(totals)) totals[key as keyof typeof totals] = 0;
      const errors: string[] = [];
      for (let i = 0; i < runs; i += concurrency) {
        const batch = [];
        for (let j = i; j < Math.min(runs, i + concurrency); j++) {
          const seed = base + j;
          batch.push(scenario(seed, reentrant).catch((error: Error) => errors.push(error.message)));
        }
        await Promise.all(batch);
      }
      if (errors.length > 0) {
        console.error(`replay with POOL_SEED=<seed>${reentrant ? "" : ""}:\n${errors.join("\n")}`);
      }
      expect(errors).toEqual([]);
      expect(unhandled).toEqual([]);
      if (process.env.POOL_DEBUG) console.log(reentrant, JSON.stringify(totals));
      if (runs >= 100) {
        for (const [key, n] of Object.entries(totals)) {
          if (key === "reentered" && !reentrant) continue;
          if (n === 0) throw new Error(`no run exercised ${key}: the scenario lost its teeth`);
        }
      }
    }, 120_000);
  }
});
