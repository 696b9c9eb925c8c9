import { describe, expect, it } from "bun:test";
import { Histogram } from "./histogram.ts";

describe("Histogram", () => {
  it("reports zeros when empty", () => {
    expect(new Histogram().snapshot()).toEqual({
      count: 0,
      meanMs: 0,
      p50Ms: 0,
      p99Ms: 0,
      maxMs: 0,
    });
  });

  it("estimates percentiles within the bucket resolution", () => {
    const h = new Histogram();
    for (let i = 1; i <= 1_000; i++) h.record(i); // 1..1000 ms
    const s = h.snapshot();
    expect(s.count).toBe(1_000);
    expect(s.meanMs).toBeCloseTo(500.5, 5);
    expect(s.maxMs).toBe(1_000);
    expect(Math.abs(s.p50Ms - 500) / 500).toBeLessThan(0.07);
    expect(Math.abs(s.p99Ms - 990) / 990).toBeLessThan(0.07);
  });

  it("is exact below 32 microseconds and counts batched zeros", () => {
    const h = new Histogram();
    h.recordZeros(98);
    h.record(0.005);
    h.record(0.02);
    const s = h.snapshot();
    expect(s.count).toBe(100);
    expect(s.p50Ms).toBe(0);
    expect(s.p99Ms).toBe(0.005);
    expect(s.maxMs).toBe(0.02);
  });

  it("clamps huge and negative values instead of overflowing", () => {
    const h = new Histogram();
    h.record(-5);
    h.record(1e12);
    const s = h.snapshot();
    expect(s.count).toBe(2);
    expect(s.maxMs).toBe(1e12);
    expect(Number.isFinite(s.p99Ms)).toBe(true);
  });
});
