import { describe, expect, it } from "bun:test";
import { callOptionsParser } from "./call-options.ts";
import { PoolInvalidOptionError } from "./errors.ts";
import { MAX_DELAY_MS } from "./option-checks.ts";

const acquire = callOptionsParser("acquire");
const close = callOptionsParser("close", { keys: ["timeoutMs"], zeroTimeout: true });
const query = callOptionsParser("query", { keys: ["signal"] });

/** The error a parser returned, checked by class and code. */
function refused(result: unknown): PoolInvalidOptionError {
  expect(result).toBeInstanceOf(PoolInvalidOptionError);
  expect((result as PoolInvalidOptionError).code).toBe("POOL_INVALID_OPTION");
  return result as PoolInvalidOptionError;
}

describe("callOptionsParser()", () => {
  it("fills in the fallback when options or timeoutMs are missing", () => {
    expect(acquire(undefined, 500)).toEqual({ timeoutMs: 500, signal: undefined });
    expect(acquire({}, 500)).toEqual({ timeoutMs: 500, signal: undefined });
    expect(acquire({ timeoutMs: undefined }, 500)).toEqual({ timeoutMs: 500, signal: undefined });
  });

  it("passes a good timeoutMs and signal through", () => {
    const signal = new AbortController().signal;
    expect(acquire({ timeoutMs: 20, signal }, 500)).toEqual({ timeoutMs: 20, signal });
  });

  it("returns the error rather than throwing it", () => {
    expect(refused(acquire({ timeout: 5 }, 500)).option).toBe("timeout");
  });

  it.each([null, 5, "fast"])("refuses %p as the options object", (options) => {
    expect(refused(acquire(options, 500)).option).toBe("options");
  });

  it.each([-1, 0, Number.NaN, MAX_DELAY_MS + 1, "10"])(
    "refuses timeoutMs %p where 0 is not allowed",
    (timeoutMs) => {
      expect(refused(acquire({ timeoutMs }, 500)).option).toBe("timeoutMs");
    },
  );

  it("accepts timeoutMs 0 where allowed (close: do not wait)", () => {
    expect(close({ timeoutMs: 0 }, 500)).toEqual({ timeoutMs: 0, signal: undefined });
    expect(refused(close({ timeoutMs: -1 }, 500)).option).toBe("timeoutMs");
  });

  it("refuses keys outside the method's own set", () => {
    expect(refused(close({ signal: new AbortController().signal })).option).toBe("signal");
    expect(refused(query({ timeoutMs: 5 })).option).toBe("timeoutMs");
  });

  it.each(["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"])(
    "refuses an inherited name given as an own key: %s",
    (name) => {
      expect(refused(acquire(JSON.parse(`{"${name}": 5}`), 500)).option).toBe(name);
    },
  );

  it("reads own values only, never inherited ones", () => {
    const signal = new AbortController().signal;
    expect(acquire(Object.create({ timeoutMs: 5, signal }), 500)).toEqual({
      timeoutMs: 500,
      signal: undefined,
    });
    expect(close(Object.create({ timeoutMs: 5 }), 30_000)).toEqual({
      timeoutMs: 30_000,
      signal: undefined,
    });
  });

  it("refuses a signal that is not one, accepts one from anywhere that behaves like one", () => {
    expect(refused(query({ signal: {} })).option).toBe("signal");
    expect(refused(query({ signal: null })).option).toBe("signal");
    const lookalike = { aborted: false, addEventListener() {}, removeEventListener() {} };
    expect(query({ signal: lookalike })).toEqual({ timeoutMs: 0, signal: lookalike as never });
  });

  it("leaves an already aborted signal to the caller", () => {
    const signal = AbortSignal.abort();
    expect(query({ signal })).toEqual({ timeoutMs: 0, signal });
  });
});
