import { describe, expect, it } from "bun:test";
import { Deque } from "./deque.ts";

describe("Deque", () => {
  it("is FIFO through push/shift and LIFO through push/pop across growth", () => {
    const d = new Deque<number>();
    for (let i = 0; i < 100; i++) d.push(i);
    expect(d.length).toBe(100);
    expect(d.shift()).toBe(0);
    expect(d.pop()).toBe(99);
    expect([...d]).toEqual(Array.from({ length: 98 }, (_, i) => i + 1));
  });

  it("wraps around its ring without losing order", () => {
    const d = new Deque<number>();
    const model: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      if (i % 3 === 2) expect(d.shift()).toBe(model.shift());
      else {
        d.push(i);
        model.push(i);
      }
    }
    expect([...d]).toEqual(model);
  });

  it("returns undefined when empty", () => {
    const d = new Deque<string>();
    expect(d.shift()).toBeUndefined();
    expect(d.pop()).toBeUndefined();
    expect(d.peek()).toBeUndefined();
  });

  it("filters in place, keeping order and returning what it dropped", () => {
    const d = new Deque<number>();
    for (let i = 0; i < 10; i++) d.push(i);
    expect(d.filter((x) => x % 2 === 0)).toEqual([1, 3, 5, 7, 9]);
    expect([...d]).toEqual([0, 2, 4, 6, 8]);
  });

  it("removes one item by identity", () => {
    const d = new Deque<object>();
    const a = {};
    const b = {};
    d.push(a);
    d.push(b);
    expect(d.remove(a)).toBe(true);
    expect(d.remove(a)).toBe(false);
    expect([...d]).toEqual([b]);
  });
});
