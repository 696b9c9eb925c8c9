import { describe, expect, it } from "bun:test";
import { PrefixSlots } from "./prefix-slots.ts";
import { tokenize } from "./tokenize.ts";

const request = (text: string, model = "m", numCtx = 4096) => ({
  model,
  numCtx,
  tokens: tokenize(text),
});

describe("PrefixSlots.acquire", () => {
  it("reuses the tokens shared with the slot's previous prompt", async () => {
    const slots = new PrefixSlots(1);
    const first = await slots.acquire(request("system prompt here . question one"));
    expect(first.reusedTokens).toBe(0);
    expect(first.loaded).toBe(true);
    first.release();
    const second = await slots.acquire(request("system prompt here . question two"));
    expect(second.reusedTokens).toBe(5);
    expect(second.loaded).toBe(false);
    second.release();
  });

  it("always evaluates the last token of an identical prompt", async () => {
    const slots = new PrefixSlots(1);
    (await slots.acquire(request("a b c"))).release();
    const again = await slots.acquire(request("a b c"));
    expect(again.reusedTokens).toBe(2);
  });

  it("reloads (reuses nothing) when the model or num_ctx changes", async () => {
    const slots = new PrefixSlots(1);
    (await slots.acquire(request("a b c d"))).release();
    const otherModel = await slots.acquire(request("a b c d", "other"));
    expect([otherModel.reusedTokens, otherModel.loaded]).toEqual([0, true]);
    otherModel.release();
    const otherCtx = await slots.acquire(request("a b c d", "other", 8192));
    expect([otherCtx.reusedTokens, otherCtx.loaded]).toEqual([0, true]);
    otherCtx.release();
  });

  it("prefers the free slot whose prompt shares the longest prefix", async () => {
    const slots = new PrefixSlots(2);
    const a = await slots.acquire(request("alpha one"));
    const b = await slots.acquire(request("beta one"));
    a.release();
    b.release();
    const next = await slots.acquire(request("beta two"));
    expect(next.slot).toBe(b.slot);
    expect(next.reusedTokens).toBe(1);
  });

  it("forgets the prompt of a slot released with unload", async () => {
    const slots = new PrefixSlots(1);
    (await slots.acquire(request("a b c"))).release(true);
    expect((await slots.acquire(request("a b c"))).reusedTokens).toBe(0);
  });

  it("queues requests in order when every slot is busy", async () => {
    const slots = new PrefixSlots(1);
    const first = await slots.acquire(request("x"));
    const order: string[] = [];
    const second = slots.acquire(request("y")).then((lease) => {
      order.push("second");
      return lease;
    });
    const third = slots.acquire(request("z")).then((lease) => {
      order.push("third");
      return lease;
    });
    expect(slots.waiting).toBe(2);
    first.release();
    (await second).release();
    (await third).release();
    expect(order).toEqual(["second", "third"]);
    expect(slots.busy).toBe(0);
  });

  it("rejects a queued request whose signal aborts, and leaves the queue usable", async () => {
    const slots = new PrefixSlots(1);
    const held = await slots.acquire(request("x"));
    const controller = new AbortController();
    const waiting = slots.acquire({ ...request("y"), signal: controller.signal });
    const reason = new Error("gone");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(slots.waiting).toBe(0);
    held.release();
    (await slots.acquire(request("z"))).release();
  });
});
