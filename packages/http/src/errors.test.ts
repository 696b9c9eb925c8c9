import { describe, expect, it } from "bun:test";
import { PoolError } from "@pool/core";
import * as here from "./errors.ts";

// A second instance of errors.ts, as two copies of @pool/http in one app (or two bundles that
// each inlined it) would have.
const secondInstance = "./errors.ts?second-instance"; // a variable: tsc cannot resolve a query
const other: typeof here = await import(secondInstance);

describe("HttpError across copies of the package", () => {
  it("has really been loaded twice", () => {
    expect(other.HttpError).not.toBe(here.HttpError);
  });

  it("recognises each class, and only it, from the other copy", () => {
    const theirs = new other.HttpTimeoutError("HTTP_HEADERS_TIMEOUT", "http://a", 10);
    expect(theirs instanceof here.HttpTimeoutError).toBe(true);
    expect(theirs instanceof here.HttpError).toBe(true);
    expect(theirs instanceof PoolError).toBe(true);
    expect(theirs instanceof here.HttpSocketError).toBe(false);
    const mine = new here.HttpSocketError("http://a", false);
    expect(mine instanceof other.HttpSocketError).toBe(true);
    expect(mine instanceof other.HttpError).toBe(true);
    expect(mine instanceof other.HttpConnectError).toBe(false);
    expect(new PoolError("POOL_CLOSED", "x") instanceof here.HttpError).toBe(false);
    expect({ code: "HTTP_PARSE_ERROR" } instanceof here.HttpParseError).toBe(false);
  });
});
