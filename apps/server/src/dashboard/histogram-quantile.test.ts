import { describe, expect, it } from "bun:test";
import { histogramQuantile } from "./histogram-quantile.ts";

const INF = Number.POSITIVE_INFINITY;

describe("histogramQuantile", () => {
  it("interpolates inside the bucket that holds the rank, as Prometheus does", () => {
    const buckets = [
      { le: 0.01, count: 0 },
      { le: 0.1, count: 10 },
      { le: 1, count: 10 },
      { le: INF, count: 10 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.055, 10);
    expect(histogramQuantile(1, buckets)).toBeCloseTo(0.1, 10);
  });

  it("starts the first bucket at zero", () => {
    expect(
      histogramQuantile(0.5, [
        { le: 2, count: 4 },
        { le: INF, count: 4 },
      ]),
    ).toBe(1);
  });

  it("answers the last finite bound for ranks in +Inf", () => {
    const buckets = [
      { le: 1, count: 1 },
      { le: 10, count: 1 },
      { le: INF, count: 100 },
    ];
    expect(histogramQuantile(0.99, buckets)).toBe(10);
  });

  it("answers null for an empty histogram", () => {
    expect(
      histogramQuantile(0.5, [
        { le: 1, count: 0 },
        { le: INF, count: 0 },
      ]),
    ).toBeNull();
    expect(histogramQuantile(0.5, [])).toBeNull();
  });
});
