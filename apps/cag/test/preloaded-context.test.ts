import { afterEach, describe, expect, it } from "bun:test";
import { renderPrompt, tokenize } from "@app/ollama-standin";
import { CHANGED_CORPUS } from "./fixtures.ts";
import { Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ASKED = [
  "How many jobs did the economy add?",
  "What happened to prescription drug prices?",
  "What will the alliance with Europe do?",
];

describe("the preloaded context on the wire", () => {
  it("sends byte-identical system prompts on every request, warm-up included", async () => {
    h = await Harness.start();
    for (const question of ASKED) await h.askJson(question);
    const chats = h.chats();
    expect(chats.length).toBe(1 + ASKED.length); // the warm-up, then one per question
    const systems = new Set(chats.map((chat) => chat.messages[0]!.content));
    expect(systems.size).toBe(1);
    expect([...systems][0]).toBe(h.cag.context()!.prefix);
    // Nothing per request before the question: the question is the last and only other message.
    for (const [i, chat] of chats.slice(1).entries()) {
      expect(chat.messages.map((m) => m.role)).toEqual(["system", "user"]);
      expect(chat.messages[1]!.content).toBe(ASKED[i]!);
    }
  });

  it("sends the same num_ctx and keep_alive on every chat request", async () => {
    h = await Harness.start({ llm: { numCtx: 16_384 }, app: { contextTokens: 8_000 } });
    await h.askJson(ASKED[0]!);
    for (const chat of h.chats()) {
      expect(chat.options?.num_ctx).toBe(16_384);
      expect(chat.keep_alive).toBe("30m");
    }
    const chatRecords = h.standin.requests.filter((r) => r.endpoint === "chat");
    expect(chatRecords.every((r) => r.numCtx === 16_384 && r.keepAlive === "30m")).toBe(true);
  });

  it("rebuilds the same bytes and hash after a restart with the same corpus", async () => {
    h = await Harness.start();
    const before = h.cag.context()!;
    await h.askJson(ASKED[0]!);
    const after = (await h.restart()).context()!;
    expect(after.prefix).toBe(before.prefix);
    expect(after.hash).toBe(before.hash);
    // The restarted app's answers are the cached ones: same context, same key.
    expect((await h.askJson(ASKED[0]!)).cache).toBe("exact");
    const systems = new Set(h.chats().map((chat) => chat.messages[0]!.content));
    expect(systems.size).toBe(1);
  });

  it("warms the model at start-up without counting it as a user's LLM call", async () => {
    h = await Harness.start();
    expect(h.standin.calls.chat).toBe(1);
    const warm = h.chats()[0]!;
    expect(warm.options?.num_predict).toBe(1);
    expect(h.cag.warmup()).toMatchObject({ ok: true });
    expect(h.cag.metrics().llmCalls).toBe(0);
    expect(h.cag.metrics().promptEval.requests).toBe(0);
  });
});

describe("prefix reuse (the stand-in's slot cache)", () => {
  it("evaluates only the question's own tokens once the prefix is warm", async () => {
    h = await Harness.start({ standin: { slots: 1 } });
    const prefix = h.cag.context()!.prefix;
    const prefixTokens = tokenize(renderPrompt([{ role: "system", content: prefix }])).length;
    const warmup = h.standin.requests.find((r) => r.endpoint === "chat")!;
    expect(warmup.reusedTokens).toBe(0); // the first request evaluates everything

    const first = await h.askJson(ASKED[0]!);
    const second = await h.askJson(ASKED[1]!);
    const records = h.standin.requests.filter((r) => r.endpoint === "chat").slice(1);
    for (const [i, record] of records.entries()) {
      const question = ASKED[i]!;
      // Whatever the prompt ends with after the system message: "<|user|>\n" + question + "\n<|assistant|>\n".
      const own = tokenize(`<|user|>\n${question}\n<|assistant|>\n`).length;
      expect(record.reusedTokens!).toBeGreaterThanOrEqual(prefixTokens - 1);
      expect(record.promptTokens! - record.reusedTokens!).toBeLessThanOrEqual(own);
    }
    // What a real Ollama shows of it: prompt evaluation time, in the answer and in the metrics.
    expect(first.timings.promptEvalTokens).toBe(records[0]!.promptTokens!);
    expect(first.timings.promptEvalMs!).toBeLessThan(h.cag.warmup()!.promptEvalMs!);
    expect(second.timings.promptEvalMs!).toBeLessThan(h.cag.warmup()!.promptEvalMs!);
    expect(h.cag.metrics().promptEval.requests).toBe(2);
  });
});

describe("a changed context", () => {
  it("gets a new hash, misses the old answers and purges them", async () => {
    h = await Harness.start();
    const old = await h.askJson(ASKED[0]!);
    await h.askJson(ASKED[1]!);
    const changed = await h.restart({ corpus: () => CHANGED_CORPUS });
    expect(changed.context()!.hash).not.toBe(old.contextHash);

    // Purged at start-up, before any ask.
    const rows = await h.db.get<{ n: number }>(
      "select count(*) as n from cag_answers where context_hash = ?",
      [old.contextHash],
    );
    expect(rows!.n).toBe(0);

    const chatsBefore = h.standin.calls.chat;
    const again = await h.askJson(ASKED[0]!);
    expect(again.cache).toBe("miss");
    expect(again.contextHash).toBe(changed.context()!.hash);
    expect(h.standin.calls.chat).toBe(chatsBefore + 1);
  });

  it("hashes the model too: another chat model never sees the entries", async () => {
    h = await Harness.start();
    const { buildContext } = await import("../src/preloaded-context.ts");
    const { FIXTURE_CORPUS } = await import("./fixtures.ts");
    const a = buildContext(FIXTURE_CORPUS, { budgetTokens: 24_000, model: "llama3.2" });
    const b = buildContext(FIXTURE_CORPUS, { budgetTokens: 24_000, model: "qwen2.5" });
    expect(a.prefix).toBe(b.prefix);
    expect(a.hash).not.toBe(b.hash);
  });
});
