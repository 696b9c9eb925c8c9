import { describe, expect, it } from "bun:test";
import { sleep } from "../test/helpers.ts";
import { type DeadlineEntry, DeadlineList } from "./deadline-list.ts";

class Item implements DeadlineEntry {
  deadline = 0;
  prev: DeadlineEntry | undefined = undefined;
  next: DeadlineEntry | undefined = undefined;
  owner: object | undefined = undefined;
  constructor(readonly name: string) {}
}

/** A list that records what expired, and whether it was still listed when it did. */
function recording() {
  const expired: string[] = [];
  const list = new DeadlineList<Item>((item) => {
    expect(item.owner).toBeUndefined();
    expired.push(item.name);
  });
  return { list, expired };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(2);
}

describe("DeadlineList", () => {
  it("expires each entry once, after its deadline, in deadline order", async () => {
    const { list, expired } = recording();
    const now = performance.now();
    list.add(new Item("c"), now + 30, now);
    list.add(new Item("a"), now + 5);
    list.add(new Item("b"), now + 15);
    expect(list.size).toBe(3);
    await until(() => expired.length === 3);
    expect(expired).toEqual(["a", "b", "c"]);
    expect(list.size).toBe(0);
    await sleep(40);
    expect(expired).toEqual(["a", "b", "c"]);
  });

  it("never expires a removed entry", async () => {
    const { list, expired } = recording();
    const a = new Item("a");
    const b = new Item("b");
    list.add(a, performance.now() + 5);
    list.add(b, performance.now() + 10);
    list.remove(a);
    list.remove(a); // twice: a no-op
    expect(a.owner).toBeUndefined();
    await until(() => expired.length === 1);
    await sleep(10);
    expect(expired).toEqual(["b"]);
  });

  it("keeps an entry whose deadline was pushed later past the timer armed for the earlier one", async () => {
    const { list, expired } = recording();
    const a = new Item("a");
    list.add(a, performance.now() + 5);
    list.add(a, performance.now() + 60); // the timer armed for +5 fires and re-arms
    expect(list.size).toBe(1);
    await sleep(25);
    expect(expired).toEqual([]);
    await until(() => expired.length === 1);
    expect(expired).toEqual(["a"]);
  });

  it("re-arms earlier for a deadline before the armed one", async () => {
    const { list, expired } = recording();
    list.add(new Item("late"), performance.now() + 60_000);
    list.add(new Item("soon"), performance.now() + 5);
    await until(() => expired.length === 1);
    expect(expired).toEqual(["soon"]);
    list.clear();
  });

  it("moves an entry between lists", async () => {
    const first = recording();
    const second = recording();
    const a = new Item("a");
    first.list.add(a, performance.now() + 60_000);
    second.list.add(a, performance.now() + 5);
    expect(first.list.size).toBe(0);
    expect(a.owner).toBe(second.list);
    await until(() => second.expired.length === 1);
    expect(first.expired).toEqual([]);
    first.list.clear();
  });

  it("lets onExpire add and remove entries of the same list", async () => {
    const expired: string[] = [];
    const later = new Item("later");
    const list: DeadlineList<Item> = new DeadlineList<Item>((item) => {
      expired.push(item.name);
      if (item.name === "a") {
        list.remove(later);
        list.add(new Item("added"), performance.now() + 5);
      }
    });
    const now = performance.now();
    list.add(new Item("a"), now + 5, now);
    list.add(later, now + 6, now);
    await until(() => expired.length === 2);
    await sleep(10);
    expect(expired).toEqual(["a", "added"]);
  });

  it("clear() forgets every entry without expiring it", async () => {
    const { list, expired } = recording();
    const a = new Item("a");
    list.add(a, performance.now() + 5);
    list.clear();
    expect(list.size).toBe(0);
    expect(a.owner).toBeUndefined();
    await sleep(15);
    expect(expired).toEqual([]);
  });
});

describe("DeadlineList and the process", () => {
  const modulePath = JSON.stringify(new URL("./deadline-list.ts", import.meta.url).pathname);

  async function run(body: string): Promise<{ code: number; out: string }> {
    const script = `
      import { DeadlineList } from ${modulePath};
      const item = () => ({ deadline: 0, prev: undefined, next: undefined, owner: undefined });
      ${body}
    `;
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe" });
    const killer = setTimeout(() => child.kill(), 10_000);
    const code = await child.exited;
    clearTimeout(killer);
    return { code, out: await new Response(child.stdout).text() };
  }

  it("holds the process open while an entry is listed, then lets it exit", async () => {
    const { code, out } = await run(`
      const list = new DeadlineList(() => console.log("expired"));
      list.add(item(), performance.now() + 50);
    `);
    expect({ code, out }).toEqual({ code: 0, out: "expired\n" });
  });

  it("lets the process exit once the list is empty, its timer still armed", async () => {
    const { code, out } = await run(`
      const list = new DeadlineList(() => console.log("expired"));
      const a = item();
      list.add(a, performance.now() + 600_000);
      list.remove(a);
    `);
    expect({ code, out }).toEqual({ code: 0, out: "" });
  });

  it("does not hold the process open with keepAlive: false", async () => {
    const { code, out } = await run(`
      const list = new DeadlineList(() => console.log("expired"), { keepAlive: false });
      list.add(item(), performance.now() + 600_000);
    `);
    expect({ code, out }).toEqual({ code: 0, out: "" });
  });
});
