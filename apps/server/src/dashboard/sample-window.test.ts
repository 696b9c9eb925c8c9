import { describe, expect, it } from "bun:test";
import { SampleWindow } from "./sample-window.ts";

describe("SampleWindow", () => {
  it("gives the entry before the newest as previous()", () => {
    const w = new SampleWindow<number>(5_000);
    expect(w.previous()).toBeUndefined();
    w.push(0, 1);
    expect(w.previous()).toBeUndefined();
    w.push(1_000, 2);
    expect(w.previous()).toEqual({ t: 0, value: 1 });
  });

  it("finds the newest entry at least ageMs older than the newest, else the oldest", () => {
    const w = new SampleWindow<number>(5_000);
    for (let s = 0; s <= 8; s++) w.push(s * 1_000, s);
    expect(w.since(5_000)).toEqual({ t: 3_000, value: 3 });
    expect(w.since(2_000)).toEqual({ t: 6_000, value: 6 });
    const young = new SampleWindow<number>(5_000);
    young.push(0, 0);
    young.push(1_000, 1);
    expect(young.since(5_000)).toEqual({ t: 0, value: 0 });
  });

  it("keeps its left edge but drops what is older", () => {
    const w = new SampleWindow<number>(2_000);
    for (let s = 0; s <= 100; s++) w.push(s * 1_000, s);
    // 98 (the edge, exactly 2 s back), 99, 100: nothing older survives.
    expect(w.since(60_000)).toEqual({ t: 98_000, value: 98 });
  });
});
