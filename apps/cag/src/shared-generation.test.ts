import { describe, expect, it } from "bun:test";
import { SharedGeneration } from "./shared-generation.ts";

/** A generation the test drives by hand. */
function controlled() {
  let emit!: (text: string) => void;
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  let signal!: AbortSignal;
  const generation = new SharedGeneration<string>((s, e) => {
    signal = s;
    emit = e;
    return new Promise<string>((resolve, reject) => {
      finish = resolve;
      fail = reject;
      s.addEventListener("abort", () => reject(s.reason));
    });
  });
  return {
    generation,
    emit: (t: string) => emit(t),
    finish: (v: string) => finish(v),
    fail: (e: Error) => fail(e),
    signal: () => signal,
  };
}

describe("SharedGeneration.join", () => {
  it("gives every member the outcome, and a late member the pieces so far", async () => {
    const g = controlled();
    const early: string[] = [];
    const a = g.generation.join(undefined, (t) => early.push(t));
    await Bun.sleep(0);
    g.emit("one ");
    const late: string[] = [];
    const b = g.generation.join(undefined, (t) => late.push(t));
    g.emit("two");
    g.finish("one two");
    expect(await a).toBe("one two");
    expect(await b).toBe("one two");
    expect(early).toEqual(["one ", "two"]);
    expect(late).toEqual(["one ", "two"]);
    expect(g.generation.members).toBe(0);
  });

  it("rejects every member with the generation's error", async () => {
    const g = controlled();
    const both = Promise.allSettled([g.generation.join(), g.generation.join()]);
    await Bun.sleep(0);
    g.fail(Object.assign(new Error("boom"), { code: "BOOM" }));
    for (const outcome of await both) {
      expect(outcome).toMatchObject({ status: "rejected", reason: { code: "BOOM" } });
    }
  });

  it("lets one member leave without stopping the others", async () => {
    const g = controlled();
    const leaving = new AbortController();
    const a = g.generation.join(leaving.signal);
    const b = g.generation.join();
    await Bun.sleep(0);
    leaving.abort(Object.assign(new Error("left"), { code: "LEFT" }));
    await expect(a).rejects.toMatchObject({ code: "LEFT" });
    expect(g.signal().aborted).toBe(false);
    g.finish("done");
    expect(await b).toBe("done");
  });

  it("aborts the generation when the last member leaves", async () => {
    const g = controlled();
    const first = new AbortController();
    const second = new AbortController();
    const a = g.generation.join(first.signal);
    const b = g.generation.join(second.signal);
    await Bun.sleep(0);
    const both = Promise.allSettled([a, b]);
    first.abort(new Error("first left"));
    second.abort(new Error("second left"));
    const [outA, outB] = await both;
    expect(outA).toMatchObject({ status: "rejected", reason: { message: "first left" } });
    expect(outB).toMatchObject({ status: "rejected", reason: { message: "second left" } });
    expect(g.signal().aborted).toBe(true);
    expect(g.generation.abandoned).toBe(true);
    await expect(g.generation.done).rejects.toBeDefined();
  });

  it("refuses a member whose signal already aborted, without counting it", async () => {
    const g = controlled();
    const gone = AbortSignal.abort(new Error("already gone"));
    await expect(g.generation.join(gone)).rejects.toThrow("already gone");
    expect(g.generation.members).toBe(0);
    g.finish("x");
  });
});
