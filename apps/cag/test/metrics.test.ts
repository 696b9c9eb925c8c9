import { afterEach, describe, expect, it } from "bun:test";
import type { PromptEvalEvent } from "../src/cag-metrics.ts";
import { Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("CagApp.metrics and onPromptEval", () => {
  it("reports each user generation's prompt evaluation, not hits nor the warm-up", async () => {
    h = await Harness.start();
    const seen: PromptEvalEvent[] = [];
    const off = h.cag.onPromptEval((event) => seen.push(event));
    const miss = await h.askJson("How many jobs did the economy add?");
    await h.askJson("How many jobs did the economy add?"); // exact
    await h.askJson("Jobs: how many did the economy add?"); // semantic
    expect(seen.length).toBe(1);
    expect(seen[0]!.tokens).toBe(miss.timings.promptEvalTokens!);
    expect(seen[0]!.seconds * 1000).toBeCloseTo(miss.timings.promptEvalMs!, 1);

    const m = h.cag.metrics();
    expect(m.promptEval.requests).toBe(1);
    expect(m.promptEval.last).toEqual(seen[0]!);
    expect(m.promptEval.seconds).toBe(seen[0]!.seconds);
    expect(m).toMatchObject({ asks: 3, misses: 1, hits: { exact: 1, semantic: 1 }, llmCalls: 1 });

    off();
    await h.askJson("What happened to prescription drug prices?");
    expect(seen.length).toBe(1);
    expect(h.cag.metrics().promptEval.requests).toBe(2);
  });

  it("reports readiness with the context in health()", async () => {
    h = await Harness.start();
    const health = h.cag.health();
    expect(health).toMatchObject({ state: "ready", ready: true });
    expect(health.detail).toContain("3 addresses");
    const context = (await (await h.cag.app.request("/context")).json()) as {
      documents: { year: number }[];
      warmup: { ok: boolean };
      prefix?: string;
    };
    expect(context.documents.map((d) => d.year)).toEqual([2003, 2002, 2001]);
    expect(context.warmup.ok).toBe(true);
    expect(context.prefix).toBeUndefined();
  });
});
