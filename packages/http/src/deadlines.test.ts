import { describe, expect, it } from "bun:test";
import { eventually } from "../test/helpers.ts";
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

// `add` takes the clock reading from its caller: a reading in the past makes an entry due at the
// list's next timer, one a minute ahead keeps it listed for the whole test. No test depends on
// how late a timer fires.
const PAST = () => performance.now() - 60_000;
const FUTURE = () => performance.now() + 60_000;

describe("Deadlines", () => {
  it("expires due entries in the order they were added", async () => {
    const log: string[] = [];
    const list = new Deadlines(10);
    list.add(item("a", log), PAST());
    list.add(item("b", log), PAST());
    await eventually(() => log.length === 2);
    expect(log).toEqual(["a", "b"]);
    list.clear();
  });

  it("keeps an entry that is not due yet while expiring the due ones before it", async () => {
    const log: string[] = [];
    const list = new Deadlines(10);
    list.add(item("due", log), PAST());
    list.add(item("later", log), FUTURE());
    await eventually(() => log.length === 1);
    await Bun.sleep(30);
    expect(log).toEqual(["due"]);
    list.clear();
  });

  it("never expires a removed entry, and unlists it from the middle", async () => {
    const log: string[] = [];
    const list = new Deadlines(10);
    const [a, b, c] = [item("a", log), item("b", log), item("c", log)];
    for (const x of [a, b, c]) list.add(x, PAST());
    list.remove(b);
    list.remove(b); // twice is nothing
    expect([b.owner, b.prev, b.next]).toEqual([undefined, undefined, undefined]);
    await eventually(() => log.length === 2);
    await Bun.sleep(30);
    expect(log).toEqual(["a", "c"]);
  });

  it("moves a re-added entry to the back with its new deadline", async () => {
    const log: string[] = [];
    const list = new Deadlines(10);
    const [a, b] = [item("a", log), item("b", log)];
    list.add(a, PAST());
    list.add(b, PAST());
    list.add(a, FUTURE()); // refreshed: no longer due
    await eventually(() => log.length === 1);
    await Bun.sleep(30);
    expect(log).toEqual(["b"]);
    expect(a.owner).toBe(list);
    list.clear();
  });

  it("keeps working for entries added after it emptied, and clear() drops everything", async () => {
    const log: string[] = [];
    const list = new Deadlines(10);
    list.add(item("a", log), PAST());
    await eventually(() => log.length === 1);
    list.add(item("b", log), PAST());
    await eventually(() => log.length === 2);
    const c = item("c", log);
    list.add(c, PAST());
    list.clear();
    expect(c.owner).toBeUndefined();
    await Bun.sleep(30);
    expect(log).toEqual(["a", "b"]);
  });
});
