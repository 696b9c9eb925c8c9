import { describe, expect, it } from "bun:test";
import { HttpConnectError, HttpParseError, HttpSocketError, HttpTimeoutError } from "./errors.ts";
import { mayRetryError, mayRetryStatus, retryDelay } from "./retry.ts";

const policy = { retries: 3, retryDelayMs: 100, retryMaxDelayMs: 1_000 };

describe("retry rules", () => {
  it("retries anything that never reached the server", () => {
    const connect = new HttpConnectError("o", new Error("refused"));
    const timeout = new HttpTimeoutError("HTTP_CONNECT_TIMEOUT", "o", 10);
    for (const method of ["GET", "POST", "PATCH"]) {
      expect(mayRetryError(connect, method, false)).toBe(true);
      expect(mayRetryError(timeout, method, false)).toBe(true);
    }
  });

  it("retries a dropped connection only for idempotent methods with a replayable body", () => {
    const dropped = new HttpSocketError("o", false);
    expect(mayRetryError(dropped, "GET", true)).toBe(true);
    expect(mayRetryError(dropped, "PUT", true)).toBe(true);
    expect(mayRetryError(dropped, "PUT", false)).toBe(false);
    expect(mayRetryError(dropped, "POST", true)).toBe(false);
    expect(mayRetryError(new HttpParseError("o", "x"), "GET", true)).toBe(false);
    expect(mayRetryError(new HttpTimeoutError("HTTP_HEADERS_TIMEOUT", "o", 1), "GET", true)).toBe(
      false,
    );
  });

  it("retries 502, 503 and 504 only", () => {
    for (const status of [502, 503, 504]) expect(mayRetryStatus(status, "GET", true)).toBe(true);
    for (const status of [500, 429, 404]) expect(mayRetryStatus(status, "GET", true)).toBe(false);
    expect(mayRetryStatus(503, "POST", true)).toBe(false);
  });

  it("backs off exponentially with jitter, capped", () => {
    for (let i = 0; i < 50; i++) {
      const first = retryDelay(1, policy, null)!;
      const third = retryDelay(3, policy, null)!;
      const tenth = retryDelay(10, policy, null)!;
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      expect(third).toBeGreaterThanOrEqual(200);
      expect(third).toBeLessThanOrEqual(400);
      expect(tenth).toBeLessThanOrEqual(1_000);
    }
  });

  it("honours Retry-After under the cap and gives up above it", () => {
    expect(retryDelay(1, policy, "0")).toBe(0);
    expect(retryDelay(1, policy, "1")).toBe(1_000);
    expect(retryDelay(1, policy, "2")).toBeUndefined();
    const soon = new Date(Date.now() + 60_000).toUTCString();
    expect(retryDelay(1, policy, soon)).toBeUndefined();
  });
});
