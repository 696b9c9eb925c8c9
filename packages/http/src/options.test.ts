import { describe, expect, it } from "bun:test";
import { PoolInvalidOptionError } from "@pool/core";
import { closeOptions, type HttpPoolOptions, resolveOptions, SOCKET_ONLY } from "./options.ts";

function invalid(options: unknown): PoolInvalidOptionError {
  try {
    resolveOptions(options as HttpPoolOptions);
  } catch (error) {
    return error as PoolInvalidOptionError;
  }
  throw new Error("accepted");
}

describe("resolveOptions", () => {
  it("fills in the defaults", () => {
    const o = resolveOptions({ origin: "http://127.0.0.1:8080" });
    expect(o.origins.map((u) => u.origin)).toEqual(["http://127.0.0.1:8080"]);
    expect([o.transport, o.connections, o.keepAliveTimeoutMs, o.retries]).toEqual([
      "socket",
      10,
      4_000,
      0,
    ]);
    expect([o.headersTimeoutMs, o.bodyTimeoutMs, o.connectTimeoutMs]).toEqual([
      300_000, 300_000, 10_000,
    ]);
  });

  it("refuses unknown keys, with a hint for names other clients use", () => {
    const e = invalid({ origin: "http://a", keepAliveTimeout: 5 });
    expect(e).toBeInstanceOf(PoolInvalidOptionError);
    expect(e.code).toBe("POOL_INVALID_OPTION");
    expect(e.option).toBe("keepAliveTimeout");
    expect(e.message).toContain("keepAliveTimeoutMs");
    expect(invalid({ origin: "http://a", bogus: 1 }).option).toBe("bogus");
  });

  it("refuses every socket-only option on the fetch transport", () => {
    for (const key of SOCKET_ONLY) {
      const e = invalid({ origin: "http://a", transport: "fetch", [key]: 1 });
      expect(e.code).toBe("POOL_INVALID_OPTION");
      expect(e.option).toBe(key);
    }
    expect(
      resolveOptions({ origin: "http://a", transport: "fetch", keepAliveTimeoutMs: 1_000 })
        .transport,
    ).toBe("fetch");
  });

  it("names the bad field for bad values", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ origin: "http://a", connections: 0 }, "connections"],
      [{ origin: "http://a", connections: 1.5 }, "connections"],
      [{ origin: "http://a", headersTimeoutMs: -1 }, "headersTimeoutMs"],
      [{ origin: "http://a", acquireTimeoutMs: 0 }, "acquireTimeoutMs"],
      [{ origin: "http://a", retries: -1 }, "retries"],
      [{ origin: "http://a", transport: "tcp" }, "transport"],
      [{ origin: "http://a", tls: { ca: 5 } }, "tls.ca"],
      [{ origin: "http://a", tls: { cert: "x" } }, "tls.cert"],
      [{ origins: ["http://a"], healthCheck: { path: "nope" } }, "healthCheck.path"],
      [{ origins: ["http://a"], healthCheck: { every: 1 } }, "healthCheck.every"],
      [{ origin: "http://a", healthCheck: { path: "/health" } }, "healthCheck"],
      [{ origin: "ftp://a" }, "origin"],
      [{ origin: "http://a/path" }, "origin"],
      [{ origin: "not a url" }, "origin"],
      [{ origins: [] }, "origins"],
      [{ origins: ["http://a", "http://a/"] }, "origins"],
      [{ origin: "http://a", origins: ["http://b"] }, "origin"],
      [{}, "origin"],
    ];
    for (const [options, option] of cases) expect(invalid(options).option).toBe(option);
    expect(invalid(null).option).toBe("options");
  });
});

/** Names every object inherits, and an own `"__proto__"` key as JSON.parse makes one. */
const INHERITED: Array<[string, () => Record<string, unknown>]> = [
  ...["constructor", "toString", "valueOf", "hasOwnProperty"].map(
    (name): [string, () => Record<string, unknown>] => [name, () => ({ [name]: 5 })],
  ),
  ["__proto__", () => JSON.parse('{"__proto__": 1}')],
];

describe("unknown options named like Object's own members", () => {
  for (const [name, make] of INHERITED) {
    it(`refuses ${name} among the pool options, on either transport`, () => {
      for (const transport of ["socket", "fetch"]) {
        const e = invalid({ origin: "http://a", transport, ...make() });
        expect(e).toBeInstanceOf(PoolInvalidOptionError);
        expect([e.code, e.option]).toEqual(["POOL_INVALID_OPTION", name]);
      }
    });

    it(`refuses ${name} inside tls and healthCheck`, () => {
      const tls = invalid({ origin: "http://a", tls: make() });
      expect([tls.code, tls.option]).toEqual(["POOL_INVALID_OPTION", `tls.${name}`]);
      const health = invalid({ origins: ["http://a"], healthCheck: make() });
      expect([health.code, health.option]).toEqual(["POOL_INVALID_OPTION", `healthCheck.${name}`]);
    });

    it(`refuses ${name} among the close options`, () => {
      const error = closeOptions(make(), 30_000);
      expect(error).toBeInstanceOf(PoolInvalidOptionError);
      expect((error as PoolInvalidOptionError).option).toBe(name);
    });
  }

  it("reads own options only, never inherited ones", () => {
    const o = resolveOptions(
      Object.assign(Object.create({ origins: ["http://b"], connections: 99 }), {
        origin: "http://a",
      }),
    );
    expect([o.origins.map((u) => u.origin), o.balanced, o.connections]).toEqual([
      ["http://a"],
      false,
      10,
    ]);
    expect(closeOptions(Object.create({ timeoutMs: 5 }), 30_000)).toEqual({
      timeoutMs: 30_000,
      signal: undefined,
    });
  });
});
