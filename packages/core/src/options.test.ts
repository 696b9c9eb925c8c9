import { describe, expect, it } from "bun:test";
import { PoolInvalidOptionError } from "./errors.ts";
import { type PoolOptions, resolveOptions } from "./options.ts";
import { Pool } from "./pool.ts";

const create = () => ({});

function invalid(options: unknown): PoolInvalidOptionError {
  try {
    new Pool(options as PoolOptions<object>);
  } catch (error) {
    expect(error).toBeInstanceOf(PoolInvalidOptionError);
    expect((error as PoolInvalidOptionError).code).toBe("POOL_INVALID_OPTION");
    return error as PoolInvalidOptionError;
  }
  throw new Error("expected the constructor to throw");
}

describe("new Pool(options)", () => {
  it("fills in documented defaults", () => {
    const o = resolveOptions({ create });
    expect(o).toMatchObject({
      min: 0,
      max: 10,
      acquireTimeoutMs: 30_000,
      idleTimeoutMs: 60_000,
      order: "lifo",
    });
  });

  it("rejects a missing or non-function create", () => {
    expect(invalid({}).option).toBe("create");
    expect(invalid({ create: 42 }).option).toBe("create");
    expect(invalid(null).option).toBe("options");
  });

  it("rejects non-function destroy and validate", () => {
    expect(invalid({ create, destroy: "x" }).option).toBe("destroy");
    expect(invalid({ create, validate: true }).option).toBe("validate");
  });

  it("rejects unknown keys, naming them", () => {
    expect(invalid({ create, maxx: 3 }).option).toBe("maxx");
  });

  // Names every object inherits: an `in` lookup finds them on Object.prototype and lets them by.
  it.each(["constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"])(
    "rejects an inherited name given as an own key: %s",
    (name) => {
      expect(invalid({ create, [name]: 5 }).option).toBe(name);
    },
  );

  it('rejects a "__proto__" own key from JSON.parse', () => {
    const options = { ...JSON.parse('{"__proto__": 1}'), create };
    expect(Object.keys(options)).toContain("__proto__");
    expect(invalid(options).option).toBe("__proto__");
  });

  it("gives no hint for a name that only looks renamed through the prototype", () => {
    const error = invalid({ create, constructor: 5 });
    expect(error.message).not.toContain("use");
  });

  it("hints at our name for another pool's option", () => {
    const error = invalid({ create, acquireTimeoutMillis: 100 });
    expect(error.option).toBe("acquireTimeoutMillis");
    expect(error.message).toContain("acquireTimeoutMs");
  });

  it("rejects negative, fractional and non-numeric sizes", () => {
    expect(invalid({ create, min: -1 }).option).toBe("min");
    expect(invalid({ create, max: 0 }).option).toBe("max");
    expect(invalid({ create, max: 1.5 }).option).toBe("max");
    expect(invalid({ create, max: "4" }).option).toBe("max");
    expect(invalid({ create, maxUses: -2 }).option).toBe("maxUses");
  });

  it("rejects min greater than max", () => {
    expect(invalid({ create, min: 5, max: 2 }).option).toBe("min");
  });

  it("rejects negative, infinite and oversized durations", () => {
    expect(invalid({ create, idleTimeoutMs: -1 }).option).toBe("idleTimeoutMs");
    expect(invalid({ create, createTimeoutMs: Number.POSITIVE_INFINITY }).option).toBe(
      "createTimeoutMs",
    );
    expect(invalid({ create, destroyTimeoutMs: Number.NaN }).option).toBe("destroyTimeoutMs");
    expect(invalid({ create, leakDetectionMs: 2 ** 40 }).option).toBe("leakDetectionMs");
  });

  it("rejects an acquire timeout of zero: an acquire must not wait forever", () => {
    expect(invalid({ create, acquireTimeoutMs: 0 }).option).toBe("acquireTimeoutMs");
  });

  it("rejects bad enums, booleans and fractions", () => {
    expect(invalid({ create, order: "random" }).option).toBe("order");
    expect(invalid({ create, failFast: "yes" }).option).toBe("failFast");
    expect(invalid({ create, maxLifetimeJitter: 1 }).option).toBe("maxLifetimeJitter");
    expect(invalid({ create, createRetryDelayMs: 500, createRetryMaxDelayMs: 100 }).option).toBe(
      "createRetryMaxDelayMs",
    );
  });

  it("rejects a retry delay of zero: a failing factory would be called in a loop", () => {
    expect(invalid({ create, createRetryDelayMs: 0 }).option).toBe("createRetryDelayMs");
  });

  it("has the defaults the README's option table documents", async () => {
    const readme = await Bun.file(new URL("../README.md", import.meta.url)).text();
    const o = resolveOptions({ create }) as unknown as Record<string, unknown>;
    let checked = 0;
    // Rows look like: | `acquireTimeoutMs` | `30000` | ... |
    for (const [, name, value] of readme.matchAll(/^\| `(\w+)` +\| `([^`]+)` +\|/gm)) {
      if (!(name! in o)) continue;
      expect(`${name}: ${JSON.stringify(o[name!])}`).toBe(`${name}: ${value}`);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(19);
  });

  it("treats an explicit undefined as the default", () => {
    const o = resolveOptions({ create, max: undefined } as unknown as PoolOptions<object>);
    expect(o.max).toBe(10);
  });
});

describe("acquire() and close() options", () => {
  it("reject unknown keys instead of ignoring a typo", async () => {
    const pool = new Pool({ create, max: 1 });
    const held = await pool.acquire();
    const error = await pool.acquire({ timeout: 50 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolInvalidOptionError);
    expect((error as PoolInvalidOptionError).option).toBe("timeout");
    const closeError = await pool.close({ timeout: 0 } as never).catch((e: unknown) => e);
    expect((closeError as PoolInvalidOptionError).option).toBe("timeout");
    expect(pool.closed).toBe(false);
    held.release();
    const nan = await pool.close({ timeoutMs: Number.NaN }).catch((e: unknown) => e);
    expect((nan as PoolInvalidOptionError).code).toBe("POOL_INVALID_OPTION");
    await pool.close();
  });

  it.each(["constructor", "toString", "__proto__"])(
    "reject an inherited name given as an own key: %s",
    async (name) => {
      const pool = new Pool({ create, max: 1 });
      const options = JSON.parse(`{"${name}": 5}`);
      const error = await pool.acquire(options).catch((e: unknown) => e);
      expect((error as PoolInvalidOptionError).option).toBe(name);
      const closeError = await pool.close(options).catch((e: unknown) => e);
      expect((closeError as PoolInvalidOptionError).option).toBe(name);
      expect(pool.closed).toBe(false);
      await pool.close();
    },
  );
});
