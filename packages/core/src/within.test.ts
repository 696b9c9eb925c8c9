import { describe, expect, it } from "bun:test";
import { deferred, sleep } from "../test/helpers.ts";
import { within } from "./within.ts";

/** Whether `promise` is still pending after the current turn's microtasks and one macrotask. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await sleep(0);
  return !done;
}

describe("within()", () => {
  it("resolves when the promise resolves, before the time is up", async () => {
    const d = deferred<number>();
    const waiting = within(d.promise, 60_000);
    expect(await pending(waiting)).toBe(true);
    d.resolve(1);
    expect(await waiting).toBeUndefined();
  });

  it("resolves, never rejects, when the promise rejects", async () => {
    const d = deferred();
    const waiting = within(d.promise, 60_000);
    d.reject(new Error("boom"));
    expect(await waiting).toBeUndefined();
  });

  it("resolves when the time is up and the promise is still pending", async () => {
    const never = new Promise(() => {});
    expect(await within(never, 5)).toBeUndefined();
  });

  it("resolves at once for 0 or a negative time", async () => {
    const never = new Promise(() => {});
    expect(await pending(within(never, 0))).toBe(false);
    expect(await pending(within(never, -5))).toBe(false);
  });

  it("waits for the promise alone when the time is Infinity", async () => {
    const d = deferred();
    const waiting = within(d.promise, Number.POSITIVE_INFINITY);
    await sleep(5);
    expect(await pending(waiting)).toBe(true);
    d.resolve();
    await waiting;
  });

  it("accepts any thenable", async () => {
    const d = deferred<number>();
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is the point
    const thenable: PromiseLike<number> = { then: (ok, fail) => d.promise.then(ok, fail) };
    const waiting = within(thenable, 60_000);
    expect(await pending(waiting)).toBe(true);
    d.resolve(1);
    expect(await waiting).toBeUndefined();
  });

  it("clears its timer: a process that waited leaves nothing running", async () => {
    const script = `
      import { within } from ${JSON.stringify(new URL("./within.ts", import.meta.url).pathname)};
      await within(Promise.resolve(), 600_000);
      console.log("settled");
    `;
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe" });
    const killer = setTimeout(() => child.kill(), 10_000);
    const code = await child.exited;
    clearTimeout(killer);
    expect(await new Response(child.stdout).text()).toBe("settled\n");
    expect(code).toBe(0); // killed (a signal, not 0) if a 10-minute timer had kept it alive
  });
});
