import { describe, expect, it } from "bun:test";
import { Deadlines, type Timed } from "./deadlines.ts";

function item(name: string, log: string[]): Timed {
  return {
    deadline: 0,
    prev: undefined,
    next: undefined,
    owner: undefined,
    expire: () => log.push(name),
  };
}

describe("Deadlines", () => {
  it("expires entries in the order they were added, each about ms after", async () => {
    const log: string[] = [];
    const list = new Deadlines(40);
    const t0 = performance.now();
    list.add(item("a", log), performance.now());
    await Bun.sleep(10);
    list.add(item("b", log), performance.now());
    await Bun.sleep(20);
    expect(log).toEqual([]);
    await Bun.sleep(60);
    expect(log).toEqual(["a", "b"]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    list.clear();
  });

  it("never expires a removed entry, and unlists it from the middle", async () => {
    const log: string[] = [];
    const list = new Deadlines(20);
    const [a, b, c] = [item("a", log), item("b", log), item("c", log)];
    for (const x of [a, b, c]) list.add(x, performance.now());
    list.remove(b);
    list.remove(b); // twice is nothing
    expect([b.owner, b.prev, b.next]).toEqual([undefined, undefined, undefined]);
    await Bun.sleep(60);
    expect(log).toEqual(["a", "c"]);
  });

  it("moves a re-added entry to the back with a fresh deadline", async () => {
    const log: string[] = [];
    const list = new Deadlines(50);
    const [a, b] = [item("a", log), item("b", log)];
    list.add(a, performance.now());
    list.add(b, performance.now());
    await Bun.sleep(30);
    list.add(a, performance.now()); // refreshed: now due ~80 ms after the start
    await Bun.sleep(40);
    expect(log).toEqual(["b"]);
    await Bun.sleep(50);
    expect(log).toEqual(["b", "a"]);
  });

  it("keeps working for entries added after it emptied, and clear() drops everything", async () => {
    const log: string[] = [];
    const list = new Deadlines(20);
    list.add(item("a", log), performance.now());
    await Bun.sleep(50);
    list.add(item("b", log), performance.now());
    await Bun.sleep(50);
    expect(log).toEqual(["a", "b"]);
    list.add(item("c", log), performance.now());
    list.clear();
    await Bun.sleep(50);
    expect(log).toEqual(["a", "b"]);
  });
});
