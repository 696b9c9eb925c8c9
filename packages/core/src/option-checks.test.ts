import { describe, expect, it } from "bun:test";
import { PoolInvalidOptionError } from "./errors.ts";
import {
  checkBoolean,
  checkCount,
  checkDurationMs,
  checkEnum,
  MAX_DELAY_MS,
  unknownOption,
} from "./option-checks.ts";

/** The error `fn` throws, checked by class and code. */
function thrown(fn: () => unknown): PoolInvalidOptionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PoolInvalidOptionError);
    expect((error as PoolInvalidOptionError).code).toBe("POOL_INVALID_OPTION");
    return error as PoolInvalidOptionError;
  }
  throw new Error("expected a throw");
}

const KNOWN: ReadonlySet<string> = new Set(["path", "readers"]);

describe("unknownOption()", () => {
  it("returns undefined when every own key is known", () => {
    expect(unknownOption({ path: "a", readers: 2 }, KNOWN, "")).toBeUndefined();
  });

  it("returns (not throws) the error naming the first unknown key", () => {
    const error = unknownOption({ path: "a", readerz: 2 }, KNOWN, "");
    expect(error).toBeInstanceOf(PoolInvalidOptionError);
    expect(error?.option).toBe("readerz");
  });

  it.each(["constructor", "toString", "valueOf", "hasOwnProperty"])(
    "refuses an inherited name given as an own key: %s",
    (name) => {
      expect(unknownOption({ [name]: 5 }, KNOWN, "")?.option).toBe(name);
    },
  );

  it('refuses a "__proto__" own key from JSON.parse', () => {
    const options = JSON.parse('{"__proto__": 1}');
    expect(unknownOption(options, KNOWN, "")?.option).toBe("__proto__");
  });

  it("ignores inherited keys: only own keys are options", () => {
    const options = Object.create({ inherited: 1 });
    options.path = "a";
    expect(unknownOption(options, KNOWN, "")).toBeUndefined();
  });

  it("hints at our name for a renamed option, never for an inherited name", () => {
    const hinted = unknownOption({ filename: "a" }, KNOWN, "", { filename: "path" });
    expect(hinted?.option).toBe("filename");
    expect(hinted?.message).toContain("path");
    const inherited = unknownOption({ constructor: 1 }, KNOWN, "", { filename: "path" });
    expect(inherited?.message).not.toContain("use");
  });
});

describe("checkDurationMs()", () => {
  it("returns a duration in [0, MAX_DELAY_MS]", () => {
    expect(checkDurationMs(0, "idleTimeoutMs")).toBe(0);
    expect(checkDurationMs(2.5, "idleTimeoutMs")).toBe(2.5);
    expect(checkDurationMs(MAX_DELAY_MS, "idleTimeoutMs")).toBe(MAX_DELAY_MS);
  });

  it.each([-1, MAX_DELAY_MS + 1, Number.NaN, Number.POSITIVE_INFINITY, "5", null, undefined, 5n])(
    "throws naming the option for %p",
    (value) => {
      expect(thrown(() => checkDurationMs(value, "idleTimeoutMs")).option).toBe("idleTimeoutMs");
    },
  );

  it("refuses 0 only when positive", () => {
    expect(thrown(() => checkDurationMs(0, "t", { positive: true })).option).toBe("t");
    expect(checkDurationMs(1, "t", { positive: true })).toBe(1);
  });

  it("is the setTimeout limit", () => {
    expect(MAX_DELAY_MS).toBe(2 ** 31 - 1);
  });
});

describe("checkCount()", () => {
  it("returns non-negative safe integers", () => {
    expect(checkCount(0, "maxWaiting")).toBe(0);
    expect(checkCount(7, "maxWaiting")).toBe(7);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 53, "3", null, undefined])(
    "throws naming the option for %p",
    (value) => {
      expect(thrown(() => checkCount(value, "maxWaiting")).option).toBe("maxWaiting");
    },
  );

  it("refuses 0 only when positive", () => {
    expect(thrown(() => checkCount(0, "max", { positive: true })).option).toBe("max");
    expect(checkCount(1, "max", { positive: true })).toBe(1);
  });
});

describe("checkEnum()", () => {
  it("returns one of the allowed values", () => {
    const order: "lifo" | "fifo" = checkEnum("fifo", "order", ["lifo", "fifo"]);
    expect(order).toBe("fifo");
  });

  it.each(["random", "LIFO", "", 1, undefined, null])(
    "throws naming the option for %p",
    (value) => {
      expect(thrown(() => checkEnum(value, "order", ["lifo", "fifo"])).option).toBe("order");
    },
  );

  it("does not accept a name from Array.prototype", () => {
    expect(thrown(() => checkEnum("length", "order", ["lifo"])).option).toBe("order");
  });
});

describe("checkBoolean()", () => {
  it("returns true and false", () => {
    expect(checkBoolean(true, "strict")).toBe(true);
    expect(checkBoolean(false, "strict")).toBe(false);
  });

  it.each(["false", 0, 1, null, undefined])("throws naming the option for %p", (value) => {
    expect(thrown(() => checkBoolean(value, "strict")).option).toBe("strict");
  });
});
