import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { type AskJson, Harness } from "./harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.close();
});

const JOBS = "How many jobs did the economy add?";

describe("POST /ask: the exact cache", () => {
  it("answers a repeated question from the cache without calling the LLM", async () => {
    const first = await h.askJson(JOBS);
    const chatsAfterFirst = h.standin.calls.chat;
    const second = await h.askJson(JOBS);

    expect(first.cache).toBe("miss");
    expect(first.answer).toContain("two million jobs");
    expect(second.cache).toBe("exact");
    expect(second.answer).toBe(first.answer);
    expect(second.contextHash).toBe(first.contextHash);
    expect(h.standin.calls.chat).toBe(chatsAfterFirst);
  });

  it("treats case, whitespace and punctuation variants as the same question", async () => {
    await h.askJson(JOBS);
    const embedsBefore = h.standin.calls.embed;
    const chatsBefore = h.standin.calls.chat;
    for (const variant of [
      "how many JOBS did the economy add",
      "  How many jobs, did the economy add?!  ",
    ]) {
      expect((await h.askJson(variant)).cache).toBe("exact");
    }
    // An exact hit needs no embedding either.
    expect(h.standin.calls.embed).toBe(embedsBefore);
    expect(h.standin.calls.chat).toBe(chatsBefore);
  });

  it("serves an entry until its TTL, then calls the LLM again (injected clock)", async () => {
    await h.restart({ cacheTtlS: 60 });
    await h.askJson(JOBS);
    h.nowMs += 59_000;
    expect((await h.askJson(JOBS)).cache).toBe("exact");
    h.nowMs += 1_000; // created 60 s ago: expired
    const chatsBefore = h.standin.calls.chat;
    const expired = await h.askJson(JOBS);
    expect(expired.cache).toBe("miss");
    expect(h.standin.calls.chat).toBe(chatsBefore + 1);
  });

  it("does not serve an expired entry as a semantic hit either", async () => {
    await h.restart({ cacheTtlS: 60 });
    await h.askJson(JOBS);
    h.nowMs += 61_000;
    expect((await h.askJson("The economy: how many jobs did it add?")).cache).toBe("miss");
  });

  it("evicts the least recently used entry past cacheMaxEntries", async () => {
    await h.restart({ cacheMaxEntries: 2 });
    const a = "How many jobs did the economy add?";
    const b = "What happened to prescription drug prices?";
    const c = "What will the alliance with Europe do?";
    await h.askJson(a);
    h.nowMs += 1_000;
    await h.askJson(b);
    h.nowMs += 1_000;
    expect((await h.askJson(a)).cache).toBe("exact"); // a is now more recent than b
    h.nowMs += 1_000;
    await h.askJson(c); // evicts b

    const stats = (await (await h.cag.app.request("/cache/stats")).json()) as Record<
      string,
      unknown
    >;
    expect(stats.entries).toBe(2);
    expect((await h.askJson(a)).cache).toBe("exact");
    expect((await h.askJson(c)).cache).toBe("exact");
    expect((await h.askJson(b)).cache).toBe("miss");
  });
});

describe("POST /ask: the semantic cache", () => {
  it("serves a reworded question over the threshold, without a chat call", async () => {
    const original = await h.askJson(JOBS);
    const chatsBefore = h.standin.calls.chat;
    const reworded = await h.askJson("The economy: how many jobs did it add?");
    expect(reworded.cache).toBe("semantic");
    expect(reworded.answer).toBe(original.answer);
    expect(reworded.matched?.question).toBe(JOBS);
    expect(reworded.matched?.score).toBeGreaterThanOrEqual(0.93);
    expect(reworded.matched?.score).toBeLessThan(1);
    expect(h.standin.calls.chat).toBe(chatsBefore);
  });

  it("calls the LLM for a different question on the same topic (under the threshold)", async () => {
    await h.askJson(JOBS);
    const chatsBefore = h.standin.calls.chat;
    const other = await h.askJson("How many jobs did the factories add?");
    expect(other.cache).toBe("miss");
    expect(h.standin.calls.chat).toBe(chatsBefore + 1);
  });

  it("follows the configured threshold: at 0.5 the same-topic question is a hit", async () => {
    await h.restart({ semanticThreshold: 0.5 });
    await h.askJson(JOBS);
    const loose = await h.askJson("How many jobs did the factories add?");
    expect(loose.cache).toBe("semantic");
  });
});

describe("GET /cache/stats and DELETE /cache", () => {
  it("counts entries, bytes, hits by kind and misses", async () => {
    await h.askJson(JOBS); // miss
    await h.askJson(JOBS); // exact
    await h.askJson("The economy: how many jobs did it add?"); // semantic
    await h.askJson("What happened to prescription drug prices?"); // miss

    const res = await h.cag.app.request("/cache/stats");
    expect(res.status).toBe(200);
    const stats = (await res.json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      entries: 2,
      hits: { exact: 1, semantic: 1 },
      misses: 2,
      hitRatio: 0.5,
      llmCalls: 2,
      llmCallsSaved: 2,
      errors: 0,
      inFlight: 0,
    });
    expect(stats.bytes).toBeGreaterThan(2 * 384 * 4); // two float32 embeddings at least
  });

  it("empties the cache: the next ask calls the LLM again", async () => {
    await h.askJson(JOBS);
    const res = await h.cag.app.request("/cache", { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: 1 });
    const stats = (await (await h.cag.app.request("/cache/stats")).json()) as Record<
      string,
      unknown
    >;
    expect(stats.entries).toBe(0);
    const again: AskJson = await h.askJson(JOBS);
    expect(again.cache).toBe("miss");
    // Nor does a reworded question find the deleted entry through the in-memory vectors.
    await h.cag.app.request("/cache", { method: "DELETE" });
    expect((await h.askJson("The economy: how many jobs did it add?")).cache).toBe("miss");
  });
});
