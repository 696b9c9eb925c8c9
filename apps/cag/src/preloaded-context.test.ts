import { describe, expect, it } from "bun:test";
import { loadCorpus } from "@app/kit";
import { buildContext, CONTEXT_INSTRUCTIONS } from "./preloaded-context.ts";
import { estimateTokens } from "./token-estimate.ts";

const corpus = loadCorpus();

describe("buildContext", () => {
  it("fits the budget with whole addresses, most recent first, stopping at the first that does not fit", () => {
    for (const budgetTokens of [12_000, 24_000, 60_000]) {
      const context = buildContext(corpus, { budgetTokens, model: "llama3.2" });
      expect(context.tokens).toBeLessThanOrEqual(budgetTokens);
      expect(estimateTokens(context.prefix)).toBeLessThanOrEqual(budgetTokens);

      // The most recent addresses, in order, with no gap.
      const newestFirst = [...corpus].sort((a, b) => b.year - a.year || (b.key < a.key ? -1 : 1));
      const chosen = context.documents.map((d) => d.key);
      expect(chosen).toEqual(newestFirst.slice(0, chosen.length).map((d) => d.key));

      // Whole addresses: each body appears in full.
      for (const doc of newestFirst.slice(0, chosen.length)) {
        expect(context.prefix.includes(`### ${doc.title}\n${doc.body}`)).toBe(true);
      }
      // The next address would not have fit.
      const next = newestFirst[chosen.length]!;
      const nextTokens = estimateTokens(`\n\n### ${next.title}\n${next.body}`);
      expect(context.tokens + nextTokens).toBeGreaterThan(budgetTokens);
    }
  });

  it("chooses Biden 2021 and Trump 2020 for the default 24,000 tokens", () => {
    const context = buildContext(corpus, { budgetTokens: 24_000, model: "llama3.2" });
    expect(context.documents.map((d) => d.year)).toEqual([2021, 2020]);
    expect(context.prefix.startsWith(CONTEXT_INSTRUCTIONS)).toBe(true);
    expect(context.bytes).toBe(Buffer.byteLength(context.prefix));
  });

  it("gives the same bytes and hash every time, whatever the corpus order", () => {
    const a = buildContext(corpus, { budgetTokens: 24_000, model: "llama3.2" });
    const b = buildContext([...corpus].reverse(), { budgetTokens: 24_000, model: "llama3.2" });
    expect(b.prefix).toBe(a.prefix);
    expect(b.hash).toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("orders two addresses of one year by entry (1961: Eisenhower, then Kennedy)", () => {
    const from1961 = corpus.filter((d) => d.year <= 1961);
    const context = buildContext(from1961, { budgetTokens: 30_000, model: "m" });
    expect(context.documents[0]!.title).toContain("Kennedy");
    expect(context.documents[1]!.title).toContain("Eisenhower");
  });

  it("refuses a budget that holds no address", () => {
    expect(() => buildContext(corpus, { budgetTokens: 500, model: "m" })).toThrow(RangeError);
    expect(() => buildContext([], { budgetTokens: 500, model: "m" })).toThrow(RangeError);
  });
});
