import { describe, expect, it } from "bun:test";
import { backoffMs } from "./backoff.ts";

describe("backoffMs()", () => {
  it("doubles per attempt, between half and all of the delay", () => {
    for (const [attempt, capped] of [
      [1, 100],
      [2, 200],
      [3, 400],
    ] as const) {
      expect(backoffMs(attempt, 100, 5_000, () => 0)).toBe(capped / 2);
      expect(backoffMs(attempt, 100, 5_000, () => 0.999999)).toBeCloseTo(capped, 2);
    }
  });

  it("is capped at maxMs", () => {
    expect(backoffMs(10, 100, 5_000, () => 0)).toBe(2_500);
    expect(backoffMs(10, 100, 5_000, () => 0.999999)).toBeCloseTo(5_000, 1);
  });

  it("stays finite for a huge attempt count", () => {
    expect(backoffMs(10_000, 100, 5_000, () => 0.5)).toBe(3_750);
  });

  it("treats attempt 0 and below as the first", () => {
    expect(backoffMs(0, 100, 5_000, () => 0)).toBe(50);
    expect(backoffMs(-3, 100, 5_000, () => 0)).toBe(50);
  });

  it("jitters with Math.random by default, within the bounds", () => {
    const delays = Array.from({ length: 200 }, () => backoffMs(3, 100, 5_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...delays)).toBeLessThanOrEqual(400);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});
