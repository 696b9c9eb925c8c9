import { afterAll, describe, expect, it } from "bun:test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as here from "./index.ts";

type Core = typeof here;

// A second copy of the package, as an app gets when two of its dependencies bring their own:
// the source tree copied to another directory, imported from there.
const copyDir = mkdtempSync(join(tmpdir(), "pool-core-copy-"));
cpSync(new URL(".", import.meta.url).pathname, join(copyDir, "src"), { recursive: true });
const copied: Core = await import(join(copyDir, "src", "index.ts"));
// And a second instance of errors.ts alone, as two bundles that each inlined it would have.
const secondInstance = "./errors.ts?second-instance"; // a variable: tsc cannot resolve a query
const reloaded: Pick<Core, "PoolError" | "PoolTimeoutError" | "PoolClosedError"> = await import(
  secondInstance
);

afterAll(() => rmSync(copyDir, { recursive: true, force: true }));

const snapshot = { size: 1, borrowed: 1, idle: 0, pending: 1, creating: 0 };

describe("PoolError across copies of the package", () => {
  it("has really been loaded twice", () => {
    expect(copied.PoolError).not.toBe(here.PoolError);
    expect(reloaded.PoolError).not.toBe(here.PoolError);
  });

  it.each([
    ["a copied package directory", copied],
    ["a second instance of errors.ts", reloaded],
  ] as const)("recognises the base class and a subclass from %s", (_, other) => {
    const timeout = new other.PoolTimeoutError("p", 10, snapshot);
    expect(timeout instanceof here.PoolError).toBe(true);
    expect(timeout instanceof here.PoolTimeoutError).toBe(true);
    expect(timeout instanceof here.PoolClosedError).toBe(false);
    const mine = new here.PoolClosedError("p");
    expect(mine instanceof other.PoolError).toBe(true);
    expect(mine instanceof other.PoolClosedError).toBe(true);
    expect(mine instanceof other.PoolTimeoutError).toBe(false);
  });

  it("keeps the code, the name and Error's own identity", () => {
    const error = new copied.PoolInvalidOptionError("max", "must be a positive integer");
    expect(error instanceof here.PoolInvalidOptionError).toBe(true);
    expect(error instanceof Error).toBe(true);
    expect(error.code).toBe("POOL_INVALID_OPTION");
    expect(error.name).toBe("PoolInvalidOptionError");
  });

  it.each([
    ["an Error", new Error("x")],
    ["an Error with a code", Object.assign(new Error("x"), { code: "POOL_TIMEOUT" })],
    ["a plain object", { code: "POOL_CLOSED" }],
    ["null", null],
    ["a string", "POOL_CLOSED"],
    ["undefined", undefined],
  ])("does not take %s for one", (_, value) => {
    expect(value instanceof here.PoolError).toBe(false);
    expect(value instanceof here.PoolClosedError).toBe(false);
  });
});

describe("brandErrorClass()", () => {
  /** A downstream package's error family, defined once per copy of that package. */
  function downstream(core: Core) {
    class AppError extends core.PoolError {}
    class AppTimeoutError extends AppError {}
    core.brandErrorClass(AppError, "@test/app.AppError");
    core.brandErrorClass(AppTimeoutError, "@test/app.AppTimeoutError");
    return { AppError, AppTimeoutError };
  }

  it("makes a downstream subclass recognised across copies", () => {
    const a = downstream(here);
    const b = downstream(copied);
    const error = new b.AppTimeoutError("APP_TIMEOUT", "slow");
    expect(error instanceof a.AppTimeoutError).toBe(true);
    expect(error instanceof a.AppError).toBe(true);
    expect(error instanceof here.PoolError).toBe(true);
    expect(new a.AppError("APP", "x") instanceof b.AppTimeoutError).toBe(false);
    expect(new here.PoolClosedError("p") instanceof a.AppError).toBe(false);
  });

  it("leaves an unbranded subclass to the ordinary prototype check", () => {
    class Unbranded extends here.PoolError {}
    class Other extends here.PoolError {}
    expect(new Unbranded("X", "x") instanceof Unbranded).toBe(true);
    expect(new Other("X", "x") instanceof Unbranded).toBe(false);
    expect(new here.PoolError("X", "x") instanceof Unbranded).toBe(false);
    expect(new Unbranded("X", "x") instanceof copied.PoolError).toBe(true);
  });
});
