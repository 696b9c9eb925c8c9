import { describe, expect, it } from "bun:test";
import { PoolInvalidOptionError } from "@pool/core";
import { thrownBy } from "../test/helpers.ts";
import { isMemoryPath, resolveSqliteOptions, type SqlitePoolOptions } from "./options.ts";

function invalid(options: unknown): PoolInvalidOptionError {
  const error = thrownBy(() => resolveSqliteOptions(options as SqlitePoolOptions));
  expect(error).toBeInstanceOf(PoolInvalidOptionError);
  expect(error.code).toBe("POOL_INVALID_OPTION");
  return error as PoolInvalidOptionError;
}

describe("resolveSqliteOptions", () => {
  it("fills in the documented defaults", () => {
    const o = resolveSqliteOptions({ path: "app.db" });
    expect(o).toMatchObject({
      create: true,
      workers: 0,
      busyTimeoutMs: 5000,
      transactionTimeoutMs: 30000,
      acquireTimeoutMs: 30000,
      statementCacheSize: 128,
      strict: true,
      safeIntegers: false,
      idleTimeoutMs: 60000,
      validateAfterIdleMs: 10000,
      maxLifetimeMs: 0,
      closeTimeoutMs: 30000,
      workerQueryTimeoutMs: 0,
      name: "sqlite",
      memory: false,
    });
    expect(o.readers).toBeGreaterThanOrEqual(2);
    expect(o.readers).toBeLessThanOrEqual(8);
  });

  it("rejects unknown keys, naming them, with a hint for renamed ones", () => {
    expect(invalid({ path: "a.db", bogus: 1 }).option).toBe("bogus");
    const renamed = invalid({ path: "a.db", busyTimeout: 10 });
    expect(renamed.option).toBe("busyTimeout");
    expect(renamed.message).toContain("busyTimeoutMs");
  });

  it.each(["constructor", "toString", "valueOf", "hasOwnProperty"])(
    "rejects an inherited name given as an own key, without a hint: %s",
    (name) => {
      const error = invalid({ path: "a.db", [name]: 5 });
      expect(error.option).toBe(name);
      expect(error.message).not.toContain("use");
    },
  );

  it('rejects a "__proto__" own key from JSON.parse', () => {
    const options = { ...JSON.parse('{"__proto__": 1}'), path: "a.db" };
    expect(invalid(options).option).toBe("__proto__");
  });

  // `readonly` is not our `readers` (read-only connections); a wrong hint is worse than none.
  it("gives no misleading hint for readonly", () => {
    const error = invalid({ path: "a.db", readonly: true });
    expect(error.option).toBe("readonly");
    expect(error.message).not.toContain("readers");
  });

  it("treats a pragma named like an Object method as a pragma name, not an owned one", () => {
    expect(resolveSqliteOptions({ path: "a.db", pragmas: { constructor: 1 } }).pragmas).toEqual({
      constructor: 1,
    });
  });

  it("rejects wrong types and out-of-range values, naming the field", () => {
    expect(invalid(null).option).toBe("options");
    expect(invalid({}).option).toBe("path");
    expect(invalid({ path: "a.db", readers: 0 }).option).toBe("readers");
    expect(invalid({ path: "a.db", workers: 1.5 }).option).toBe("workers");
    expect(invalid({ path: "a.db", busyTimeoutMs: -1 }).option).toBe("busyTimeoutMs");
    expect(invalid({ path: "a.db", acquireTimeoutMs: 0 }).option).toBe("acquireTimeoutMs");
    expect(invalid({ path: "a.db", transactionTimeoutMs: Number.NaN }).option).toBe(
      "transactionTimeoutMs",
    );
    expect(invalid({ path: "a.db", strict: "yes" }).option).toBe("strict");
    expect(invalid({ path: "a.db", statementCacheSize: -1 }).option).toBe("statementCacheSize");
    expect(invalid({ path: "a.db", migrations: "create table t(x)" }).option).toBe("migrations");
    expect(invalid({ path: "a.db", migrations: ["ok", 3] }).option).toBe("migrations[1]");
  });

  it("rejects pragmas the pool owns and malformed ones", () => {
    expect(invalid({ path: "a.db", pragmas: { journal_mode: "DELETE" } }).option).toBe(
      "pragmas.journal_mode",
    );
    expect(invalid({ path: "a.db", pragmas: { busy_timeout: 1 } }).option).toBe(
      "pragmas.busy_timeout",
    );
    expect(invalid({ path: "a.db", pragmas: { "x; drop table t": 1 } }).option).toBe(
      "pragmas.x; drop table t",
    );
    expect(invalid({ path: "a.db", pragmas: { cache_size: "1; drop table t" } }).option).toBe(
      "pragmas.cache_size",
    );
    expect(
      resolveSqliteOptions({ path: "a.db", pragmas: { cache_size: -2000, temp_store: "MEMORY" } })
        .pragmas,
    ).toEqual({
      cache_size: -2000,
      temp_store: "MEMORY",
    });
  });

  it("refuses workers for an in-memory database", () => {
    expect(invalid({ path: ":memory:", workers: 1 }).option).toBe("workers");
    expect(resolveSqliteOptions({ path: ":memory:" }).memory).toBe(true);
  });
});

describe("isMemoryPath", () => {
  it("recognises private in-memory databases", () => {
    expect(isMemoryPath(":memory:")).toBe(true);
    expect(isMemoryPath("")).toBe(true);
    expect(isMemoryPath("file:x?mode=memory")).toBe(true);
    expect(isMemoryPath("memory.db")).toBe(false);
  });
});
