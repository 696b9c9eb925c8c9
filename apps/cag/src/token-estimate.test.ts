import { describe, expect, it } from "bun:test";
import { estimateTokens } from "./token-estimate.ts";

describe("estimateTokens", () => {
  it("takes chars / 4 for long-worded text", () => {
    expect(estimateTokens("internationalization")).toBe(5); // 20 chars, 1 word
  });

  it("takes words × 1.3 for short-worded text", () => {
    expect(estimateTokens("a b c d e f g h i j")).toBe(13); // 19 chars, 10 words
  });

  it("rounds up and counts nothing as nothing", () => {
    expect(estimateTokens("abc")).toBe(2); // max(0.75, 1.3) → 2
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("   \n\t ")).toBe(2); // 6 chars / 4, no words
  });
});
