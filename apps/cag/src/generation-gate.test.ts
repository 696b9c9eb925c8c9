import { describe, expect, it } from "bun:test";
import { GenerationGate } from "./generation-gate.ts";

const never = new AbortController().signal;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("GenerationGate.run", () => {
  it("runs at most `limit` at once and the rest in arrival order", async () => {
    const gate = new GenerationGate(2);
    const started: number[] = [];
    const blockers = [deferred(), deferred(), deferred(), deferred()];
    const runs = blockers.map((b, i) =>
      gate.run(never, async () => {
        started.push(i);
        await b.promise;
        return i;
      }),
    );
    await Bun.sleep(0);
    expect(started).toEqual([0, 1]);
    expect(gate.waiting).toBe(2);
    blockers[1]!.resolve();
    await runs[1];
    await Bun.sleep(0);
    expect(started).toEqual([0, 1, 2]);
    for (const b of blockers) b.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(gate.running).toBe(0);
  });

  it("frees the turn when fn throws", async () => {
    const gate = new GenerationGate(1);
    await expect(gate.run(never, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(never, async () => "next")).toBe("next");
  });

  it("drops a waiter whose signal aborts, without taking a turn", async () => {
    const gate = new GenerationGate(1);
    const blocker = deferred();
    const first = gate.run(never, () => blocker.promise);
    const leaving = new AbortController();
    const second = gate.run(leaving.signal, async () => "never");
    leaving.abort(new Error("left"));
    await expect(second).rejects.toThrow("left");
    expect(gate.waiting).toBe(0);
    blocker.resolve();
    await first;
    expect(gate.running).toBe(0);
  });
});
