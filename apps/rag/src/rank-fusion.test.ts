import { describe, expect, it } from "bun:test";
import { fuseByRank, RRF_K } from "./rank-fusion.ts";

describe("fuseByRank", () => {
  it("scores each item 1 / (k + rank) per list, summed, with k = 60 by default", () => {
    const fused = fuseByRank([
      ["a", "b"],
      ["b", "c"],
    ]);
    const score = Object.fromEntries(fused.map((item) => [item.id, item.score]));
    expect(RRF_K).toBe(60);
    expect(score.a).toBeCloseTo(1 / 61, 12);
    expect(score.b).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(score.c).toBeCloseTo(1 / 62, 12);
  });

  it("ranks an item found by both lists above items found by one, even ranked first there", () => {
    const bm25 = ["only-bm25", "x", "y", "both"];
    const vector = ["only-vector", "z", "both"];
    const fused = fuseByRank([bm25, vector]);
    expect(fused[0]!.id).toBe("both");
    expect(fused[0]!.ranks).toEqual([4, 3]);
    expect(fused.slice(1, 3).map((item) => item.id)).toEqual(["only-bm25", "only-vector"]);
  });

  it("records where each list ranked an item, undefined where absent", () => {
    const fused = fuseByRank([["a"], ["b", "a"]]);
    expect(fused.find((item) => item.id === "a")!.ranks).toEqual([1, 2]);
    expect(fused.find((item) => item.id === "b")!.ranks).toEqual([undefined, 1]);
  });

  it("breaks ties by first appearance: the first list's order, then the next's", () => {
    const fused = fuseByRank([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(fused.map((item) => item.id)).toEqual(["a", "c", "b", "d"]);
  });

  it("counts a duplicate within one list at its first rank only", () => {
    const [item] = fuseByRank([["a", "a", "a"]]);
    expect(item!.score).toBeCloseTo(1 / 61, 12);
  });

  it("takes k: a small k widens the gap between the first ranks", () => {
    const fused = fuseByRank([["a", "b"]], 0);
    expect(fused.map((item) => item.score)).toEqual([1, 1 / 2]);
  });

  it("answers an empty list for no lists or empty lists", () => {
    expect(fuseByRank([])).toEqual([]);
    expect(fuseByRank([[], []])).toEqual([]);
  });

  it("refuses a negative or non-finite k", () => {
    expect(() => fuseByRank([["a"]], -1)).toThrow(RangeError);
    expect(() => fuseByRank([["a"]], Number.NaN)).toThrow(RangeError);
  });
});
